-- prostitution_solicitation.lua - soliciting paid sex (売春防止法 第5条 誘引).
--
-- The posts use paid-sex code (ホ別, ホ込, 割り切り, 大人の関係, 苺 for
-- 15,000 yen), a price and a meeting: a station, 今から, a hotel, a channel.
-- Many code words are everyday words elsewhere: 苺 and イチゴ on farms,
-- 穂別 is a place, 即アポ is sales talk, 本番 is a performance, ホテル代別 is
-- tour pricing. So the rule wants one unambiguous code word, or two of the
-- ambiguous ones, plus a price and a meeting or a channel; news, support,
-- travel, farm and shop wording switches it off. Posts naming a minor's
-- age are child_solicitation's case and are left to that rule.

return {
  name = "prostitution_solicitation.paid_meeting",
  category = "prostitution_solicitation",
  author = "patrol",
  description = "paid-sex code words with a price and a meeting or a contact",
  references = {
    "売春防止法 第5条（勧誘等）",
    "インターネット・ホットラインセンター 運用ガイドライン（売春目的等の誘引）",
  },
  version = 1,
  threshold = 0.65,
  triggers = { { "code", "weak" }, { "meet", "contact" } },

  patterns = {
    -- unambiguous paid-sex code
    code = {
      "ホ別", "ホテ別", "ほべつ", "ホ込", "ホテル代別", "割り切り", "わりきり", "割切り",
      "大人の関係", "大人の付き合い", "大人あり", "大人有", "大人P", "援交", "援助交際",
      "本番OK", "本番可", "ゴム無し", "ゴムなし",
      view = "both",
    },
    -- code words that are everyday words elsewhere
    weak = {
      "苺", "イチゴ", "穂別", "即アポ", "即会い", "本番あり", "ゴムあり", "ゴム有",
      "お手当", "諭吉", "円光", "条件", "泊まり",
      { re = [[さぽ($|[^ーぽ])]], view = "norm" },
      view = "both",
    },
    -- compounds that make a weak word plainly innocent
    innocent = {
      "割り切り価格", "割り切り料金", "割り切りプラン", "円光寺", "大人料金", "大人1名", "大人1人", "大人向け", "大人気", "大人数",
      "大人っぽ", "大人の方", "大人の休日", "大人のための", "大人の階段", "イチゴ狩り",
      "いちご狩り", "苺狩り", "条件付き", "応募条件", "利用条件", "条件を満たす", "お泊まり会",
      view = "both", weight = 0,
    },
    price = {
      { re = [[\d+(\.\d+)?\s*万]] },
      { re = [[\d[\d,]{3,}\s*円]] },
      -- 2万 and 1.5万 read 20000 and 15000 in the norm view
      { re = [[(^|[^0-9.,])[1-9]\d?000($|[^0-9])]] },
      { re = [[[¥]\s*\d]] },
      { re = [[(ほ別|ほてる代別|ほ込み?|ほべつ|穂別|大人p?|1回|諭吉)\s*\d(\.\d)?]], view = "norm" },
      { re = [[\d(\.\d)?\s*(ほ別|ほ込)]], view = "norm" },
      { re = [[(ほ別|ほ込み?|ほべつ|穂別|大人p?)\d]], view = "squeezed" },
      "苺", "イチゴ", "諭吉",
    },
    meet = {
      "会える", "会いませんか", "会いたい", "会ってくれる", "今から", "今日", "今夜",
      "待ち合わせ", "駅", "ホテル", "ラブホ", "即会い", "すぐ会", "迎え", "現地",
      "平日", "週末", "仕事帰り", "車で", "エリア", "近郊", "周辺", "泊まり",
      view = "both",
    },
    contact = {
      "カカオ", "kakao", "テレグラム", "DMください", "DMで", "DMまで", "LINE ID",
      "ラインで", "プロフ", "メッセ", "連絡",
      { re = [[(^|[^a-z])dm($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      { re = [[line\s*id]], view = "norm" },
      view = "both",
    },
    -- an age that makes it child_solicitation's case
    minor = {
      "JC", "JK", "女子中学生", "女子高生", "中学生", "高校生", "小学生", "未成年",
      "18歳未満", "年齢確認なし", "中学", "高校", "小学", "現役JK", "現役JC", "制服",
      "神待ち", "家出", "ロリ",
      "中一", "中二", "中三", "高一", "高二", "高三",
      { re = [[(^|[^最])(中|高)\s*[1-3]($|[^0-9])]], view = "norm" },
      { re = [[小\s*[1-6]($|[^0-9])]], view = "norm" },
      { re = [[(^|[^a-z])(jc|jk|js)($|[^a-z])]], view = "norm" },
      { re = [[(^|[^0-9])(1[0-7]|[5-9])\s*(歳|さい|才)]], view = "norm" },
      view = "both", weight = 0,
    },
    -- news, law, support, travel, farms, shops, dating services, events
    guard = {
      "逮捕", "容疑", "疑いで", "県警", "府警", "警視庁", "書類送検", "判決", "報道",
      "売春防止法", "相談", "支援", "保護", "被害", "防止", "啓発", "注意", "NPO",
      "宿泊", "予約", "チェックイン", "1泊", "朝食", "ツアー", "旅行", "添乗員", "税込",
      "入場料", "入館料", "入園料", "小人", "営業時間", "収穫", "農園", "直売", "パック",
      "届出", "本番行為", "本人確認", "年齢確認", "利用規約", "マッチングアプリ",
      "保健所", "検査", "チケット", "会場", "リハーサル", "営業代行", "アポ獲得",
      "ヘアゴム", "ゴム紐", "いちご狩り", "イチゴ狩り", "苺狩り", "ディナー", "博物館", "拝観", "ドラマ", "レビュー", "小説",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      if lib.any(m.minor) then return 0 end
      local weak = lib.outside(m.weak, m.innocent)
      local code = lib.outside(m.code, m.innocent)
      if #code == 0 and lib.distinct(weak) < 2 then return 0 end
      if lib.none(m.meet, m.contact) then return 0 end
      local s
      if lib.any(m.price) then
        s = 0.6 + 0.1 * lib.signals(m.meet, m.contact)
      elseif #code > 0 and lib.all(m.meet, m.contact) then
        s = 0.65  -- the code word, a place or a time, and a channel: the price is left to the chat
      else
        return 0
      end
      s = s + 0.05 * math.min(lib.distinct(code, weak) - 1, 2)
      local g = lib.distinct(m.guard)
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.6 end
      local key = lib.merge(code, weak)
      local ev = lib.near(key, m.price, 40) or key[1]
      return lib.clamp(s), lib.evidence(page, ev, 40)
    end)
  end,
}
