-- drug_incitement.lua - urging others to use controlled drugs
-- (規制薬物の濫用のあおり・唆し).
--
-- What is taken down is the urging: 吸ってみなよ, キメようぜ, みんなでやろう,
-- usually with a claim that it is harmless (酒より安全, 依存性ない, バレない).
-- Prevention campaigns quote exactly those claims to refute them; recovery
-- stories, film reviews, medical pages about opioids, policy debates and
-- news use the drug names; 野菜, アイス and ハッパ are food and idioms. So
-- the rule wants a drug name (slang only next to a way of taking it), an
-- urging phrase near it, and a harmlessness claim or a second urging
-- phrase; campaign, medical, fiction, debate and news wording switches it
-- off, and a page that sells the drug is left to drug_ad.

return {
  name = "drug_incitement.urging_use",
  category = "drug_incitement",
  author = "patrol",
  description = "others urged to use controlled drugs, with claims they are harmless",
  references = {
    "麻薬及び向精神薬取締法 第68条（あおり・唆し）",
    "大麻草の栽培の規制に関する法律、覚醒剤取締法（あおり・唆し）",
    "インターネット・ホットラインセンター 運用ガイドライン（規制薬物の濫用のあおり・唆し）",
  },
  version = 1,
  threshold = 0.7,
  triggers = { { "drug", "slang" }, "urge" },

  patterns = {
    drug = {
      "大麻", "マリファナ", "ガンジャ", "覚醒剤", "覚せい剤", "シャブ", "コカイン", "MDMA",
      "エクスタシー", "LSD", "ヘロイン", "マジックマッシュルーム", "ハシシ",
      { "ケタミン", view = "norm" }, { "バッズ", view = "norm" }, { "ジョイント", view = "norm" },
      view = "both",
    },
    -- words that hold a drug name without meaning the drug
    notdrug = {
      "しゃぶしゃぶ", "シャブリ", "ジョイントマット", "ジョイントベンチャー", "エステ",
      "エスカレーター", "エスプレッソ", "エスニック", "エスコート",
      view = "both", weight = 0,
    },
    -- slang that names a drug only next to a way of taking it
    slang = {
      { re = [[(野菜|手押し|あいす|草|くさ|ねた|冷たいの|はっぱ)(を|で|は|も)?(吸|炙|あぶ|巻|打|きめ|決め)]], view = "squeezed" },
      view = "squeezed",
    },
    urge = {
      "吸おう", "吸ってみ", "吸いなよ", "吸っちゃえ", "吸え", "吸うべき", "やろうぜ",
      "やろうよ", "やってみな", "やってみて", "やってみろ", "やるべき", "試してみな",
      "試してみて", "試してみろ", "試してみ？", "試そう", "キメよう", "キメようぜ", "キメろ",
      "キメな", "キメちゃえ", "炙ろう", "打とう", "一緒にキメ", "一緒にやろう",
      "手を出してみ", "デビューしよう", "やったほうがいい", "やった方がいい", "経験すべき",
      "やらないと損", "食ってみ", "やっちゃえ", "やれよ", "吸えよ",
      view = "both",
    },
    -- words that strengthen an urging phrase but urge nothing alone
    urge2 = {
      "みんなも", "みんなで", "お前も", "お前らも", "一度は", "一回は", "人生損", "おすすめ",
      "オススメ", "絶対",
      view = "both",
    },
    -- one's own wish or experience is not urging others
    self = {
      "やってみたい", "吸ってみたい", "試してみたい", "やってみた", "吸ってみた",
      "試してみた", "やってみたら",
      view = "norm", weight = 0,
    },
    harmless = {
      "安全", "依存性ない", "依存性はない", "依存性がない", "依存しない", "依存性なし",
      "害はない", "害がない", "害ない", "無害", "体にいい", "健康にいい", "酒より",
      "タバコより", "バレない", "捕まらない", "大丈夫", "平気", "最高", "気持ちいい",
      "ハッピー", "海外では合法", "合法の国", "みんなやってる", "問題ない", "問題なし",
      "一回くらい", "1回くらい", "一回だけ", "ただの植物", "自然のもの", "人生変わる",
      "痩せる", "やせる", "集中できる", "怖くない",
      view = "both",
    },
    -- selling is drug_ad's case
    sale = {
      "販売", "売ります", "譲ります", "在庫", "入荷", "手渡し", "郵送", "発送",
      { re = [[\d[\d,]{2,}\s*円]] },
      { re = [[\d+(\.\d+)?\s*(g|ぐらむ)\s*[\d,]{3,}]] },
      view = "both", weight = 0,
    },
    -- campaigns, recovery, medicine, fiction, debate, news
    guard = {
      "ダメ。ゼッタイ。", "断ろう", "断る", "断り方", "誘われても", "誘われたら", "言われたら",
      "嘘", "ウソ", "だまされ", "騙され", "危険性", "依存症", "乱用防止", "相談窓口",
      "啓発", "厚生労働省", "警察", "逮捕", "容疑", "報道", "判決", "供述", "医療用麻薬",
      "モルヒネ", "オピオイド", "緩和ケア", "医師", "処方", "疼痛", "ハームリダクション",
      "保健所", "精神保健福祉センター", "回復", "ダルク", "支援", "映画", "小説", "ドラマ",
      "主人公", "作品", "レビュー", "あらすじ", "漫画", "登場人物", "合法化", "署名",
      "議論", "政策", "法改正", "非犯罪化", "論文", "研究", "桁", "料理", "レシピ",
      "スイーツ", "ブリュレ", "バーナー", "授業", "講演", "薬物乱用", "恐ろしさ", "怖さ",
      "危ない", "危険", "考えよう", "学ぼう",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      local drug = lib.merge(lib.outside(m.drug, m.notdrug), m.slang)
      if #drug == 0 then return 0 end
      local urge = lib.outside(m.urge, m.self)
      local d, u = lib.near(drug, urge, 100)
      if not d then return 0 end
      local s = 0.55
      if lib.distinct(urge, m.urge2) >= 2 then s = s + 0.15 end
      if lib.any(m.harmless) then s = s + 0.2 end
      if lib.count(m.sale) >= 2 then return 0 end
      local g = lib.distinct(m.guard)
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.7 end
      return lib.clamp(s), lib.evidence(page, lib.span(d, u), 40)
    end)
  end,
}
