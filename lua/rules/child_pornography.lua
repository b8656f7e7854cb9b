-- child_pornography.lua - text offering sexual material of children
-- (児童ポルノ公然陳列・提供の申込み).
--
-- This is the text side only; linked images are matched against the
-- operator's hash list by a separate classifier. The offers are terse and
-- coded: an age marker (JC, JS, 小学生, ロリ, 13歳), a medium (動画, 画像,
-- zip, フォルダ), an offer (販売, DL, 譲ります, 交換) and a way to pay or
-- reach the seller, often with "本物", "流出" or "非公開". Schools selling
-- event DVDs, photo studios, learning videos, uniform and fashion shops,
-- news and prevention pages name children and media too, so the rule wants
-- the age marker next to the medium, an offer, and a price, a channel or an
-- illicit cue; school, shop, news and protection wording switches it off.

return {
  name = "child_pornography.coded_offer",
  category = "child_pornography",
  author = "patrol",
  description = "material of minors offered with a price, a channel or an illicit cue",
  references = {
    "児童買春、児童ポルノに係る行為等の規制及び処罰並びに児童の保護等に関する法律 第7条",
    "インターネット・ホットラインセンター 運用ガイドライン（児童ポルノ）",
  },
  version = 1,
  threshold = 0.65,
  requires = { "minor", "medium" },
  triggers = { { "pay", "contact", "illicit" } },

  patterns = {
    minor = {
      "女子中学生", "女子小学生", "女子高生", "中学生", "小学生", "高校生", "児童",
      "ロリ", "幼女", "少女", "低学年", "ジュニアアイドル", "未成年", "ょぅじょ", "ようじょ",
      { re = [[(^|[^a-z.])(jc|js|jk|u1[0-5]|u-1[0-5])($|[^a-z0-9])]], view = "norm" },
      { re = [[(^|[^a-z])(jc|js|jk)($|[^a-z0-9])]], view = "squeezed" },
      { re = [[(^|[^0-9])(1[0-5]|[5-9])\s*(歳|さい|才)]], view = "norm" },
      { re = [[[○〇◯●]\s*学生]], view = "norm" },
      { re = [[(^|[\s/・、,])(小|中)\s*[1-6○〇]($|[^0-9本回件個枚円万ゖ日時分])]], view = "norm" },
      view = "both",
    },
    -- longer words that make an age word harmless
    notminor = {
      "美少女", "ロリータファッション", "ロリータ服", "ゴスロリ", "甘ロリ", "クラロリ",
      "児童書", "児童文学", "児童館", "児童手当", "児童相談所", "児童福祉", "児童養護",
      "JKフリップフロップ", "JCB", "少女漫画", "少女マンガ", "少女時代", "ロリポップ",
      view = "both", weight = 0,
    },
    medium = {
      "動画", "画像", "映像", "写真", "データ", "素材", "ファイル", "フォルダ",
      "コレクション", "zip", "rar", "mp4", "DVD", "自撮り", "自画撮り", "裏垢",
      "流出", "盗撮", "パック",
      view = "both",
    },
    offer = {
      "販売", "配布", "ダウンロード", "譲ります", "売ります", "交換", "共有", "送ります",
      "送付", "取引", "入手", "購入", "公開", "見放題", "有料", "あります", "在庫",
      "提供", "欲しい人", "ほしい人", "希望者", "入会", "招待", "まとめ",
      { re = [[(^|[^a-z])dl($|[^a-z])]], view = "norm" },
      { "DL販売", view = "squeezed" },
      view = "both",
    },
    pay = {
      { re = [[\d[\d,]{2,}\s*円]] },
      { re = [[\d+(\.\d+)?\s*万]] },
      { re = [[[¥]\s*\d[\d,]{2,}]] },
      "ビットコイン", "仮想通貨", "btc", "アマギフ", "アマゾンギフト", "paypay", "ペイペイ",
      "入会費",
      view = "both",
    },
    contact = {
      "テレグラム", "telegram", "シグナル", "session", "カカオ", "kakao", "DMください",
      "DMまで", "DMで", "LINE ID", "プロフのリンク",
      { re = [[(^|[^a-z])dm($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      { re = [[line\s*id]], view = "norm" },
      view = "both",
    },
    illicit = {
      "本物", "流出", "盗撮", "非公開", "裏", "閲覧注意", "激レア", "表に出ない",
      "消される前", "削除される前", "リアル", "ガチ",
      view = "both",
    },
    -- news, police, protection, schools, shops and studios
    guard = {
      "逮捕", "容疑", "疑いで", "県警", "府警", "警視庁", "書類送検", "起訴", "判決",
      "報道", "児童ポルノ禁止法", "児童買春", "被害", "防止", "啓発", "通報", "注意",
      "保護者", "ハッシュ", "相談", "学校", "PTA", "卒業", "運動会", "文化祭", "発表会",
      "学芸会", "部活", "授業", "教材", "学習", "受験", "スクール", "写真館", "園児",
      "大会", "試合", "株式会社", "税込", "特定商取引", "青年会議所", "プログラミング",
      "動画編集", "グッズ", "公式", "アニメ", "学割", "プラン", "研究", "性教育",
      "フィルタ", "回路", "教室", "向け", "講座", "レッスン", "英語", "数学", "算数",
      "国語", "理科", "対策", "サッカー", "野球", "ダンス", "ピアノ", "バレエ", "スイミング",
      "水泳", "空手", "コンクール", "演奏", "合唱", "塾",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      local minor = lib.outside(m.minor, m.notminor)
      -- the minor and the medium in one phrase, and that medium offered
      local a, b = lib.near(minor, m.medium, 20)
      if not a then return 0 end
      local n = lib.signals(m.pay, m.contact, m.illicit)
      if n == 0 then return 0 end
      -- an offer word next to the medium, or a price with a channel or an illicit cue
      if not lib.near(m.medium, m.offer, 20) and (lib.none(m.pay) or n < 2) then return 0 end
      local s = 0.6 + 0.1 * n
      local g = lib.distinct(m.guard)
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.6 end
      return lib.clamp(s), lib.evidence(page, lib.span(a, b), 40)
    end)
  end,
}
