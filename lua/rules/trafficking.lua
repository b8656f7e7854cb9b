-- trafficking.lua - people or organs offered for sale (人身売買・臓器売買).
--
-- The posts sell or buy a kidney (腎臓売ります, ドナー 謝礼), broker
-- transplants abroad for cash, or offer a baby, a child or a woman for a
-- price. Organ-donation information (意思表示カード, 移植ネットワーク),
-- licensed adoption, news, NGOs, fiction, pet shops, baby-goods resale and
-- butchers use the same words, so the rule wants the organ or the person as
-- the object of a sale (腎臓を売る, 赤ちゃん売ります) or a donor next to a
-- payment, together with a price or a channel; donation, adoption, news,
-- fiction and shop wording switches it off.

return {
  name = "trafficking.people_organs_for_sale",
  category = "trafficking",
  author = "patrol",
  description = "organs, babies, children or adults offered or wanted for money",
  references = {
    "臓器の移植に関する法律 第11条（臓器売買等の禁止）",
    "刑法 第226条の2（人身売買）",
  },
  version = 1,
  threshold = 0.65,
  triggers = { { "organ_sale", "person_sale", "person_handover", "organ", "broker" }, { "pay", "contact" } },

  patterns = {
    -- an organ as the object of a sale
    organ_sale = {
      { re = [[(臓器|腎臓|肝臓|角膜|心臓|眼球|片腎|腎)(を|の|は|も)?\s*(売ります|売る|売った|売れます|売れる|売買|売りたい|売り渡|売却|譲ります|譲る|譲渡|買い取|買取|買います|買いたい|買う人|買ってくれ|取引|販売|斡旋|仲介|値段|相場)]], view = "both" },
      { re = [[(売|買)(れる|える|り|い)?(ます|たい)?[^\n]{0,6}(臓器|腎臓|肝臓|角膜)]], view = "norm" },
      "臓器ブローカー", "臓器売買の仲介", "臓器売買を仲介", "移植ツアー",
      view = "both",
    },
    organ = {
      "臓器", "腎臓", "肝臓", "角膜", "心臓", "骨髄", "眼球", "片腎",
      view = "both",
    },
    donor = {
      "ドナー", "提供者", "提供してくれる", "提供できる", "移植", "適合",
      view = "both",
    },
    -- a person as the object of a sale
    person_sale = {
      -- 人間 but not 個人間 (【個人間】譲ります: a board for trades between individuals)
      { re = [[(赤ちゃん|赤ん坊|乳児|新生児|子供|子ども|こども|娘|息子|女の子|男の子|少女|少年|女性|嫁|妻|(^|[^個])人間|奴隷)(を|は|も)?\s*(売ります|売る|売った|売れます|売れる|売買|売りたい|売り渡|売却|譲ります|譲る|譲渡|買い取|買取|買います|買いたい|買う人|買ってくれ|引き渡|渡します|値段|値付け|高額で)]], view = "both" },
      "人身売買の仲介", "人身売買を仲介", "人身売買します", "養子あっせん謝礼",
      view = "both",
    },
    -- a child handed over further on in the sentence: needs a payment
    person_handover = {
      { re = [[(赤ちゃん|赤ん坊|子ども|子供|こども|新生児|乳児|娘|息子)を[^\n。]{0,20}(譲ります|売ります|引き取ってくれる人|買ってくれる人|もらってくれる人|引き取ってくれる方|買ってくれる方)]], view = "norm" },
    },
    broker = {
      "人身売買", "臓器売買", "仲介します", "仲介", "手配します", "斡旋します", "斡旋",
      "承ります", "引き渡し", "海外で",
      view = "both",
    },
    pay = {
      "謝礼", "お礼", "報酬", "高額", "現金", "即金", "相場",
      { re = [[\d+(\.\d+)?\s*万]], view = "norm" },
      { re = [[\d[\d,]{3,}\s*円]], view = "norm" },
      { re = [[[¥$]\s*\d[\d,]*]], view = "norm" },
      { re = [[\d[\d,]*\s*(どる|元|usd)]], view = "norm" },
      view = "both",
    },
    contact = {
      "テレグラム", "telegram", "シグナル", "signal", "カカオ", "ジェン", "wechat",
      "DMください", "DMで", "DMまで", "連絡ください", "連絡は", "秘密厳守", "メールで",
      { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      view = "both",
    },
    -- donation, adoption, medicine, news, NGOs, fiction, shops
    guard = {
      "意思表示", "移植ネットワーク", "脳死", "移植医療", "厚生労働省", "啓発", "透析",
      "生体腎移植", "病院", "主治医", "学会", "逮捕", "容疑", "報道", "県警", "判決",
      "国連", "NGO", "支援", "被害者", "撲滅", "根絶", "防止", "映画", "小説", "主人公",
      "あらすじ", "ドラマ", "漫画", "歴史", "奴隷制", "特別養子縁組", "児童相談所",
      "許可", "リボーンドール", "人形", "ぬいぐるみ", "フィギュア", "子犬", "子猫", "譲渡会", "保護犬", "保護猫", "里親",
      "ブリーダー", "ペット", "キャットフード", "ドッグフード", "療法食", "焼肉",
      "ホルモン", "レバー", "食材", "精肉", "人材紹介", "派遣", "職業紹介", "骨髄バンク",
      "ドナー登録", "献血", "記事", "調査", "法律で禁止", "禁止されています", "犯罪です",
      "違法", "懲役", "事件", "ニュース", "起訴", "相談窓口", "ゲーム", "用品", "ベビー服",
      "おもちゃ", "中古", "出産祝い", "講義", "授業", "研究", "判例", "保険適用",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      local s, ev = 0, nil
      local channel = lib.any(m.pay, m.contact)
      if #m.organ_sale > 0 and channel then
        s = 0.75 + 0.1 * (lib.signals(m.pay, m.contact) - 1)
        ev = m.organ_sale[1]
      elseif #m.person_sale > 0 and channel then
        s = 0.75 + 0.1 * (lib.signals(m.pay, m.contact) - 1)
        ev = m.person_sale[1]
      elseif #m.person_handover > 0 and lib.any(m.pay) then
        s = 0.7 + 0.1 * lib.signals(m.contact)
        ev = m.person_handover[1]
      else
        -- a donor found for money, or a broker offering the trade
        local o, d = lib.near(m.organ, m.donor, 30)
        if o and lib.near(m.donor, m.pay, 40) and lib.any(m.contact) then
          s = 0.75
          ev = lib.span(o, d)
        elseif lib.any(m.broker) and (lib.has(m.broker, "人身売買") or lib.has(m.broker, "臓器売買"))
            and lib.distinct(m.broker) >= 2 and lib.all(m.pay, m.contact) then
          s = 0.7
          ev = lib.first(m.broker)
        end
      end
      if s == 0 then return 0 end
      local g = lib.distinct(m.guard)
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.7 end
      return lib.clamp(s), lib.evidence(page, ev, 40)
    end)
  end,
}
