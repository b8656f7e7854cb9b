-- obscenity.lua - explicit material offered openly
-- (わいせつ電磁的記録等の公然陳列・頒布).
--
-- Sellers say the material is uncensored (無修正, モザイクなし, 裏ビデオ),
-- name the medium (動画, DVD, zip), offer it (販売, 配布, 見放題) and give
-- a price or a way to pay and get in touch. Censored adult products sold by
-- ordinary shops are not this category, and "無修正" also means unretouched
-- photos, uncorrected manuscripts and uncut film editions; news, legal
-- explanations, fraud warnings and platform policies quote the same words.
-- So the rule wants an uncensored word, an offer and a price or a channel;
-- the weaker words (モザイクなし, 修正なし) count only next to adult wording.
-- Offers that name minors are left to child_pornography.

return {
  name = "obscenity.uncensored_offer",
  category = "obscenity",
  author = "patrol",
  description = "uncensored explicit material offered with a price or a contact",
  references = {
    "刑法 第175条（わいせつ物頒布等）",
    "インターネット・ホットラインセンター 運用ガイドライン（わいせつ電磁的記録等）",
  },
  version = 1,
  threshold = 0.65,
  triggers = { { "uncensored", "mosaic" }, "offer", { "price", "contact" }, { "adult", "medium" } },

  patterns = {
    -- words that say the material is uncensored on their own
    uncensored = {
      "無修正", "無修整", "むしゅうせい", "裏ビデオ", "裏DVD", "裏動画", "裏作品",
      "モザイク破壊", "モザ消し", "モザイク除去", "uncensored",
      view = "both",
    },
    -- weaker: they count only next to adult wording
    mosaic = {
      "モザイクなし", "モザイク無し", "モザイク無", "モザなし", "モザ無し", "修正なし",
      "修正無し", "ノーモザイク", "ノーモザ",
      view = "both",
    },
    adult = {
      "アダルト", "エロ", "ハメ撮り", "個人撮影", "素人", "人妻", "熟女", "女優",
      "成人向け", "18禁", "盗撮", "流出", "エッチ", "痴漢", "裏垢",
      { re = [[(^|[^a-z])av($|[^a-z])]], view = "norm" },
      view = "both",
    },
    medium = {
      "動画", "画像", "映像", "DVD", "ブルーレイ", "作品", "本編", "zip", "mp4",
      "データ", "ファイル", "ビデオ", "コレクション",
      view = "both",
    },
    offer = {
      "販売", "配布", "配信", "ダウンロード", "見放題", "公開中", "無料公開", "譲ります",
      "売ります", "送ります", "送付", "共有", "会員", "視聴", "購入", "通販", "入手",
      "毎日更新", "限定", "あります", "セット", "まとめ", "リスト",
      { re = [[(^|[^a-z])dl($|[^a-z])]], view = "norm" },
      { "DL販売", view = "squeezed" },
      view = "both",
    },
    price = {
      { re = [[\d[\d,]{2,}\s*円]] },
      { re = [[\d+(\.\d+)?\s*万]] },
      { re = [[[¥]\s*\d[\d,]{2,}]] },
      "月額", "年額", "ビットコイン", "仮想通貨", "アマギフ", "アマゾンギフト", "paypay",
      "ペイペイ", "代引", "振込",
      view = "both",
    },
    contact = {
      "テレグラム", "telegram", "シグナル", "カカオ", "kakao", "DMください", "DMまで",
      "DMで", "LINE ID", "ラインで", "プロフのリンク", "登録はこちら", "リンクから",
      { re = [[(^|[^a-z])dm($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      { re = [[[a-z0-9-]+\.(com|jp|net|xyz|to)]], view = "norm" },
      { re = [[line\s*id]], view = "norm" },
      view = "both",
    },
    -- a minor named in the offer: child_pornography's case
    minor = {
      "女子中学生", "女子小学生", "中学生", "小学生", "ロリ", "幼女", "児童", "ジュニアアイドル",
      "未成年", "JC", "JS", "U15", "ょぅじょ",
      { re = [[(^|[^a-z.])(jc|js|jk)($|[^a-z])]], view = "norm" },
      { re = [[(^|[^0-9])1[0-5]\s*歳]], view = "norm" },
      view = "both", weight = 0,
    },
    -- news, law, warnings, policies and support
    context = {
      "逮捕", "容疑", "疑いで", "県警", "府警", "警視庁", "書類送検", "起訴", "判決",
      "報道", "記者", "刑法", "175条", "頒布罪", "わいせつ物", "わいせつ電磁的記録",
      "弁護士", "法律相談", "解説", "注意喚起", "注意してください", "被害", "相談窓口",
      "架空請求", "詐欺", "フィルタリング", "通報", "ホットライン", "利用規約", "禁止しています",
      "削除対象", "削除依頼", "削除されます", "依存症", "違法です", "違法ですか", "違法なの", "カウンセリング",
      view = "both", weight = 0,
    },
    -- unretouched photos, manuscripts, film editions, lawful shops, art
    craft = {
      "レタッチ", "撮って出し", "無加工", "現像", "ポートレート", "撮影プラン", "原稿",
      "校正", "誤字", "ディレクターズカット", "劇場公開", "劇場版", "地上波", "放送版",
      "特典", "映倫", "美術館", "展覧会", "裸婦", "芸術", "絵画", "彫刻", "症例",
      "施術", "クリニック", "正規品", "一切取り扱", "取り扱っておりません",
      "審査済", "動画編集", "編集", "納品", "書籍", "出版", "歴史",
      "ゲーム", "パッチ", "日本語版", "ドラマ", "主人公", "公式",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      local unc = m.uncensored
      if #unc == 0 then
        -- the weaker words need adult wording within a few lines
        if not lib.near(m.mosaic, m.adult, 50) then return 0 end
        unc = m.mosaic
      end
      if lib.none(m.offer) or lib.none(m.price, m.contact) then return 0 end
      if lib.none(m.adult, m.medium) then return 0 end
      if lib.any(m.minor) then return 0 end
      local s = 0.6 + 0.1 * lib.signals(m.adult, m.medium) + 0.1 * lib.signals(m.price, m.contact)
      local ctx = lib.distinct(m.context)
      if ctx >= 2 then return 0 end
      if ctx == 1 then s = s * 0.6 end
      local c = lib.distinct(m.craft)
      if c >= 1 then s = s * 0.5 ^ c end
      local ev = lib.near(unc, m.offer, 67) or unc[1]
      return lib.clamp(s), lib.evidence(page, ev, 40)
    end)
  end,
}
