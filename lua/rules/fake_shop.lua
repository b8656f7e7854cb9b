-- fake_shop.lua - fake shopping sites (偽ショッピングサイト).
--
-- The sites copy a brand's goods at impossible discounts, take only a bank
-- transfer to an account in a private person's name, read as machine
-- translation (odd politeness, simplified Chinese characters) and show no
-- company, address or seller licence. Real shops run sales and accept bank
-- transfers too, but among cards and convenience-store payment and under a
-- 特定商取引法 page; consumer warnings list every sign. So the rule wants a
-- deep discount with transfer-only payment, and at least one more sign
-- (a personal account name, translated wording, no company details).

-- cards refused "for now" (システム障害の為クレジットカード決済は只今ご利用出来ません)
-- and cash on delivery stopped: a payment term, and the mark of a shop taking
-- transfers only
local cards_refused = {
  re = [[(かーど|くれじっと)[^。\n]{0,20}(ご?利用(出来|でき|いただけ)ません|使用(することが)?できません|使えません|停止中|めんてなんす中|不可)]],
  view = "norm",
}
local cod_stopped = {
  re = [[(代金引換|代引き?)[^。\n]{0,10}(停止中|休止中|ご利用いただけません|不可|お受けできません)]],
  view = "norm",
}
-- grammar no Japanese writer gets wrong (doubled or broken politeness): the
-- sure marks of machine translation, and part of the translated wording too
local broken_1 = { re = [[(いた|致)します(いた|致)します]], view = "norm" }
local broken_2 = { re = [[ください(下さい|ください)]], view = "norm" }
local broken_3 = { re = [[(する|ある|提供する|届ける)です]], view = "norm" }
-- a bank transfer rewarded with a further cut: 銀行振込で更に5%割引
local transfer_cut = {
  re = [[(銀行)?振り?込み?(のみ)?(で|なら|の場合|のお客様|払い)(は)?[^。\n]{0,4}(さらに|更に|もう)?\s*\d{1,2}\s*(%|ぱーせんと)\s*(引|割引|おふ|off|値引)]],
  view = "norm",
}

-- company words that are only the headings of a shop's footer links, which
-- every shop has (fake ones too): no company details on their own
local heading = { ["会社概要"] = true, ["特定商取引法"] = true, ["特商法"] = true, ["運営会社"] = true }

