-- drug_ad.lua - advertisements for controlled drugs (規制薬物の広告).
--
-- A seller writes slang for the drug (野菜, 手押し, アイス, クリスタル),
-- says how it is handed over and what it costs, and gives a channel that
-- leaves no trace. News about arrests, prevention campaigns, recipes and
-- ice-cream shops use the same words, so vocabulary alone never fires: the
-- rule wants the drug word plus at least two of offer, channel and price;
-- news or prevention wording switches it off, and shop or kitchen wording
-- does too unless the page moves buyers to a secret-chat app. Slang that is
-- an everyday word (野菜, アイス, 手押し) counts only when the page gives a
-- channel, and "legal" herbs sold not for human use are left to
-- dangerous_drug_ad. Film and novel reviews retelling a dealer's story are
-- switched off too.
-- Prescription sedatives named by brand count like slang (a channel is
-- needed); a seller's "police and press not welcome" is no news wording.
-- Kana slang by the gram or tablet and Chinese sellers' words count too; a
-- single news or warning word dampens only next to the drug words.

-- slang that is an everyday word too (野菜, アイス, 手押し, a sedative's
-- brand): a drug word that needs a channel on the page
local everyday = {
  "野菜", "手押し", "アイス", "クリスタル", "冷たいの", "草あります", "草売ります",
  "上物の草",
  -- 草/クサ (weed), チョコ (hashish), スノー/白いの (cocaine) only when stocked or
  -- sold by the gram: 草 alone is net slang for "lol"
  { re = [[草(あり|ある|あん|売|譲|回|入荷|在庫|\s*\d+(\.\d+)?\s*(つ|g|ぐらむ|で|p|ぱけ|本))]], view = "norm" },
  { re = [[(^|[^ぁ-ゖ])くさ(あり|ある|あん|売|譲|回|入荷|在庫|\s*\d+(\.\d+)?\s*(つ|g|ぐらむ|で|p|ぱけ|本))]], view = "norm" },
  { re = [[ちょこ\s*\d+(\.\d+)?\s*(で|g|ぐらむ|p|ぱけ|=)]], view = "norm" },
  { re = [[すのー($|[^ぁ-ゖa-z])]], view = "norm" },
  { re = [[白いの($|\s|[()]|\d|あり|ある|あん|入荷)]], view = "norm" },
  -- cold/white euphemisms (冷たいやつ, 白い粉), blotter by the sheet (紙 1枚),
  -- snow in quotes or by the gram, "the one from South America"
  "冷たいやつ", "冷たいもん", "白い粉",
  { re = [[(^|[^ぁ-ゖ一-龥])紙\s*\(?\s*\d+\s*枚\s*\)?\s*[\d,]{3,}\s*円]], view = "norm" },
  { re = [=[[「『"]雪[」』"]|雪\s*\d+(\.\d+)?\s*(g|ぐらむ|で|p|ぱけ)]=], view = "norm" },
  { re = [[南米(産|の)[^。、\n]{0,8}(やつ|もん|ぶつ)]], view = "norm" },
  -- medicines are drugs only off prescription, through a channel
  "ハルシオン", "デパス", "ロヒプノール", "サイレース", "エリミン", "ベゲタミン",
  "リタリン", "マイスリー",
  -- slang in kana, by the gram or the tablet (み・ど・り 1グラム, ばつ 1錠)
  "つめたいやつ",
  { re = [[(みどり|はっぱ)\D{0,4}\d+(g|ぐらむ)]], view = "squeezed" },
  { re = [[ばつ\D{0,4}\d+(錠|粒)]], view = "squeezed" },
  -- emoji for the drug, by the gram (🥦 1g = 7k, ❄️ 0.5 = 20k)
  { re = [[(🥦|🌿|🍁|❄|💎|🍫|🍄|🧊)\s*\d+(\.\d+)?\s*(g|ぐらむ)?\s*(=|:|→)\s*\d]], view = "norm" },
}

-- the patterns of the lists given, then the set's options (view, weight)
-- cannabis by its strains and its THC content, as a grower's menu lists it
-- under a vegetable stand's words
local strains = {
  { re = [=[(^|[^a-z])thc\s*[1-9]]=], view = "norm" },
  "ほわいとうぃどう", "ogくっしゅ", "あむねじあへいず", "のーざんらいつ", "じゃっくへらー",
  "ぶるーどりーむ", "ごりらぐるー", "すかんく", "乾燥ぶっず",
}

