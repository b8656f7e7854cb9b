-- phone_trade.lua - phones, SIM cards and numbers handed over for money
-- (携帯電話等の無断有償譲渡等の誘引).
--
-- Buyers pay people to sign a new contract and pass on the phone or SIM
-- (回線買取, 契約するだけ), sell lines that cannot be traced to the user
-- (飛ばし携帯), or rent out numbers for SMS verification (SMS認証代行).
-- Carrier shops, MVNO offers, used-phone buyers (SIMフリー iPhone 買取) and
-- warnings about the law use the same nouns, so the rule wants a line word
-- next to a trade word plus a sign that the contract itself is being passed
-- on, or a word that only names the illegal trade, together with a price or
-- a channel. Shop, plan and warning wording switches it off.

return {
  name = "phone_trade.line_handover",
  category = "phone_trade",
  author = "patrol",
  description = "phone contracts, SIM cards or numbers bought, sold or rented out",
  references = {
    "携帯音声通信事業者による契約者等の本人確認等及び携帯音声通信役務の不正な利用の防止に関する法律 第20条・第23条",
  },
  version = 1,
  threshold = 0.6,
  triggers = { { "strong", "semi", "line" }, { "pay", "contact" } },

  patterns = {
    -- words that only name the illegal trade
    strong = {
      "飛ばし携帯", "飛ばしケータイ", "飛ばしスマホ", "飛ばしSIM", "飛ばしの携帯", "飛ばしのスマホ",
      "飛ばし回線", "飛ばし番号", "SMS認証代行", "SMS認証用", "認証用番号", "認証用の番号",
      "認証用SIM", "受信代行", "SMS受信代行", "契約するだけ", "契約してくるだけ", "契約して送るだけ",
      "契約して郵送", "契約したスマホを", "契約した携帯を", "契約した回線を",
      "他人名義の携帯", "他人名義のSIM", "他人名義のスマホ", "他人名義の回線",
      "名義貸し", "携帯契約代行",
      view = "both",
    },
    -- trade words that shops use too: they need a sign of a handed-over contract
    semi = {
      "回線買取", "回線買い取り", "回線売ります", "SIM買取", "SIMカード買取", "SIM買います",
      "SIMカード買います", "SIM売ります", "携帯買取", "スマホ買取", "回線レンタル",
      "携帯レンタル", "SIMレンタル",
      view = "both",
    },
    -- longer words that make a strong word part of an ordinary offer
    shop = {
      "中古スマホ買取", "中古携帯買取", "スマホ買取店", "携帯買取店", "スマホ買取専門",
      "携帯買取専門", "海外用SIMレンタル", "WiFiレンタル", "Wi-Fiレンタル",
      "ポケットWiFi", "レンタル携帯電話", "海外旅行",
      view = "both", weight = 0,
    },
    line = {
      "SIM", "回線", "携帯", "スマホ", "電話番号", "ガラケー", "iPhone",
      "アイフォン", "端末", "新規契約", "音声通話", "050", "プリペイド",
      view = "both",
    },
    -- SIMフリー and SIMロック are about the handset, not the line
    handset = {
      "SIMフリー", "SIMロック", "SIMなし", "SIMトレイ", "SIMピン",
      view = "both", weight = 0,
    },
    trade = {
      "買取", "買い取り", "買い取ります", "買います", "売ります", "売って", "譲ります",
      "譲渡", "売買", "貸します", "貸して", "レンタル", "現金化", "売れます", "売りたい",
      "代行", "提供します", "販売", "お譲り", "引き渡", "渡すだけ", "渡して",
      view = "both",
    },
    -- the contract or the line itself is what changes hands
    handover = {
      "名義", "契約するだけ", "契約して", "契約した", "新規契約", "開通済", "契約済",
      "身分証不要", "本人確認不要", "本人確認なし", "本人確認無し", "審査なし", "足がつかない",
      "バレない", "使い捨て", "SMS認証", "SMS受信", "認証コード", "飛ばし", "1回線",
      "何回線でも", "複数回線", "郵送するだけ", "送るだけ", "即開通", "転売",
      "SMSが受け取れる", "SMSを受け取れる", "認証に使え", "認証用", "ブラックOK",
      view = "both",
    },
    pay = {
      "即金", "即日現金", "報酬", "謝礼", "高額", "高価",
      { re = [[\d+(\.\d+)?\s*万]], view = "norm" },
      { re = [[\d[\d,]{2,}\s*円]], view = "norm" },
      { re = [[[¥]\s*\d[\d,]{2,}]], view = "norm" },
      view = "both",
    },
    contact = {
      "テレグラム", "telegram", "シグナル", "カカオ", "ジェン", "DMください", "DMで",
      "DMまで", "連絡ください", "連絡は",
      { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      view = "both",
    },
    -- carrier shops, MVNO offers, used-phone buyers, warnings and news
    guard = {
      "料金プラン", "月額", "機種変更", "乗り換え", "MNP", "店頭", "ショップ",
      "古物商", "査定", "ネットワーク利用制限", "初期化", "買取価格", "データ消去",
      "携帯電話不正利用防止法", "不正利用防止法", "違反", "逮捕", "容疑", "犯罪です",
      "注意", "総務省", "懲役", "罰金", "届かない", "再送", "お客様", "お客さま",
      "税込", "送料無料", "解約", "キャンペーン", "事務手数料", "公式", "判決",
      "記事", "書類送検", "ヘルプ", "よくある質問", "設定方法", "店舗",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      -- (a help page's 「名義貸し」と称する場合でも names the word, it offers nothing)
      local strong = lib.unquoted(page, lib.outside(m.strong, m.shop))
      local semi = lib.unquoted(page, lib.outside(m.semi, m.shop))
      local line = lib.outside(lib.outside(m.line, m.handset), m.shop)
      local s = 0
      local ev
      if #strong > 0 and lib.any(m.pay, m.contact) then
        s = 0.8 + 0.1 * (lib.signals(m.pay, m.contact) - 1)
        if lib.any(m.handover) then s = s + 0.1 end
        ev = strong[1]
      elseif #semi > 0 and lib.any(m.handover) and lib.any(m.pay, m.contact) then
        s = 0.75 + 0.1 * (lib.signals(m.pay, m.contact) - 1)
        ev = semi[1]
      else
        local l, t = lib.near(line, m.trade, 20)
        if l and lib.any(m.handover) and lib.all(m.pay, m.contact) then
          s = 0.75 + 0.05 * math.min(lib.distinct(m.handover) - 1, 3)
          ev = lib.span(l, t)
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