return {
  name = "fake_shop.discount_transfer_only",
  category = "fake_shop",
  author = "patrol",
  description = "deep discounts, bank transfer to a personal account only, translated Japanese, no company",
  references = {
    "特定商取引に関する法律 第11条（通信販売についての広告）",
    "消費者庁・国民生活センター 偽サイトに関する注意喚起",
  },
  version = 1,
  threshold = 0.8,
  triggers = { { "discount", "yen", "payment", "transfer" }, "shop" },

  patterns = {
    discount = {
      { re = [[[5-9]\d\s*%?\s*(off|おふ|引|割引)]], view = "both" },
      { re = [[[5-9]\s*割\s*(引|off|おふ)]], view = "both" },
      "激安", "超激安", "破格", "半額以下", "在庫一掃", "閉店セール", "閉店処分",
      "大特価", "赤字覚悟", "爆安", "投げ売り", "特価処分", "最安値保証", "原価以下",
      "全品半額", "限定特価", "在庫処分", "最終処分", "売り尽くし", "本日限りの特別価格",
      "定価以下",
      { re = [[(定価|正規価格|通常価格|店頭価格|市場価格)の?\s*(半額|半値)]], view = "norm" },
      { re = [[最大\s*[5-9]\d\s*%]], view = "norm" },
      { re = [[[5-9]\d\s*%\s*(おふ|off|引き|値引)]], view = "norm" },
      -- the price as a fraction of the real one: 定価の1/20, 正規の10分の1, 定価の1割以下
      { re = [[(定価|正規|本物|正品|通常価格|店頭価格)[^。\n]{0,8}(1\s*/\s*([3-9]|[1-9]\d)|([3-9]|[1-9]\d)\s*分の\s*1|(1|一)\s*(割|成)([^引]|$))]], view = "norm" },
      -- list price then the shop's: 定価40万 → 2.3万円
      { re = [[(定価|本物|正規品?|通常価格|参考価格)\s*[\d,.]+\s*(万|千)?\s*円?\s*(→|⇒|➡|->)]], view = "norm" },
      view = "both",
    },
    -- prices, to see a list price cut to a tenth (205,000円 then 16,280円)
    yen = {
      { re = [[\d{1,3}(,\d{3})+\s*円]], view = "norm" },
      { re = [[[¥]\s*\d{1,3}(,\d{3})+]], view = "norm" },
      -- written without commas, or in kanji (弐拾八万六千円 reads 286000円)
      { re = [[(^|[^\d,.])[1-9]\d{3,6}\s*円]], view = "norm" },
      view = "norm",
    },
    -- what consumer warnings list as the marks of a fake shop, in a shop's own voice
    signs = {
      -- shipped from abroad, slowly
      "海外倉庫", "海外から発送", "海外より発送", "海外発送のため", "国際郵便で発送",
      "到着まで7", "到着まで1", "お届けまで2週間", "海外からのお届け",
      -- no returns, no cancellation
      "返品は受け付けて", "返品不可", "返品・交換は", "返品はできません", "返品はお受けできません",
      "キャンセル不可", "キャンセルはできません", "注文は自動",
      -- the account: a person's, a different one each time, sent by mail
      "個人名義", "個人口座", "担当者の口座", "担当者名義", "スタッフ名義", "口座は注文ごと",
      "注文ごとに変わ", "振込先はメール", "口座はメールで", "口座をメールで", "振込先をメール",
      "振込控え", "振込明細を保管", "振込み控え",
      -- authenticity asserted, an agency claimed
      "正規代理店", "全て正規品", "すべて正規品", "正規品であり", "正品", "偽物は一切",
      { re = [[(海外|中国|香港|国外)の?(倉庫|工場|拠点)(から|より)]], view = "norm" },
      { re = [[(振込先|振込口座|口座)(は|が)?.{0,8}(注文ごと|毎回|その都度|都度)]], view = "norm" },
      -- the account told only after the order: 振込先口座はご注文後メールにてご案内
      { re = [[(振込先|振込口座|口座)[^。\n]{0,8}(ご?注文|ご?購入|お申し?込み)(の)?(後|あと|確定後)[^。\n]{0,8}(めーる|dm|line|らいん|ちゃっと)]], view = "norm" },
      { re = [[(返品|返金|交換|きゃんせる).{0,4}(不可|むり|無理|できません|出来ません|受け付けて(い|お)りません|お受けできません|致しかねます)]], view = "norm" },
      { re = [[(個人|担当者|すたっふ|代表者)(の)?(名義|口座)]], view = "norm" },
      { re = [[口座(の)?(名前|名義)[^。\n]{0,12}個人]], view = "norm" },
      -- goods packed to pass customs unnoticed: 税関対策, 税関バレない梱包
      { re = [[(税関|誰にも|周りに)[^。\n]{0,6}(ばれない|ばれません|対策|も大丈夫|の心配(が|は)?(ありません|ない|なし|無用))]], view = "norm" },
      -- seized at customs, sent again; a harmless item name on the parcel
      { re = [[税関で[^。\n]{0,12}(止ま|没収|差し押さえ|止められ)[^。\n]{0,16}(再送|再発送|送り直)]], view = "norm" },
      { re = [[(家族|ご家族|周り|職場)にも?(知られ|ばれ)(ません|ない)]], view = "norm" },
      { re = [[(商品名|品名|内容物)(は|を)?[^。\n]{0,16}(として|と記載して)(発送|お送り|送り)]], view = "norm" },
      -- a bank transfer rewarded with a further cut: 銀行振込で更に5%割引
      transfer_cut,
      -- a shop at an address of the cheap domains scam shops use (…@…-sale.top, mina-select.top)
      { re = [[[a-z0-9-]+\.(top|buzz|xyz|icu|cyou|sbs|click|bond|rest)($|[^a-z0-9.-])]], view = "norm" },
      -- paid within hours or cancelled: 24時間以内にお振込が確認できない場合、自動キャンセル
      { re = [[(12|24|48)\s*時間以内に[^。\n]{0,24}(振込|振り込|入金|お支払)]], view = "norm" },
      "自動キャンセル", "自動的にキャンセル",
      -- the transfer slip's photo sent to a chat: 振込明細の写真をLINEまで
      { re = [[振込(明細|控え|票)[^。\n]{0,10}(写真|画像|すくしょ|撮)]], view = "norm" },
      -- the account told by mail: 振込先はご注文確認メールにてご案内
      { re = [[(振込先|振込口座|お振込先)[^。\n]{0,14}(めーる|dm|line|らいん)\s*(にて|で)\s*(ご案内|お知らせ|送付|通知|ご連絡)]], view = "norm" },
      -- the same the other way round: ご注文後メールにてお振込先をご案内
      { re = [[(ご?注文|ご?購入|お申し?込み)(の)?(後|あと|確定後)[^。\n]{0,6}(めーる|dm|line|らいん)\s*(にて|で)[^。\n]{0,4}(お?振込先|振込口座|口座)]], view = "norm" },
      -- paid in gift-card codes: あまぞんぎふと券のこーどをDMで
      { re = [[ぎふと(券|かーど)?の?(こーど|番号)(を|で)?[^。\n]{0,10}(送|支払|お支払)]], view = "norm" },
      view = "both",
    },
    -- the shop says itself the account is a person's (個人名義, 個人の名前): no
    -- real shop does, so its 特商法 footer does not clear it
    own_personal = {
      -- said as the shop's own terms (個人名義です, 個人口座になります); a warning
      -- says 振込先が個人名義なら
      -- also with the name in brackets between: 個人名義（ヤマダ タロウ）です, 個人名義になっております
      -- (polite: a warning's list says になっている)
      { re = [[個人の?(名義|口座|名前|名)(の口座)?\s*(\([^)]{0,40}\))?\s*(と|に)?\s*(なり|なる|なって(おり|います)|で(す|ござ))]], view = "norm" },
      { re = [[口座(の)?(名前|名義)(は|が)?\s*[^。\n]{0,12}個人の?(名義|名前|名)?\s*(\([^)]{0,40}\))?\s*(と|に)?\s*(なり|なる|なって(おり|います)|で(す|ござ))]], view = "norm" },
      -- the payment terms with the account type in brackets: 振込（個人口座）, 送金（個人アカ）
      { re = [[(振込|振替|送金|支払い?)[^。\n]{0,12}\(\s*個人(名義)?の?(口座|名義|あか|あかうんと)?(口座)?\s*\)]], view = "norm" },
      -- or as where the money goes: お支払いは銀行振込のみ・個人口座へ
      { re = [[(振込|振替|送金|支払い?|払い)[^。\n]{0,16}個人(名義)?の?口座(へ|宛|あて|に(お)?振)]], view = "norm" },
      -- 振込先は個人名義口座になる場合がございます, (an account name) 様（個人名義）
      { re = [[個人の?名義の?口座[^。\n]{0,8}(なります|なる場合|なっております|なっています|です|でござ|場合が?(ござい|あり))]], view = "norm" },
      { re = [[(様|さま)?\s*\(\s*個人(名義|口座)\s*\)]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- copies sold as such: N級品, スーパーコピー, 複製品 (a sign like the others)
    copy = {
      "N級品", "N級", "S級品", "スーパーコピー", "コピー品", "複製品", "レプリカ品",
      "本物と見分け", "本物と同じ品質", "正規品と同一", "ミラー品",
      "ブランドコピー", "S級コピー", "最高品質のレプリカ",
      { re = [[1\s*:\s*1\s*(の)?\s*(最高品質|れぷりか|复刻|複製|こぴー|n級|s級)]], view = "norm" }, "N級ランク", "高仿", "超A货", "复刻", "模倣品を提供",
      { re = [[(本物|正規品?)と(100%)?同じ(の)?(品質|材料|くおりてぃ)]], view = "norm" },
      view = "both",
    },
    -- a shop that will not say where it is: 所在地のご案内は控えさせて
    hidden = {
      { re = [[(所在地|住所|電話|店舗).{0,12}(控えさせて|非公開|お答えできません|公開しておりません|ご案内は控え)]], view = "norm" },
      -- no telephone: 電話番号 お問い合わせはメールにて, お電話でのお問い合わせは行っておりません
      { re = [[電話(番号)?\s*(:)?\s*(お問い?合わせ(は)?)?\s*(めーる|ちゃっと|line|らいん|ふぉーむ)(にて|で|のみ|だけ)]], view = "norm" },
      -- inquiries by mail alone: お問い合わせ：support@…（めーるのみ）
      { re = [[お問い?合わせ[^。\n]{0,40}\(?\s*(めーる|ちゃっと|line|らいん|ふぉーむ)\s*(のみ|だけ)]], view = "norm" },
      { re = [[(お)?電話(での|による)?(お問い?合わせ|ご?対応|受付|ご案内)(は|を)?[^。\n]{0,6}((行って|おこなって|して|受け付けて|承って)(おりません|いません)|お受け(でき|出来)ません|(でき|出来)ません)]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- the contact channel, not a consumer centre: LINEで相談すると
    chat = {
      { re = [[((^|[^a-z])line|dm|めーる|ちゃっと)\s*で\s*(ご)?相談]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- a free mail address as the shop's contact
    freemail = {
      { re = [[[a-z0-9._-]+@(gmail\.com|yahoo\.co\.jp|outlook\.(jp|com)|hotmail\.(com|co\.jp)|163\.com|126\.com|qq\.com|icloud\.com|aol\.com|yeah\.net)]], view = "norm" },
      view = "norm",
    },
    -- transfer only, and the account to send it to
    transfer = {
      "銀行振込のみ", "銀行振り込みのみ", "お振込のみ", "振込のみ", "振り込みのみ",
      "前払いのみ", "先払いのみ", "銀行振込だけ", "銀行振込限定", "クレジットカード不可",
      { re = [[(先払い|前払い)\s*\([^)]{0,24}\)\s*(のみ|だけ|限定)]], view = "norm" },
      "カード決済不可", "代引き不可", "代金引換不可", "カード決済は停止",
      "クレジットカードはご利用いただけません", "カードはご利用いただけません",
      "クレジット決済は現在", "入金確認後", "入金確認次第", "振込先", "口座名義",
      "振込名義", "お振込先", "振込先口座", "お支払いは銀行振込",
      "振込だけ", "振り込みだけ",
      -- the account is sent privately: 口座はDMで教えます, 振込先は注文後にメールで
      { re = [[(口座|振込先)[^。\n]{0,8}(dm|めーる|line|らいん|ちゃっと)\s*で\s*(お?知らせ|教え|連絡|送|ご案内)]], view = "norm" },
      cards_refused, cod_stopped,
      -- a transfer rewarded however it is written: 銀行振込（おすすめ!さらに5%off）, 銀行振込割引(5%)
      { re = [[振り?込み?[^。\n]{0,12}(さらに|更に)\s*\d{1,2}\s*%\s*(引|割引|おふ|off|値引)]], view = "norm" },
      "銀行振込割引", "振込割引",
      transfer_cut, -- (one of the signs too)
      -- paid only in gift-card codes or crypto: no shop takes that alone
      { re = [[(あまぎふ|ぎふと(券|かーど)|itunes|apple\s*gift|google\s*play|ぐーぐるぷれい|usdt|仮想通貨|暗号資産|びっとこいん)[^。\n]{0,20}(のみ|だけ|限定|払い|でのお支払い|で支払|でお支払)]], view = "norm" },
      { re = [[(お支払い|決済|支払い?)(方法)?[^。\n]{0,12}(あまぎふ|ぎふと(券|かーど)|usdt|仮想通貨)]], view = "norm" },
      view = "both",
    },
    -- the payment terms themselves: a shop's checkout or legal page is judged
    -- where it tells how to pay, though it shows no discount
    payment = {
      "お支払い方法", "お支払方法", "支払方法", "支払い方法", "お振込先", "振込先", "銀行振込",
      "ご入金", "お振込のお願い",
      view = "both",
    },
    -- the other ways to pay refused: cards "under maintenance", cash on delivery stopped
    refuse = {
      "クレジットカード不可", "カード決済不可", "代引き不可", "代金引換不可", "カード決済は停止",
      "クレジットカードはご利用いただけません", "カードはご利用いただけません",
      cards_refused,
      cod_stopped,
      view = "norm", weight = 0,
    },
    -- the buyer told to pay in gift-card codes or crypto and nothing else, or
    -- to send the code's photo: no shop and no flea-market seller takes only
    -- that, which is why consumer warnings name it as the sure sign of a scam
    codepay = {
      { re = [[(支払|払い|決済|送金)[^。\n]{0,16}(あまぎふ|あまぞんぎふと|amazonぎふと|ぎふと(券|かーど)|itunes|apple\s*gift|google\s*play|ぐーぐるぷれい|ばにら\s*visa|webmoney|うぇぶまねー|びっとこいん|usdt|btc|仮想通貨|暗号資産)[^。\n]{0,30}(のみ|だけ|限定|以外(は|不可|お断り))]], view = "both" },
      { re = [[(あまぎふ|あまぞんぎふと|amazonぎふと|ぎふと(券|かーど)|itunes|apple\s*gift|google\s*play|ぐーぐるぷれい|ばにら\s*visa|webmoney|うぇぶまねー|びっとこいん|usdt|仮想通貨|暗号資産)[^。\n]{0,24}(のみ|だけ|限定)[^。\n]{0,8}(支払|払い|決済|受付|受け付け|対応)]], view = "both" },
      { re = [[(あまぎふ|あまぞんぎふと|amazonぎふと|ぎふと(券|かーど)|itunes|apple\s*gift|google\s*play|ぐーぐるぷれい|ばにら\s*visa|webmoney|うぇぶまねー)[^。\n]{0,24}(こーど|番号)[^。\n]{0,16}(写真|撮影|撮って|送って|送信|dm|めーる)]], view = "both" },
      view = "both", weight = 0,
    },
    -- consumer goods offered as new: what a scam with code payment sells
    -- (a forger's or a dealer's price list paid in coins is not a shop's)
    goods = {
      "新品", "未開封", "未使用", "正規品", "定価", "本体", "ブランド", "在庫",
      view = "both", weight = 0,
    },
    -- an account in a person's name: two kana words (ヤマダ タロウ)
    personal = {
      -- (a one-letter family name too: リ シンエン, オ ミンジュ)
      { re = [[(名義|名義人|口座名|受取人)\s*[:(]?\s*([ぁ-ゖー]{2,7} [ぁ-ゖー]{1,7}|[ぁ-ゖ] [ぁ-ゖー]{2,7})]], view = "norm" },
      -- or in Latin letters (名義 LE THI HOA, 名義: TANAKA HANAKO)
      { re = [[(名義|名義人|口座名|受取人)\s*:?\s*[a-z]{2,12} [a-z]{1,12}( [a-z]{1,12})?($|[^a-z])]], view = "norm" },
      view = "norm",
    },
    -- a company's account: カ）サンプル, サンプル（ユ
    corp_account = {
      { re = [[(名義|名義人|口座名)\s*:?\s*(\(\s*[かゆど]\s*\)|[かゆど]\s*\))]], view = "norm" },
      { re = [[(名義|名義人|口座名)\s*:?\s*[ぁ-ゖー]{2,12}\(\s*[かゆど]($|[)\s])]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- a corporation claimed: such a company pays and is paid through its own
    -- account (カ）サンプル), never a person's
    corp = {
      "株式会社", "有限会社", "合同会社", "(株)", "(有)", "運営会社", "運営法人",
      view = "norm", weight = 0,
    },
    company_name = {
      "カブシキガイシャ", "ユウゲンガイシャ", "ゴウドウガイシャ", "ショウテン", "ショウカイ",
      view = "norm", weight = 0,
    },
    -- wording of machine translation, and simplified Chinese characters
    odd = {
      "お客様の満足は", "お客様の満足を", "最高の品質", "品質は保証", "品質保証します",
      "安心して購入", "安心してご購入", "安心して買う", "私たちは", "私達は", "提供します",
      "をご提供いたす", "いたす", "お楽しみください", "ショッピングをお楽しみ",
      "商品の到着後", "ご注文の後", "注文の後", "の後に発送", "本物保証", "正規品保証",
      "100%正規品", "100%本物", "送料無料を提供", "ようこそ当店", "当店へようこそ",
      "ご愛顧を", "秒殺", "最も良い", "良い品質", "高品質の商品", "迅速に発送",
      "速やかに発送する", "確認した後", "必ず届けます", "返品は受け付けない",
      -- doubled or broken politeness of machine translation
      broken_1, broken_2, broken_3,
      { re = [[ご了承ください下さい]], view = "norm" },
      { re = [=[[们这购货运费优价质证单发实邮满车张东门网时务]]=], view = "norm" },
      view = "both",
    },
    -- grammar no Japanese writer gets wrong: the sure marks of machine translation
    broken = {
      broken_1, broken_2, broken_3,
      view = "norm", weight = 0,
    },
    -- what a real shop shows
    company = {
      "特定商取引法", "特商法", "運営会社", "会社概要", "株式会社", "有限会社", "合同会社",
      "代表取締役", "代表者", "所在地", "古物商許可", "適格請求書", "クレジットカード",
      "VISA", "Mastercard", "JCB", "PayPay", "コンビニ払い", "コンビニ決済", "代金引換",
      "代引き", "Amazon Pay", "楽天ペイ", "後払い", "電話番号", "営業時間",
      view = "both", weight = 0,
    },
    -- a shop: goods, orders, shipping
    shop = {
      "送料", "全品", "在庫", "注文", "発送", "通常価格", "定価", "カート", "購入",
      "商品", "セール", "通販", "ショップ", "当店", "正規品", "アウトレット", "SALE",
      "販売", "価格", "特価",
      view = "both",
    },
    -- warnings, and people or groups collecting money for other things
    warning = {
      "偽サイト", "偽ショップ", "偽ショッピングサイト", "偽通販サイト", "詐欺サイト", "に注意", "注意して", "注意喚起", "見分け方",
      "国民生活センター", "消費者庁", "消費生活センター", "被害", "相談", "警察", "逮捕",
      "の特徴は", "特徴を", "チェックリスト", "チェックポイント", "見抜く", "チャリティー", "寄付", "町内会", "会費",
      "月謝", "家賃", "参加費",
      -- a buyer asking whether the shop is a scam, or telling how it went
      "詐欺でしょうか", "詐欺ですか", "詐欺かな", "詐欺かも", "詐欺っぽい", "怪しい",
      "騙され", "だまされ", "振り込んでしまい", "振込んでしまい",
      "翻訳", "大家", "教室",
      view = "both", weight = 0,
    },
    -- a shop warning of sites that copy it (当店の名前を使った偽サイトにご注意): the
    -- shop's own voice, real or fake, not a warning about such shops
    impostor = {
      { re = [[(当店|当社|弊社|当さいと|弊店|当しょっぷ)(の)?(名前|名称|店名|商品画像|さいと|ろご|でざいん)?[^。\n]{0,16}(を|が)?(使|装|騙|かた|真似|まね|模倣|悪用|無断)[^。\n]{0,24}(偽|詐欺|なりすまし|模倣)]], view = "norm" },
      { re = [[(偽|詐欺|なりすまし|模倣)(の)?(さいと|しょっぷ|店)[^。\n]{0,20}(当店|当社|弊社|弊店)(の)?(正しい|正式|公式)?[^。\n]{0,6}(url|あどれす|さいと)?(は|とは)]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- person-to-person sales, which clear a shop's signs like a warning does,
    -- unless the seller wants codes
    -- stock by the dozen (在庫30台): a dealer, not a person's sale on a flea-market board
    stock = {
      { re = [[在庫\s*(が|は)?\s*[1-9]\d+\s*(台|個|点|着|足|本|枚|箱)]], view = "norm" },
      view = "norm", weight = 0,
    },
    c2c = {
      "フリマ", "バザー", "オークション", "落札", "出品", "譲ります",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    -- a shop is judged as a whole: its payment terms, its footer and its
    -- wording are the page's; the discount or the cut prices are judged where
    -- they stand (a product card, the shop's text), never in a sidebar
    local function price(mm)
      local d = (mm.norm or ""):gsub("[^0-9]", "")
      return tonumber(d)
    end
    -- a list price cut to under a third right after it, in one block
    local slashed, steep, yen = 0, 0, {}
    for _, y in ipairs(m.yen) do   -- 128,000円 also matches as 28,000円 and 8,000円: keep the first
      local last = yen[#yen]
      if not last or last.where ~= y.where or y.from > last.to then yen[#yen + 1] = y end
    end
    for i = 2, #yen do
      local a, b = yen[i - 1], yen[i]
      local pa, pb = price(a), price(b)
      if a.kind ~= "boilerplate" and lib.same_block(a, b) and pa and pb and pb > 0
          and pa >= 3 * pb and lib.near({ a }, { b }, 12) then
        slashed = slashed + 1
        -- cut to a fifth or less (80 % off and more): no sale goes that deep
        if pa >= 5 * pb then steep = steep + 1 end
      end
    end
    -- what the shop says of itself (its account names, its company details)
    -- is the page's and reads the same in every block: weighed once, when the
    -- first block asks
    local named, company
    local function personal_names(m)
      if not named then
        named = {}
        for _, p in ipairs(m.personal) do
          if not lib.near({ p }, m.company_name, 0) then named[#named + 1] = p end
        end
      end
      return named
    end
    -- "クレジットカード不可" names cards only to refuse them; a company shows
    -- itself with several details together (株式会社, 所在地, 電話番号), not
    -- with one word in a headline of the site's link lists
    local function company_details(m)
      if not company then
        local comp, together = lib.outside(m.company, lib.merge(m.transfer, m.signs, m.hidden)), {}
        -- a shop that takes no calls names 電話番号 only as the buyer's field
        if lib.any(m.hidden) then
          local kept = {}
          for _, x in ipairs(comp) do
            if x.pattern ~= "電話番号" then kept[#kept + 1] = x end
          end
          comp = kept
        end
        -- (the footer's links 会社概要 ｜ 特定商取引法に基づく表記 are headings every
        -- shop has, fake ones too: two of them side by side are no details)
        for i, x in ipairs(comp) do
          for j, y in ipairs(comp) do
            if i ~= j and x.norm ~= y.norm and not (heading[x.pattern] and heading[y.pattern])
                and lib.near({ x }, { y }, 40) then
              together[#together + 1] = x
              break
            end
          end
        end
        company = lib.distinct(together)
        if company == 0 then
          for _, x in ipairs(lib.not_boilerplate(comp)) do
            if not heading[x.pattern] then company = 1 break end
          end
        end
      end
      return company
    end
    return lib.by_block(page, m, function(m)
      local personal = personal_names(m)
      if lib.none(m.shop) or lib.any(m.corp_account) then return 0 end
      -- goods for a price, paid only in codes: a scam without any discount
      local code = lib.any(m.codepay) and lib.any(m.yen) and lib.any(m.goods)
      -- a corporation that takes payment into a person's account: the mark
      -- consumer warnings put first (会社名と口座名義が違う), whatever the prices
      -- (or writes from a free mail address)
      local mismatch = (#personal > 0 or lib.any(m.freemail) or lib.any(m.own_personal)) and lib.any(m.corp)
      -- a checkout or legal page carries no discount: a person's account
      -- (or cards and cash on delivery refused) with two more of the marks
      local marks = lib.distinct(m.signs, m.hidden)
      local checkout = (#personal > 0 or lib.any(m.refuse)) and marks >= 2
      if lib.none(m.discount) and slashed == 0 and not code and not checkout and
          not (mismatch and lib.any(m.transfer) and (lib.any(m.freemail) or lib.any(m.signs))) then
        return 0
      end
      local signs = lib.distinct(m.signs, m.hidden)
      if lib.any(m.copy) then signs = signs + 1 end
      -- a dealer's stock on a person-to-person board is a shop posing as a person
      if lib.any(m.stock) and lib.any(m.c2c) then signs = signs + 1 end
      -- a cut of 80 % or more, stated (最大90%OFF) or shown in the prices
      local stated = false
      for _, x in ipairs(m.discount) do
        if (x.norm or ""):match("[89]%d%s*%%") then stated = true end
      end
      if steep > 0 or stated then signs = signs + 1 end
      -- the payment and the account are the usual third sign; list prices cut
      -- to a third, twice, in a shop that writes broken Japanese are one too
      if lib.none(m.transfer) and not code and #personal == 0 and lib.none(m.own_personal) and signs < 2 and
          not (slashed >= 2 and lib.any(m.broken)) then return 0 end
      local s = 0.35
      if lib.any(m.transfer) or code then s = s + 0.2 end
      if code then s = s + 0.25 end
      -- a person's account: a name read off the payment terms, or the shop
      -- saying so beside a deep cut (a craft seller's sale says so too)
      local deep = slashed > 0
      for _, x in ipairs(m.discount) do
        local t = x.norm or ""
        if t:find("%d") or t:find("割", 1, true) or t:find("半額", 1, true) or t:find("原価", 1, true) then
          deep = true
        end
      end
      -- (copies sold into an account the shop calls a person's count the same)
      if #personal > 0 or ((deep or lib.any(m.copy)) and lib.any(m.own_personal)) then s = s + 0.2 end
      s = s + 0.1 * math.min(signs, 3)
      local odd = lib.distinct(m.odd)
      if odd >= 1 then s = s + 0.15 end
      if odd >= 2 then s = s + 0.1 end
      if lib.any(m.freemail) then s = s + 0.1 end
      if slashed >= 2 then s = s + 0.15 end
      local c = company_details(m)
      if c == 0 then s = s + 0.1 end
      s = lib.clamp(s)
      -- fake shops copy a 特商法 footer with a made-up company; one that says
      -- its account is a person's, or sells copies to a person's account, is
      -- not cleared by it
      -- (nor is a checkout into a person's account with two more marks: the
      -- company named above the account is not the account's holder)
      local own = lib.any(m.own_personal) or (#personal > 0 and lib.any(m.copy)) or mismatch or code
        or (checkout and #personal > 0)
        -- nor a cut of 80 % or more, paid by transfer only, in a shop's broken Japanese
        or ((steep > 0 or stated) and lib.any(m.transfer) and odd >= 1 and lib.none(m.warning, m.impostor))
      if c >= 2 and not own then return 0 end
      if c == 1 and not own then s = s * 0.85 end
      -- a warning about such shops, in the same text as the discount
      -- (a seller on a flea-market board who wants codes is no flea-market sale)
      local c2c = (code or lib.any(m.stock)) and {} or m.c2c
      local warn = lib.outside(lib.merge(m.warning, c2c), m.impostor)
      local w = lib.distinct(lib.outside(warn, m.chat))
      if w >= 2 then return 0 end
      if w == 1 then s = s * 0.7 end
      local ev = lib.near(m.discount, lib.merge(m.transfer, personal, m.signs), 667)
      return s, lib.evidence(page, ev or m.discount[1] or lib.first(m.signs, m.transfer), 40)
    end, { page = { "transfer", "personal", "corp_account", "company_name", "odd", "company", "corp",
                    "shop", "signs", "freemail", "broken", "hidden", "own_personal", "refuse" } })
  end,
}
