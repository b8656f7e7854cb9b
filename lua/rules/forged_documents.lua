-- forged_documents.lua - forged residence cards, licences and IDs for sale
-- (偽造在留カード・身分証の販売).
--
-- Sellers name the document, say it passes as real (ICチップ, ホログラム,
-- 本物そっくり, 番号や名前は自由) or simply offer to "make" one, and add a
-- price and a channel (Facebook, WeChat, Telegram). Immigration pages about
-- the genuine 在留カード, licence and passport procedures, news of arrests,
-- employers' guides to spotting fakes, ID-photo studios and card-case shops
-- name the same documents, so the rule wants the document next to a
-- forgery or making word plus a price or a channel; procedure, news,
-- photo and shop wording switches it off, except "no need to go to the
-- immigration office" said as a selling point. English spam is read too.
-- Game and film reviews and card printers' order flows are switched off.
-- A making or forging word in quotes (an offer someone received) is not
-- an offer.

return {
  name = "forged_documents.id_for_sale",
  category = "forged_documents",
  author = "patrol",
  description = "forged residence cards, licences or other IDs made or sold",
  references = {
    "出入国管理及び難民認定法 第73条の3（偽造在留カード等の提供・収受）",
    "刑法 第155条（公文書偽造等）, 第159条（私文書偽造等）",
  },
  version = 1,
  threshold = 0.65,
  triggers = { "doc" },

  patterns = {
    doc = {
      "在留カード", "運転免許証", "免許証", "マイナンバーカード", "マイナカード",
      "健康保険証", "保険証", "パスポート", "旅券", "学生証", "社員証", "卒業証書",
      "卒業証明書", "成績証明書", "学位記", "身分証", "身分証明書", "住民票", "印鑑証明",
      "戸籍謄本", "特別永住者証明書", "外国人登録証", "診断書", "車検証", "給与明細",
      "源泉徴収票", "在職証明書", "在籍証明", "納税証明書", "課税証明書", "合格証明書",
      "JLPT", "日本語能力試験", "就労ビザ", "永住許可", "在留資格",
      -- as Chinese-speaking sellers write them
      "在留卡", "居留卡", "驾照", "驾驶证", "身份证", "护照", "签证", "毕业证", "学位证",
      "保险证", "运转免许证", "免許證", "卒業證書",
      -- as Vietnamese-speaking sellers write them (thẻ ngoại kiều: the residence card)
      "thẻ ngoại kiều", "thẻ cư trú", "thẻ zairyu", "bằng lái", "giấy phép lái xe",
      "hộ chiếu", "bằng tốt nghiệp", "bảo hiểm", "thẻ my number", "chứng minh thư",
      "căn cước",
      -- written in kana, spaced or not (め ん き ょ しょう, ざいりゅうかーど)
      "ざいりゅうかーど", "めんきょしょう", "きゅうよめいさい", "ほけんしょう", "じゅうみんひょう",
      -- the forgers' own short names: ザイカ (在留カード), メンキョ, パスポ
      "ざいか", "めんきょ", "ぱすぽ",
      "自賠責", "車庫証明", "残高証明書", "預金残高証明", "収入証明", "所得証明書", "課税証明書",
      -- as English-language spam writes them
      "residence card", "zairyu card", "passport", "driver's license", "drivers license",
      "driving licence", "driving license", "my number card", "health insurance card",
      "id card", "diploma", "transcript", "juminhyo",
      view = "both",
    },
    -- claims that it passes as real, and the seller's own words for forging
    forge = {
      -- (本物そっくりに写る is a photograph's likeness, not a forgery's)
      "偽造", { re = [[本物そっくり([^に]|に[^写撮映]|$)]], view = "norm" }, "本物同様", "本物と同じ", "本物と見分け", "見分けがつかない",
      "ICチップ", "IC入り", "ホログラム", "透かし", "精巧", "番号自由", "氏名自由",
      "名前自由", "住所自由", "生年月日自由", "情報自由", "内容自由", "写真差し替え",
      "写真を送るだけ", "情報を送るだけ", "顔写真を送", "アプリで読める", "読み取りOK",
      -- income papers made to pass a loan's or a lease's screening, with a company
      -- that answers the employment check: 実在する会社名で, 在籍確認の電話対応
      "実在する会社名", "実在の会社名", "実在企業名", "在籍確認の電話", "在籍確認代行",
      -- a real school's or firm's name on the paper, copied from the real one
      { re = [[実在(する|の)[^。\n]{0,4}(学校|大学|高校|専門学校|会社|企業|病院|くりにっく|医院|団体|銀行)(名|の名前)?[^。\n]{0,12}(で|を|も|入り)]], view = "norm" },
      -- a doctor's name and seal put on a paper the doctor never wrote
      { re = [[(医師名|医師の名前|院長名)[^。\n]{0,6}(印影|印鑑|はんこ|判子)(入り|付き|つき)]], view = "norm" },
      { re = [[(実物|本物|原本|各校の実物|正本)(を元に|をもとに|に忠実に|どおりに|通りに|から)[^。\n]{0,6}(再現|作成|お作り|制作|複製)]], view = "norm" },
      -- a degree for one who never finished, and the check answered for them
      { re = [[(中退|除籍|退学|未卒業|卒業して(い)?ない|通って(い)?ない)[^。\n]{0,12}(卒業|修了)(扱い|として|に)]], view = "norm" },
      "照会代行", "在籍照会に対応", "照会にも対応", "照会対応",
      -- papers offered to those who have none: おーばーすていの知り合い…在留かーどとせっとで
      { re = [[(おーばーすてい|不法滞在|不法残留|びざ切れ|在留期限切れ)[^\n]{0,30}(在留かーど|ぱすぽーと|身分証|びざ|免許証)]], view = "norm" },
      -- the chip reads, the hologram shines: IC読み取り◯, ホロ完全再現
      { re = [[(ic|ちっぷ)[^。\n]{0,6}(読み?取り?|よみとり|読込み?)\s*(ok|可能?|◯|○|◎|対応|できます|いけ|通)]], view = "norm" },
      -- a card listed with its chip working: マイナンバーカード（IC可）, ic读取也可以
      { re = [[(^|[^a-z])(ic|ちっぷ)\s*(可|も可|対応|付き|つき|读取|読取)]], view = "norm" },
      -- in Chinese: documents of every kind made to order (专业制作日本各类证件, 办证)
      { re = [[(制作|办理|代办|做)[^。\n]{0,8}(证件|证书|驾照|护照)]], view = "norm" },
      "各类证件", "办证",
      { re = [[ほろ\s*(も)?\s*(完全|完璧)?\s*(再現|付き|入り|搭載)]], view = "norm" },
      { re = [[(校印|学長印|社印|職印)[^。\n]{0,8}(再現|入り|押印済|そっくり)]], view = "norm" },
      "在籍確認対応", "アリバイ会社", "受付印入り", "社印押印済", "公印入り",
      { re = [[審査(用|に通る|に通り|を通過|に通過|通過率|通過用|に通す|が通る)]], view = "norm" },
      "読取OK", "スキャンOK", "照合OK", "バレない", "裏面も", "複製", "作成代行",
      "制作代行", "代理作成", "オーダーメイド", "フルオーダー", "実物と同じ", "公式と同じ",
      "本物の素材", "原本と同じ", "偽物", "コピー品", "レプリカ",
      "办理", "代办", "办证", "制作证件", "仿真", "高仿", "假证", "本物仕様",
      -- "the same as the real one", a hologram, reads on the chip reader
      "跟真的一样", "和真的一样", "与真的一样", "一模一样", "全息", "防伪", "可以刷", "能刷",
      -- Indonesian: like the original, fake, pick the visa status
      "seperti asli", "kualitas asli", "palsu", "bisa pilih status", "jasa dokumen",
      -- a school never attended, a look reproduced, a novelty disclaimer
      "本物同等", "再現済み",
      -- an authority's seal, form or paper reproduced: 市区町村長印・地紋入り用紙,
      -- 税務署の受付印を再現, 国税庁様式を完全再現, 偽造防止用紙の地紋を再現
      { re = [[(公印|印影|受付印|支店印|担当者印|銀行印|市区町村長印|職印|地紋|様式|書式|ろご|透かし|ほろぐらむ|偽造防止用紙)(の)?(を|も)?(完全に?)?(再現|複製|真似|そっくり)]], view = "norm" },
      -- any detail as the buyer wants it: 金額・勤続年数はご希望どおり, 年収指定可, 車台番号・所有者をご指定
      { re = [[(金額|年収|残高|勤続年数|車台番号|所有者|使用者|住所|氏名|生年月日|発行日|有効期限|期限|勤務先|gpa|単位|取得単位|成績|評定|卒業年|入学年|学部|学位|資格|在留資格|在留期間|病名|診断名|休職期間|期間|日付)(は|を|も|・)?[^。\n]{0,8}(ご指定|ご希望どおり|ご希望通り|指定可|指定でき|自由|好きなように|お好み)]], view = "norm" },
      { re = [[(卒業して(い)?ない|在籍して(い)?ない|通って(い)?ない|行って(い)?ない)(学校|大学|高校)でも]], view = "norm" },
      { re = [[(記念品|のべるてぃ|これくしょん用|観賞用|じょーく)[^。\n]{0,40}(関知しません|関知いたしません|責任を負いかねます|責任は負いません|自己責任)]], view = "norm" },
      "真贋判定", "偽装", "改ざん", "改竄", "書き換え",
      -- a certificate mill's words: the school's seal and watermark reproduced,
      -- "it will not be checked with the school"
      "公印", "忠実に再現", "照会されない", "照会されても", "問い合わせされない",
      -- "can't tell it from the real one", said casually; the buyer's own details
      "区別つかない", "区別がつかない", "区別つかん", "区別がつかん", "見分けつかない",
      "見分けつかん", "見分けがつかん", "本物と並べても",
      { re = [[(ご希望の|希望の|好きな|お好みの)(名前|氏名|生年月日|住所|年齢)]], view = "norm" },
      -- the income on the slip as the buyer wants it: ご希望の支給額で作成, 希望年収で
      { re = [[(ご希望の|希望の|希望|お好みの|好きな)(支給額|年収|月収|収入|金額|手取り|勤務先|会社名|勤続年数)(で|に|を|どおり|通り)]], view = "norm" },
      "làm giả", "hàng giả", "giống thật", "như thật", "quét được", "có chip",
      -- English spam: fake, novelty, "registered" (entered in the database)
      "fake document", "fake passport", "fake id", "fake driver", "fake residence",
      "real and fake", "counterfeit", "forged", "novelty document", "unregistered",
      "registered document", "ic chip", "hologram", "microprint", "uv feature",
      "passes any check", "same as original", "same as the original",
      { re = [[(^|[^a-z])fake($|[^a-z])]], view = "norm" },
      view = "both",
    },
    make = {
      "作ります", "作成します", "作成可能", "で作成", "作れます", "作れる", "つくれる", "つくれます", "製作", "制作", "発行します",
      "つくります", "お作りします", "作ってます", "つくってます", "作っています",
      -- wanted by whom, and the way in: 欲しい人いる？, 新規発行ルートある
      "欲しい人", "いる人いる", "発行ルート",
      "発行可能", "販売", "売ります", "承ります", "受付中", "在庫", "即日発送", "郵送",
      "発送", "納期", "ご注文", "対応します", "対応可能", "お任せ", "用意します",
      "用意できます", "欲しい方", "必要な方", "作りたい方",
      -- the ad's headline words: 即日作成, 作成代行, 各種対応
      "即日作成", "即日発行", "作成代行", "作成いたします", "各種対応", "全種類対応",
      -- in Chinese: made in three days, can be made
      "制作完成", "可以制作",
      "we produce", "we make", "we sell", "we offer", "order now",
      { re = [[(^|[^a-z])buy($|[^a-z])]], view = "norm" },
      "làm thẻ", "làm bằng", "làm giấy", "nhận làm", "giao hàng", "bao đậu",
      view = "both",
    },
    price = {
      { re = [[\d[\d,]{2,}\s*円]] },
      { re = [[\d+(\.\d+)?\s*\(?万]] },
      -- the norm view reads 3万 as 30000
      { re = [[(^|[^\d,.])[1-9]\d{4,}($|[^\d])]] },
      { re = [[[¥$]\s*\d[\d,]{1,}]] },
      { re = [[\d[\d,]*\s*(どる|元|usd)]] },
      -- per piece, in ten-thousands left unsaid: 1枚1.5, 2枚で2.5
      { re = [[\d\s*(枚|通|部|点)\s*(で|=|:)?\s*\d{1,2}\.\d($|[^\d])]] },
    },
    contact = {
      "テレグラム", "telegram", "wechat", "微信", "whatsapp", "facebook", "フェイスブック",
      "signal", "シグナル", "カカオ", "zalo", "メッセンジャー", "DMください", "DMで",
      "DMまで", "連絡ください", "ご連絡", "お問い合わせ",
      { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      -- a mail address: the local part, then a domain
      { re = [[[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}]], view = "norm" },
      view = "both",
    },
    -- a document asked for or waived (身分証の写しは不要, 身分証の写真を送って): a
    -- buyer's, a recruiter's or a seller's condition, not a document for sale
    -- a shop's list of the work it refuses, headed as such: everything listed
    -- after it in the same text is refused, however far down
    refused = {
      { re = [[(以下|次|下記)の(ご依頼|ご注文|もの|印鑑|作成)(は|を)?[^。\n]{0,8}(お受けして(い|お)りません|お受けできません|お断り(して|いた)|承って?(い|お)りません)]], view = "norm" },
      "お断り事項", "お受けできないご依頼",
      view = "norm", weight = 0,
    },
    asked = {
      { re = [[(身分証|免許証|保険証|在留かーど|まいなんばーかーど|学生証|ぱすぽーと)(明書)?の?(写し|写真|こぴー|画像|表裏)?(など|も|とか)?(は|を|が)?.{0,3}(不要|いりません|要りません|いらない|要らない|なし|無し|送って|送れ|提出|提示|確認|見せ|撮って)]], view = "norm" },
      -- an applicant's condition (身分証と顔写真を送れる人) and a recruiter's
      -- threat (身分証の住所に行く)
      { re = [[(身分証|免許証|保険証|在留かーど|まいなんばーかーど|学生証)(明書)?[^。\n]{0,10}(送れる|提出できる|提示できる|見せられる|出せる)(人|方)]], view = "norm" },
      { re = [[(身分証|免許証|保険証|在留かーど|まいなんばーかーど|学生証)(明書)?の(住所|実家)(に|へ|まで)(行|伺|来|押)]], view = "norm" },
      -- an applicant sends the ID with a face photo (身分証と顔写真を送るだけ)
      { re = [[(身分証|免許証|保険証|在留かーど|まいなんばーかーど|学生証)(明書)?(の写し)?\s*(と|\+|&|および|及び)\s*(顔)?写真を?(送|提出)]], view = "norm" },
      -- what an applicant must bring: 必要なもの: passport or 在留カード
      { re = [[(必要なもの|必要書類|持ち物|ご用意いただくもの|ご持参)[^。]{0,20}(身分証|免許証|保険証|在留かーど|まいなんばーかーど|学生証|ぱすぽーと|passport|residence card|id card)]], view = "norm" },
      view = "both", weight = 0,
    },
    -- the seller's "no need to go to the office": the guard word as a selling point
    skip = {
      { re = [[(入管|役所|市役所|区役所|窓口|入国管理局)(に|へ|まで)?(は|も)?\s*(行かなくて|行かずに|行かないで|行く必要|行きたくない|出向く必要|行かなくても)]], view = "norm" },
      -- no need to go to immigration, in Chinese and Vietnamese: 不用去入管, không cần ra 入管
      { re = [[(不用|不需要|无需|不必|无须)去?\s*(入管|入国管理局|役所)]], view = "norm" },
      { re = [[(không cần|ko cần|khỏi|không phải)\s*(ra|đi|đến|tới|lên)?\s*(入管|xuất nhập cảnh|cục xuất nhập cảnh)]], view = "norm" },
      -- the reader app named as what the forgery passes: quét được bằng app 読取アプリ, 読取アプリでも読める
      { re = [[(quét được|読める|読み取れる|読取ok|読み取りok|可以刷|能刷|scan)[^。\n]{0,24}読(み)?取(り)?あぷり]], view = "norm" },
      { re = [[読(み)?取(り)?あぷり[^。\n]{0,8}(でも|で)[^。\n]{0,6}(読める|読み取れる|ok|通る|反応)]], view = "norm" },
      -- or as a feature on the price list: 読取アプリ対応, 読取アプリ対策済み
      { re = [[読(み)?取(り)?(あぷり|app)\s*(に|にも)?\s*(対応|対策|ok|通過|すり抜け|ばれない|反応)]], view = "norm" },
      -- the anti-forgery paper named as what the forger reproduces: 偽造防止用紙の地紋を再現
      { re = [[偽造防止(用紙|の)?[^。\n]{0,10}(再現|そっくり|真似)]], view = "norm" },
      -- the authorities named to scare the buyer off them: 入管行ったら捕まる
      { re = [[(入管|役所|警察|入国管理局)(に|へ)?(なんて|なんか)?\s*(行ったら|行くと|行けば|に行ったら)[^。\n]{0,10}(捕まる|つかまる|ばれる|終わり|強制送還|送還)]], view = "norm" },
      view = "both", weight = 0,
    },
    -- procedures, employers' checks, news, the law: they rule out the whole text
    guard = {
      "出入国在留管理庁", "入管", "入国管理局", "更新手続", "再交付", "届出", "市区町村",
      "市役所", "区役所", "収入印紙", "読取アプリ", "失効情報", "不法就労", "雇用主",
      "事業主", "見分け方", "確認方法", "逮捕", "容疑", "送検", "県警", "府警", "警視庁",
      "摘発", "検挙", "家宅捜索",
      "事件", "報道", "有罪", "判決", "被告", "偽造防止", "被害", "罰則", "違反",
      "スキミング", "注意喚起", "犯罪です", "企業様", "法人様", "入退室", "ロット",
      "見積", "デザイン自由",
      -- a card printer's order flow, and its refusal of official look-alikes
      "データ入稿", "入稿", "校正", "発注書",
      { re = [[(公的|官公庁|公式)[^。]{0,30}(似せ|模し|そっくり)[^。]{0,60}(お受けできません|お断り|承って?おりません|できません)]], view = "norm" },
      -- a shop's list of what it refuses, an answerer's warning: お受けしておりません,
      -- お断り事項, やめてください, 有印私文書偽造・同行使
      "お受けしておりません", "お受けできません", "お断りしております", "お断り事項",
      "ご依頼はお断り", "やめてください", "やめましょう", "私文書偽造", "公文書偽造", "同行使",
      -- the immigration bureau, renewal and reissue, in Vietnamese
      "xuất nhập cảnh", "gia hạn", "cấp lại", "bị bắt",
      -- and in English
      "immigration services agency", "immigration bureau", "arrested", "police",
      "renewal", "reissue", "how to spot", "how to check", "beware", "scam",
      view = "both", weight = 0,
    },
    -- game, film and book reviews retell forgeries as the plot
    fiction = {
      "ゲームレビュー", "プレイヤー", "本作", "作中", "劇中", "主人公", "あらすじ",
      "ネタバレ", "小説", "漫画", "ゲーム", "レビュー",
      -- a serial's chapter and its detective: 第七話, 刑事は
      { re = [[第\s*\d+\s*(話|章|回)]], view = "norm" }, "刑事は", "刑事が", "警部",
      view = "both", weight = 0,
    },
    -- photo studios, shops, fiction, school paperwork: only next to the words
    topic = {
      "申請", "交付", "手続き", "窓口", "注意",
      "証明写真", "写真撮影", "撮影", "写真館", "スピード写真", "カードケース",
      "パスケース", "ホルダー", "免許センター", "試験場", "警察署", "小道具", "ドラマ",
      "映画", "学割", "紛失", "盗難", "筆耕", "用紙", "印刷会社", "学校様",
      "翻訳証明", "翻訳会社", "行政書士", "収納", "thủ tục", "hồ sơ",
      view = "both", weight = 0,
    },
  },

  classify = function(page, pm)
    return lib.by_block(page, pm, function(m)
      m.doc = lib.outside(m.doc, m.asked)
      -- a forging or making word in quotes is an offer mentioned (a victim
      -- asking about 「在留カード作れます」), not made
      m.make = lib.unquoted(page, m.make)
      m.forge = lib.unquoted(page, m.forge)
      -- a page's address says nothing of forging (/forged-documents/ is a
      -- guide's folder as often as a shop's)
      m.forge = lib.said(m.forge)
      -- the seller's own "making" word right next to the document counts as
      -- forging; the document word alone never does
      local forge = lib.outside(m.forge, lib.merge(m.guard, m.topic))
      local d, f = lib.near(m.doc, forge, 67)
      -- a shop naming the document in its title, menu and price grid, its
      -- forgery claims in a paragraph of their own: two forgery words here,
      -- the document, price and channel anywhere on the page
      local body_forge = lib.where(forge, "text")
      local s = 0
      -- (the page's text opens with its title: a document there is not this block's)
      local doc_here = 0
      for _, x in ipairs(m.doc) do
        if x.where == "text" and x.kind ~= "title" then doc_here = doc_here + 1 end
      end
      if not d and lib.distinct(body_forge) >= 2 and doc_here == 0
          and #lib.outside(pm.doc, pm.asked) > 0 then
        d, f = body_forge[1], body_forge[#body_forge]
        if lib.none(m.make, pm.price, pm.contact) then return 0 end
        s = 0.6 + 0.1 * lib.signals(m.make, pm.price, pm.contact)
        s = s + 0.05 * math.min(lib.distinct(body_forge) - 1, 2)
      elseif d then
        if lib.none(m.make, m.price, m.contact) then return 0 end
        s = 0.6 + 0.1 * lib.signals(m.make, m.price, m.contact)
        s = s + 0.05 * math.min(lib.distinct(forge) - 1, 2)
      else
        d, f = lib.near(m.doc, m.make, 20)
        if not d or lib.none(m.price, m.contact) then return 0 end
        s = 0.6 + 0.1 * lib.signals(m.price, m.contact)
      end
      -- a title that asks (審査用の給与明細を作る業者は使っていい？) is a question
      -- about such a service, not an offer of it
      local function titled(x) return x.where == "title" or x.kind == "title" end
      if (titled(d) or titled(f)) and page.title
          and (page.title:find("?", 1, true) or page.title:find("？", 1, true)) then
        return 0
      end
      -- listed under the shop's heading of refused work
      if lib.any(lib.before(m.refused, d)) then return 0 end
      -- a review: two fiction words in the block and no seller's channel
      if lib.distinct(m.fiction) >= 2 and lib.none(m.contact) then return 0 end
      -- the guards of a procedure guide or a news text stand at the words they
      -- explain; an advert boxed into such a guide is not cleared by the
      -- guide's paragraphs around it, which only dampen it
      local guard = lib.outside(m.guard, m.skip)
      -- (the title's guards are the whole page's: a news headline)
      local g = lib.distinct(lib.merge(lib.within(guard, { lib.span(d, f) }, 120),
                                       lib.where(guard, "title")))
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.75 end
      if lib.distinct(guard) - g >= 2 then s = s * 0.85 end
      -- a studio's or a shop's words right at the document; many of them, a
      -- text about procedures
      -- (three forgery claims or more outweigh them)
      if lib.distinct(forge) < 3 then
        if lib.distinct(lib.within(m.topic, { lib.span(d, f) }, 60)) >= 2 then return 0 end
        if lib.near({ lib.span(d, f) }, m.topic, 15) then s = s * 0.75 end
      end
      return lib.clamp(s), lib.evidence(page, lib.span(d, f), 40)
    end)
  end,
}