local function set(opts, ...)
  local out = {}
  for _, list in ipairs({ ... }) do
    for _, x in ipairs(list) do out[#out + 1] = x end
  end
  for k, v in pairs(opts) do out[k] = v end
  return out
end

return {
  name = "drug_ad.slang_offer_contact",
  category = "drug_ad",
  author = "patrol",
  description = "drug slang offered with delivery, a contact channel and a price",
  references = {
    "麻薬及び向精神薬取締法 第68条の2（広告の禁止）",
    "インターネット・ホットラインセンター 運用ガイドライン（規制薬物の広告）",
  },
  version = 2,
  threshold = 0.7,
  requires = { "drug" },
  triggers = { { "offer", "secret", "contact", "price" } },

  patterns = {
    drug = set({ view = "both" }, everyday, strains, {
      "大麻", "マリファナ", "ガンジャ", "ハッパ", "覚醒剤", "覚せい剤", "シャブ",
      "コカイン", "MDMA", "エクスタシー", "LSD", "ハシシ", "バッズ", "ヘロイン",
      "ケタミン", "大麻リキッド",
      -- a pill by the tablet (タマ, X)
      { re = [[(^|[^ぁ-ゖ])たま[^ぁ-ゖ\d][^\n\d]{0,6}\d+\s*(錠|粒)]], view = "norm" },
      { re = [[(いわゆる|通称)\s*x($|[^a-z])]], view = "norm" },
      -- as Chinese-speaking sellers write them
      -- Vietnamese sellers' grass, candy and ice, counted by the gram or pill
      { re = [[(^|[^a-zà-ỹ])(cỏ|đá|kẹo|hàng xanh)\s*(\d+(\.\d+)?\s*(g|viên)?\s*=|\d+(\.\d+)?\s*(g|viên))]], view = "norm" },
      "冰毒", "溜冰", "摇头丸", "麻古", "叶子", "可卡因", "K粉", "海洛因", "大麻叶",
      -- a dealer's menu: a code name, then a few grams, pills or sheets, then
      -- thousands of yen (🥬 ぐりーん(いんどあ) 1g 5,500, 💎 氷(えす) 0.2 1.6万)
      { re = [[(ぐりーん|はし|はしっしゅ|氷|こおり|雪|ゆき|らむね|切手|けい|えす|ばつ|草|くさ|野菜|やさい|あいす|くりすたる|ちょこ|ばっず|じょいんと|すぴーど|ぺーぱー|きのこ|かーと|りきっど)\s*([(][^)\n]{0,8}[)])?\s*(0\.\d{1,2}\s*(g|錠|枚|粒)?|([1-9](\.\d)?|[1-3]\d)\s*(g|錠|枚|粒))\s*[/:=]?\s*(\d{1,2}(\.\d)?万|\d{1,2},\d{3}|\d{4,5})($|[^\d,])]], view = "norm" },
    }),
    slang = set({ view = "both", weight = 0 }, everyday),
    strain = set({ view = "both", weight = 0 }, strains),
    -- hemp shops sell legal CBD under the same strain names
    cbd = { "CBD", "カンナビジオール", view = "both", weight = 0 },
    -- the seller saying it is the illegal kind: 合法じゃない方, CBDとかじゃ満足できない人向け
    illicit = {
      { re = [[(合法|りーがる)(じゃ|では)(ない|ねえ|ねー|ありません)(方|ほう|やつ|もの|の)]], view = "norm" },
      { re = [[(非合法|違法)(な|の)?(方|ほう|やつ|もの)]], view = "norm" },
      { re = [[(cbd|hhc|hhch|thcp|りきっど)[^。\n]{0,16}(じゃ|では)[^。\n]{0,6}(満足でき|物足りな|効かな)]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- longer words that make a drug word part of something harmless
    food = {
      "アイスクリーム", "アイスコーヒー", "アイスティー", "アイスキャンディー",
      "アイスホッケー", "アイススケート", "アイスバーン", "アイスボックス",
      "野菜炒め", "野菜スープ", "野菜ジュース", "緑黄色野菜", "夏野菜", "冬野菜",
      "野菜売り場", "有機野菜", "温野菜", "朝採れ野菜", "クリスタルガラス",
      "しゃぶしゃぶ", "シャブリ", "手押しポンプ", "手押し車", "手押し相撲", "手押し寿司",
      "牧草", "クリスタルガイザー", "アイスダンス", "アイスショー", "アイスバス",
      "アイスクライミング", "アイスマシン", "カカオ豆", "カカオ分", "カカオマス", "カカオバター",
      "カカオニブ", "カカオポリフェノール", "カカオ7", "カカオ8", "カカオ9", "カカオ6", "カカオ5",
      "高カカオ", "カカオの香り", "カカオ濃度",
      -- a gun word before the copula: エアガンじゃない is no ガンジャ
      "エアガンじゃ", "モデルガンじゃ", "ガスガンじゃ", "ハンドガンじゃ", "ショットガンじゃ",
      "マシンガンじゃ", { re = [[がんじゃ(ない|ねえ|ねー|なかった|なく)]], view = "norm" },
      view = "both", weight = 0,
    },
    offer = {
      "販売", "売ります", "譲ります", "在庫", "入荷", "手渡し", "郵送", "発送",
      "配達", "即日", "即納", "取引", "宅配", "全国", "送料", "注文", "お試し",
      "リピーター", "純度", "極上", "上物", "高品質",
      -- how dealers offer without saying "sell"
      "相談のります", "相談乗ります", "探してる人", "探している人", "探してる方", "探している方",
      "欲しい人", "欲しい方", "必要な方", "回せます", "回します", "用意できます", "渡せます",
      "お渡し", "分けます", "卸します", "引けます", "まとめ買い", "値引き",
      "分けられます", "分けれます", "回してる", "回してます", "処方箋なし", "処方箋不要",
      -- in Chinese: met in person, delivered to the door, sent anonymously, purity
      "当面交易", "送货上门", "匿名寄送", "纯度",
      -- in Vietnamese: goods in, handed over, shipped discreetly
      "có hàng", "giao tận tay", "ship kín", "giao hàng", "hàng xịn",
      -- in Chinese: in stock, message me, handed over
      "有货", "现货", "出货", "私信我", "私聊", "交货", "送货上门",
      -- hand-to-hand and fast delivery offered: 手押しOK, 🤝押し, 即配
      { re = [[(手押し|🤝\s*押し)\s*(ok|可|あり|対応|🆗|&|どっち)]], view = "norm" },
      "即配", "🤝押し",
      view = "both",
    },
    -- channels that leave no trace
    secret = {
      "テレグラム", "telegram", "シグナル", "signal", "wickr", "ウィッカー", "threema",
      -- sellers' shorthand for Telegram: TG
      { re = [[(^|[^a-z])tg($|[^a-z])]], view = "norm" },
      -- テレ as short for Telegram, pointing at a handle or a message
      { re = [[てれ\s*(で|へ|に|から|まで)?\s*(連絡|dm|検索|→|⇒|:|@)]], view = "norm" },
      { re = [[連絡(は|先は?)\s*てれ($|[^ぁ-ゖ]|で|へ|に|まで)]], view = "norm" },
      -- テレのみ, テレだけ
      { re = [[(^|[^ぁ-ゖ])てれ(のみ|だけ|限定)]], view = "norm" },
      -- テレ followed by the handle itself: テレ fuyu_ice23
      { re = [[(^|[^ぁ-ゖ])てれ\s+@?[a-z][a-z0-9_]{3,}]], view = "norm" },
      -- the Session messenger, named as where to write
      { re = [[(^|[^a-z])session\s*(で|に|へ|から|の?\s*id)]], view = "norm" },
      -- a Telegram link
      { re = [[t\.me/[a-z0-9_]{3,}]], view = "norm" },
      view = "both",
    },
    contact = {
      "カカオ", "kakao", "LINE ID", "DMください", "DMで", "プロフのリンク",
      "wechat", "微信", "加微",
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      { re = [[line\s*id]], view = "norm" },
      -- a secret-chat app with the seller's handle: てれぐらむ greenleaf_kanto まで
      { re = [[(てれぐらむ|telegram|しぐなる|signal|wickr|threema|てれ)\s*(id)?\s*[:→]?\s*[a-z][a-z0-9]*[0-9_][a-z0-9_]{2,}]], view = "norm" },
      -- where to write, in the seller's words: LINEで送ります → ID, ラインまで, メールで
      { re = [[((^|[^a-z])line|らいん|めーる|いんすた|instagram|discord|でぃすこ)\s*(で|に|へ|まで|から)\s*(連絡|送|お送り|問い合わせ|お問い合わせ|dm|聞いて|教え|ご?相談|注文)]], view = "norm" },
      { re = [[[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}]], view = "norm" },
      -- orders by mail alone, by introduction, with a password: めーるのみ, 紹介者必須, 合言葉
      "メールのみ", "注文メール", "紹介者必須", "紹介制", "合言葉", "紹介のみ",
      -- the handover set in person: 駅東口のコインロッカー前、先払いで
      { re = [[(こいんろっかー|ろっかー|改札|駅[東西南北]口)[^。\n]{0,10}(前|で|に)[^。\n]{0,8}(先払い|前払い|受け渡し|手渡し|待ち合わせ)]], view = "both" },
      view = "both",
    },
    price = {
      { re = [[\d[\d,]{2,}\s*円]] },
      { re = [[\d[\d,]{2,}\s*(yen|jpy)($|[^a-z])]], view = "norm" },
      { re = [[\d+(\.\d+)?\s*万]] },
      { re = [[\d+(\.\d+)?\s*(g|ぐらむ)\s*[\d,]{3,}]] },
      { re = [[[\d,]{3,}\s*円?\s*/\s*\d*\s*(g|ぐらむ)]] },
      { re = [[[¥]\s*\d[\d,]{2,}]] },
      -- thousands as k (6k, 7.5k) and amounts in the 大字 normalization leaves
      -- (弐万, 参万五千 and 伍千 read as 20000, 35000 and 5000; 陸万 stays)
      { re = [[(^|[^a-z0-9.])\d{1,3}(\.\d)?\s*k($|[^a-z])]] },
      { re = [=[[肆陸漆捌玖]\s*[万千]]=] },
      -- a bare amount after a quantity: 1で三万 reads 1で30000
      { re = [[(で|=)\s*[1-9]\d{3,5}($|[^\d年月日時分秒件人回])]] },
      -- a menu of quantity -> amount (0.5 → 25000)
      { re = [[\d(\.\d+)?\s*(→|⇒|->)\s*[1-9]\d{3,5}($|[^\d年月日時分秒件人回])]] },
      -- grams to ten-thousands, the dealers' shorthand: 0.3→1.5 0.5→2.3 1→4
      { re = [=[(^|[^\d.])(0?\.\d|[1-9])\s*(→|⇒|->|=)\s*[1-9](\.\d)?[^\d.:/年月日時分秒件人回→⇒\n][^→⇒\n]{0,11}(0?\.\d|[1-9])\s*(→|⇒|->|=)\s*[1-9]]=] },
      -- Vietnamese sellers count in the Japanese units: 7 sen (7,000), 3 man (30,000)
      { re = [[(^|[^a-z])\d+(\.\d+)?\s*(sen|man)($|[^a-z])]], view = "norm" },
    },
    -- how news, police and prevention campaigns write about drugs
    context = {
      "容疑者", "容疑で", "疑いで", "逮捕された", "逮捕しました", "逮捕され",
      "書類送検", "送検", "県警", "府警", "警視庁", "署によると", "押収", "起訴",
      "判決", "報道", "記者", "危険性", "乱用防止", "ダメ。ゼッタイ。", "相談窓口",
      "啓発", "依存症", "回復支援", "厚生労働省", "注意喚起", "隠語", "手を出さない",
      "絶対にダメ", "麻薬取締部", "麻薬取締官", "医療用",
      -- a recovering user's own story: the rehabilitation centre, the days clean
      "ダルク", "DARC", "断薬", "使っていた頃", "使ってた頃", "クリーンタイム", "自助グループ",
      "回復中", "薬物依存", "やめ続けて",
      -- a court report reading out the seller's posts
      "被告人", "検察官", "弁護人", "求刑", "傍聴", "公判", "罪名", "初公判",
      -- pharmacies and doctors naming sedatives by brand
      "薬局", "薬剤師", "医師の処方", "違法です",
      view = "both", weight = 0,
    },
    -- a seller turning police and press away (警察・記者お断り) is no news page
    refuse = {
      { re = [[(警察|記者|報道|まとり|関係者)[^。\n]{0,10}(お断り|おことわり|ng|禁止|厳禁|不可)]], view = "norm" },
      weight = 0,
    },
    -- shops, farms and kitchens
    everyday = {
      "ジェラート", "ソフトクリーム", "フレーバー", "バニラ", "抹茶", "営業時間",
      "定休日", "店舗", "レシピ", "材料", "作り方", "大さじ", "小さじ", "農園",
      "直売所", "産地直送", "農家", "収穫", "ネックレス", "アクセサリー", "天然石",
      "パワーストーン", "ガラス", "税込", "送料無料", "クール便", "詰め合わせ",
      "肥料", "ギフト", "ゲーム", "攻略", "RMT", "中古", "レコード", "ウサギ", "ペット",
      "食べ放題", "ワイン", "井戸", "寿司", "予約",
      -- mineral specimens (氷のような水晶) are sold by the gram and in small bags
      "水晶", "鉱物", "原石", "標本", "ミネラルショー",
      view = "both", weight = 0,
    },
    -- reviews and fiction retell a dealer's story
    fiction = {
      "映画", "主人公", "登場人物", "劇中", "作中", "あらすじ", "ネタバレ", "監督",
      "小説", "ドラマ", "原作", "感想",
      view = "both", weight = 0,
    },
    -- products sold as legal or not for human use: dangerous_drug_ad's case
    legalhigh = {
      "合法ハーブ", "脱法", "人体摂取不可", "観賞用", "お香として", "規制前", "新成分",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m, blk)
      -- the page's own address is no price (a board thread's ?id=10000)
      m.price = lib.said(m.price)
      -- a seller's post quoted whole in a report (「…郵送は全国 質問はテレで」
      -- read out in court, cited in the news) is mentioned, not made
      m.offer = lib.unquoted(page, m.offer)
      m.price = lib.unquoted(page, m.price)
      m.contact = lib.unquoted(page, m.contact)
      local drug = lib.outside(m.drug, m.food)
      -- a CBD shop names its flowers after the same strains
      -- (unless the seller says it sells what CBD is not)
      if lib.any(m.cbd) and lib.none(m.illicit) then drug = lib.outside(drug, m.strain) end
      if #drug == 0 then return 0 end
      -- m.secret is the whole page's: a menu line pricing a drug named outright
      -- may name its secret-chat app in another paragraph of the same page
      local secret_here = lib.in_block(m.secret, blk.id)
      local channel = lib.outside(lib.merge(secret_here, m.contact), m.food)
      -- everyday slang alone (野菜, アイス) needs a channel to reach the seller
      local clear = lib.outside(drug, m.slang)
      if #channel == 0 and lib.near(clear, m.price, 40) then
        channel = lib.not_boilerplate(m.secret)
      end
      if #clear == 0 and #channel == 0 then return 0 end
      -- legal-high products are dangerous_drug_ad's case
      if lib.any(m.legalhigh) and #clear == 0 then return 0 end
      -- the drug word plus at least two of: an offer, a channel, a price
      if lib.signals(m.offer, channel, m.price) < 2 then return 0 end
      local s = lib.combine{ drug, m.offer, channel, m.price }
      -- several different drug words make it surer
      s = lib.clamp(s + 0.05 * (lib.distinct(drug) - 1))
      -- the trained model as a supporting signal: a post it reads as a drug ad
      -- is surer before the guards below weigh it (it never clears one)
      s = lib.model_support(s, page, blk, "drug_ad")
      -- news and prevention pages quote the same words
      local ctxm = lib.outside(m.context, m.refuse)
      local ctx = lib.distinct(ctxm)
      if ctx >= 2 then return 0 end
      -- one such word dampens only next to the drug words: in a one-block
      -- board log, another poster's "違法です" further down is no news page
      if ctx == 1 and #lib.within(ctxm, drug, 100) > 0 then s = s * 0.6 end
      -- a film or novel review: two fiction words in the block, no seller's channel
      if lib.distinct(m.fiction) >= 2 and lib.none(m.contact) then return 0 end
      -- a shop or a recipe, unless it sends buyers to a secret-chat app
      local daily = lib.distinct(m.everyday) + (lib.any(m.food) and 1 or 0)
      -- (a vegetable stand that lists strains and THC is a grower's menu)
      local grower = lib.distinct(m.strain) >= 2 and (lib.none(m.cbd) or lib.any(m.illicit))
      if daily >= 2 and lib.none(secret_here) and not grower then return 0 end
      -- show the drug word that sits next to a channel or a price
      local ev = lib.near(drug, channel, 133) or lib.near(drug, m.price, 133) or drug[1]
      return s, lib.evidence(page, ev, 40)
    end, { page = { "secret", "strain", "cbd", "illicit" } })
  end,
}
