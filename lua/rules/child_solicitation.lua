-- child_solicitation.lua - soliciting minors for sex or paid dates
-- (出会い系サイト規制法の禁止誘引行為, 児童の性的勧誘).
--
-- The posts name an age (JK, 中2, 15歳), paid-date wording or a price
-- (苺 = 1.5万, ホ別) and a meeting. Prevention pages for parents, news,
-- cram schools and uniform shops name ages and prices too, so the rule wants
-- an age with paid-date wording, or an age with both a price and a meeting,
-- and school, shop or prevention wording switches it off.

return {
  name = "child_solicitation.age_price_meeting",
  category = "child_solicitation",
  author = "patrol",
  description = "a minor's age offered with paid-date terms, a price and a meeting",
  references = {
    "インターネット異性紹介事業を利用して児童を誘引する行為の規制等に関する法律 第6条",
    "児童買春、児童ポルノに係る行為等の規制及び処罰並びに児童の保護等に関する法律",
  },
  version = 1,
  threshold = 0.65,
  requires = { "age" },

  patterns = {
    age = {
      "JC", "JK", "女子中学生", "女子高生", "中学生", "高校生", "小学生",
      "未成年", "現役JK", "現役JC", "制服デート", "ロリ", "18歳未満", "年齢確認なし",
      { "中1", view = "norm" }, { "中2", view = "norm" }, { "中3", view = "norm" },
      { "高1", view = "norm" }, { "高2", view = "norm" }, { "高3", view = "norm" },
      { re = [[1[2-7]\s*(歳|さい)]], view = "norm" },
      view = "both",
    },
    paid = {
      "援交", "援助交際", "円光", "パパ活", "ママ活", "割り切り", "お小遣いくれる",
      "お小遣い欲しい", "お小遣いほしい", "サポ", "苺", "ホ別", "ゴムあり", "ゴム有",
      "大人の関係", "条件あり", "P活", "お泊まり", "穂別", "大人あり",
      view = "both",
    },
    price = {
      { re = [[\d+(\.\d+)?\s*万]] },
      { re = [[\d[\d,]{3,}\s*円]] },
      { re = [[[¥]\s*\d[\d,]{3,}]] },
    },
    meet = {
      "会える", "会いたい", "会いませんか", "待ち合わせ", "今から会", "ホテル",
      "お泊まり", "迎えに来", "迎えに行", "会ってくれる",
      view = "both",
    },
    contact = {
      { re = [[(^|[^a-z])dm($|[^a-z])]], view = "norm" },
      "カカオ", { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      "連絡", "駅", "今日", "今から", "放課後",
      view = "both",
    },
    -- prevention, news, schools and shops
    guard = {
      "補導", "被害", "防止", "逮捕", "容疑", "啓発", "保護者", "児童買春",
      "条例", "フィルタリング", "相談窓口", "警察", "トラブル", "犯罪です",
      "入試", "学習塾", "部活動", "授業", "受験", "学校説明会", "教育委員会",
      "講習", "受講", "教室", "成績", "月謝", "税込", "送料", "店舗", "相場",
      "調査", "平均", "アンケート",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    local s = 0
    if lib.any(m.paid) then
      s = 0.7 + 0.1 * lib.signals(m.price, m.meet, m.contact)
    elseif lib.all(m.price, m.meet) then
      s = 0.7
    end
    if s == 0 then return 0 end
    local g = lib.distinct(m.guard)
    if g >= 2 then return 0 end
    if g == 1 then s = s * 0.6 end
    local ev = lib.near(m.age, m.paid, 200) or lib.near(m.age, m.price, 200) or m.age[1]
    return lib.clamp(s), lib.evidence(page, ev, 40)
  end,
}
