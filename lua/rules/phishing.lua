-- phishing.lua - pages that imitate a brand's login or payment page and ask
-- for passwords or card numbers (識別符号の入力を不正に要求する行為).
--
-- A phishing page names a brand, asks for login or card data, and presses
-- the visitor: the account is suspended, confirm within 24 hours. The host it
-- is served from is not the brand's. The brand's own login page asks for the
-- same data without the threat; advisories, news and password-manager help
-- quote the threat and the fields but explain them. So the rule wants a brand,
-- form fields and a threat, plus one more sign (card data, a deadline, an
-- instruction to enter the data, a host that is not the brand's); the brand's
-- own host, or advisory and help wording, switches it off.

-- brand pattern (as written below) -> the hosts that really belong to it
local official = {
  ["Amazon"] = { "amazon.co.jp", "amazon.com", "amazon.jp" },
  ["アマゾン"] = { "amazon.co.jp", "amazon.com", "amazon.jp" },
  ["楽天"] = { "rakuten.co.jp", "rakuten.com", "rakuten-card.co.jp", "rakuten-bank.co.jp", "rakuten-sec.co.jp" },
  ["Rakuten"] = { "rakuten.co.jp", "rakuten.com", "rakuten-card.co.jp", "rakuten-bank.co.jp", "rakuten-sec.co.jp" },
  ["三井住友"] = { "smbc.co.jp", "smbc-card.com", "vpass.ne.jp" },
  ["SMBC"] = { "smbc.co.jp", "smbc-card.com", "vpass.ne.jp" },
  ["Vpass"] = { "smbc-card.com", "vpass.ne.jp" },
  ["三菱UFJ"] = { "mufg.jp", "bk.mufg.jp", "cr.mufg.jp" },
  ["MUFG"] = { "mufg.jp", "bk.mufg.jp", "cr.mufg.jp" },
  ["みずほ"] = { "mizuhobank.co.jp", "mizuho-fg.co.jp" },
  ["ゆうちょ"] = { "jp-bank.japanpost.jp", "japanpost.jp" },
  ["りそな"] = { "resonabank.co.jp", "resona-gr.co.jp" },
  ["PayPay"] = { "paypay.ne.jp", "paypay-bank.co.jp", "paypay-card.co.jp" },
  ["Apple"] = { "apple.com", "icloud.com" },
  ["アップル"] = { "apple.com", "icloud.com" },
  ["iCloud"] = { "apple.com", "icloud.com" },
  ["Microsoft"] = { "microsoft.com", "live.com", "outlook.com", "office.com" },
  ["マイクロソフト"] = { "microsoft.com", "live.com", "outlook.com", "office.com" },
  ["Outlook"] = { "microsoft.com", "live.com", "outlook.com", "office.com" },
  ["Google"] = { "google.com", "google.co.jp", "gmail.com" },
  ["グーグル"] = { "google.com", "google.co.jp", "gmail.com" },
  ["Netflix"] = { "netflix.com" },
  ["ネットフリックス"] = { "netflix.com" },
  ["メルカリ"] = { "mercari.com", "mercari.jp" },
  ["ヤマト運輸"] = { "kuronekoyamato.co.jp", "yamato-hd.co.jp" },
  ["クロネコ"] = { "kuronekoyamato.co.jp", "yamato-hd.co.jp" },
  ["佐川急便"] = { "sagawa-exp.co.jp" },
  ["日本郵便"] = { "japanpost.jp" },
  ["ドコモ"] = { "docomo.ne.jp", "nttdocomo.co.jp" },
  ["docomo"] = { "docomo.ne.jp", "nttdocomo.co.jp" },
  ["dアカウント"] = { "docomo.ne.jp", "nttdocomo.co.jp" },
  ["au ID"] = { "au.com", "kddi.com" },
  ["au PAY"] = { "au.com", "kddi.com", "aupay.wallet.auone.jp" },
  ["ソフトバンク"] = { "softbank.jp" },
  ["SoftBank"] = { "softbank.jp" },
  ["エポス"] = { "eposcard.co.jp" },
  ["JCB"] = { "jcb.co.jp", "jcb.jp" },
  ["セゾン"] = { "saisoncard.co.jp", "saison.co.jp" },
  ["イオンカード"] = { "aeon.co.jp", "aeon.com", "aeonbank.co.jp" },
  ["イオン銀行"] = { "aeon.co.jp", "aeon.com", "aeonbank.co.jp" },
  ["国税庁"] = { "nta.go.jp" },
  ["e-Tax"] = { "nta.go.jp" },
  ["ETC利用照会"] = { "etc-meisai.jp" },
  ["えきねっと"] = { "eki-net.com" },
  ["Yahoo"] = { "yahoo.co.jp", "yahoo.com" },
  ["ヤフー"] = { "yahoo.co.jp", "yahoo.com" },
  ["PayPal"] = { "paypal.com" },
  ["アメリカン・エキスプレス"] = { "americanexpress.com" },
  ["アメックス"] = { "americanexpress.com" },
  ["ビューカード"] = { "viewcard.co.jp" },
  ["住信SBI"] = { "netbk.co.jp" },
  ["Steam"] = { "steampowered.com", "steamcommunity.com" },
  ["東京電力"] = { "tepco.co.jp" },
  ["Instagram"] = { "instagram.com" },
  ["Facebook"] = { "facebook.com" },
  ["インスタ"] = { "instagram.com" },
}

local function host_of(url)
  local h = url and url:match("^%a[%w+.-]*://([^/?#]+)")
  if not h then return nil end
  h = h:gsub("^.*@", ""):gsub(":%d+$", ""):lower()
  if h == "" or h == "localhost" then return nil end
  return h
end

local function host_is(h, domain)
  return h == domain or (#h > #domain and h:sub(-#domain - 1) == "." .. domain)
end

-- whether host is the own domain of a brand the text names
local function brands_host(host, brand)
  for _, b in ipairs(brand) do
    for _, d in ipairs(official[b.pattern] or {}) do
      if host_is(host, d) then return true end
    end
  end
  return false
end

-- whether a link written in the text (sagawa-exp.duckdns.org, hxxps://amaz0n-jp…)
-- leads somewhere other than every brand's own domain the text names
local function foreign_link(links, brand)
  for _, l in ipairs(links) do
    local t = l.norm or ""
    local host = t:match("//%s*([%w%.%-]+)") or t:match("@%s*([%w%.%-]+)")
    if host and not brands_host(host:lower(), brand) then return true end
  end
  return false
end

local brands = {}
for k in pairs(official) do brands[#brands + 1] = k end
table.sort(brands)
brands.view = "both"

return {
  name = "phishing.brand_form_threat",
  category = "phishing",
  author = "patrol",
  description = "a brand's login or card form with a threat, not on the brand's host",
  references = {
    "不正アクセス行為の禁止等に関する法律 第7条（識別符号の入力を不正に要求する行為の禁止）",
    "フィッシング対策協議会 フィッシングレポート",
  },
  version = 1,
  threshold = 0.7,
  requires = { "threat" },

  patterns = {
    brand = brands,
    login = {
      "パスワード", "ログインID", "ユーザーID", "会員ID", "メールアドレス", "ログイン",
      "サインイン", "暗証番号", "生年月日", "秘密の質問", "契約者番号", "お客さま番号",
      "お客様番号", "認証コード", "ワンタイムパスワード", "Apple ID", "Eメール",
      -- codes a lure asks for with the password: SMS and 2-step codes, a game's transfer code
      "確認コード", "2段階認証", "SMS認証", "引き継ぎコード", "引継ぎコード", "合言葉",
      { re = [[(^|[^a-z])id(と|・|/|&)ぱす]], view = "both" },
      view = "both",
    },
    card = {
      "カード番号", "有効期限", "セキュリティコード", "CVV", "CVC", "暗証番号",
      "口座番号", "ワンタイムパスワード", "乱数表", "第二暗証", "カード名義",
      "支店番号", "カード情報",
      -- a crypto wallet's keys: whoever has them has the coins
      "リカバリーフレーズ", "シードフレーズ", "復元フレーズ", "復元用フレーズ", "秘密鍵", "ニーモニック",
      "seed phrase", "recovery phrase", "private key",
      view = "both",
    },
    threat = {
      "アカウントが停止", "アカウントを停止", "アカウントは停止", "一時停止", "利用停止",
      -- a withdrawal the owner did not make: 出金リクエストが行われました, unusual withdrawal
      { re = [[出金(りくえすと|申請|依頼)?(が|を)(行われ|確認され|検知|申請され|受け付け)]], view = "norm" },
      { re = [[unusual\s+(withdrawal|login|sign[\s-]?in|activity)|account\s+(freeze|suspension|will be (suspended|frozen|locked))]], view = "norm" },
      "利用制限", "ロックされ", "ロックしました", "凍結", "無効にな", "削除されます",
      "失効", "ご利用いただけなく", "利用できなくな", "不正アクセスを検知", "不正なログイン",
      "異常なログイン", "第三者によるログイン", "不審なログイン", "不正利用の可能性",
      "支払いが完了できません", "お支払い方法に問題", "お支払い方法の更新", "未払い",
      "配達できませんでした", "お届けできませんでした", "不在のため", "還付金",
      "有効期限が切れ", "再認証", "本人確認が必要", "セキュリティ強化のため",
      "情報の更新が必要", "制限されています", "停止されました", "保留", "閉鎖され",
      "受信できなくな", "容量がいっぱい", "容量が上限", "更新に失敗", "無効化され",
      "解約されます", "差し押さえ", "未払い料金", "ご利用を停止", "サービスが停止",
      "停止されます", "停止いたします", "制限いたしました", "再登録", "本人確認を完了",
      "ご本人確認", "確認できなかった", "確認できませんでした", "更新しないと",
      "お支払い方法を更新", "請求に失敗", "決済に失敗", "料金が未納", "未納",
      "配送料が未払い", "再配達の手続き", "再配達のお申し込み", "荷物を保管", "持ち戻り",
      "ポイントが失効", "ポイント失効", "当選", "異常を検知", "不正な取引", "第三者による不正",
      "宛先不明", "住所不明", "住所不備",
      -- membership ended for the user: 退会予告, 退会処理の対象, 強制退会, 登録情報に不備
      "退会予告", "退会処理", "退会予定", "強制退会", "自動退会", "登録情報に不備", "登録内容に不備",
      "長期間ログインがない", "長期間ご利用がない", "ができなくなります",
      "利用を制限", "機能を制限", "アカウントの確認", "アカウント情報の確認", "認証が必要",
      -- a parcel held for a fee, details to be entered again
      { re = [[(再配達|配達|お届け|荷物|配送).{0,40}(手数料|料金|送料|関税).{0,20}(支払|払い)]], view = "norm" },
      "再入力が必要", "再入力してください", "再入力をお願い", "情報を再入力", "情報の再入力",
      -- the card company's line: 不正利用の疑い, 不正なご利用を検知
      { re = [[不正な?ご?(利用|使用)(の疑い|の恐れ|のおそれ|を検知|を確認|が確認|が発生|があり|の形跡)]], view = "both" },
      -- the polite form of the threat: ご利用を一時的に制限させていただきます
      { re = [[を[^。\n、]{0,5}(停止|制限|凍結|削除|無効に?)(させていただ|いたします|します|となります)]], view = "norm" },
      -- payment not confirmed (お支払いの確認がとれておりません)
      { re = [[支払い?の?確認が(とれて|取れて|でき)]], view = "squeezed" },
      -- a game or SNS operator's ban
      "永久停止", "永久凍結", "永久ban", "アカウント停止", "調査対象",
      -- the curiosity lure: your photo is being spread around
      "晒されて", "拡散されて", { re = [[これ(って)?(お前|あなた|君|きみ)(じゃ|で|の)]], view = "norm" },
      -- a benefit lost after a date: 受け取りの権利が消滅, 給付が無効となります
      { re = [[(権利|給付|受け取り|受取|補償)[^。\n]{0,10}(消滅|失効|無効と|失われ|失います)]], view = "norm" },
      "受け取れなくな", "受け取ることができなくな",
      -- a benefit promised for the secrets: ぽいんとがもらえます…かーど番号と暗証番号を入力するだけ
      { re = [[(ぽいんと|給付金|還付金|補助金|支援金|もらえ|受け取れ|付与|ぷれぜんと)(.|\n){0,100}(暗証番号|ぱすわーど|かーど番号|口座番号|認証こーど|署名用)[^。]{0,30}(入力|入れ|送信|登録)(する|して|すれば|だけ|で)]], view = "norm" },
      -- the bait instead of the threat: the password and codes sent by DM for a reward
      -- (a reward first: an account buyer asks for the password without one)
      { re = [[(補填|おわび|お詫び|ぷれぜんと|配布|付与|差し上げ|当選)[^。]{0,120}(ぱすわーど|引き?継ぎこーど|暗証番号|認証こーど)[^。]{0,50}(dm|送信|送付|送って|教えて)(する|して|ください|くれ|ね|だけ)]], view = "norm" },
      -- the threat in a foreign buyer's or sender's English
      { re = [[(close|suspend|lock|delete|block|disable|terminate)\s+your\s+(account|id)]], view = "norm" },
      { re = [[your\s+(account|id)\s+(will\s+be|has\s+been|is)\s+(closed|suspended|locked|disabled|limited|deleted)]], view = "norm" },
      -- the same threat machine-translated from Chinese: 冻结, 异常登录, 永久に停止なります
      "冻结", "异常登录", "账户异常",
      { re = [[永久に[^。\n]{0,4}(停止|凍結|冻结|削除|利用できな)]], view = "norm" },
      -- a giveaway that wants the password of the accounts linked to the game
      -- (an official campaign sends the player to the provider's own sign-in)
      { re = [[連携(している|中の|済みの|した)?\s*(あかうんと|sns)[^。\n]{0,12}ぱすわ]], view = "norm" },
      -- a wallet's recovery phrase asked for: no exchange or wallet ever asks
      { re = [[(りかばりー|しーど|復元|ばっくあっぷ)\s*ふれーず[^。\n]{0,12}(入力|ご入力|入れて|送信|送って|貼り付け|確認)]], view = "norm" },
      { re = [[(seed|recovery)\s+phrase[^.\n]{0,24}(enter|submit|verify|input)|(enter|submit|verify|input)[^.\n]{0,24}(seed|recovery)\s+phrase]], view = "norm" },
      -- a reward to collect through the form: 受け取りは下のフォームから, コードをプレゼント
      { re = [[(ぷれぜんと|配布|当選|還元|付与|受け取り|受取)[^。\n]{0,30}(ふぉーむ|連携|ろぐいん|ごろぐいん|入力)]], view = "norm" },
      view = "both",
    },
    deadline = {
      { re = [[\d+\s*時間以内]], view = "norm" },
      -- a date or an hour today: 5月15日までに, 今日の24時まで; in English: within 1 hour
      { re = [[\d+\s*月\s*\d+\s*日\s*(まで|中)に]], view = "norm" },
      { re = [[(今日|本日)の?\s*\d+\s*時\s*まで]], view = "norm" },
      { re = [[(今日|本日)の?\s*\d{1,2}\s*:\s*\d{2}\s*まで]], view = "norm" },
      { re = [[within\s+\d+\s+(hour|minute|day)s?]], view = "norm" },
      "本日中", "至急", "直ちに", "ただちに", "速やかに", "期限までに", "以内に",
      "ご確認いただけない場合", "確認が取れない場合", "手続きされない場合", "完了しない場合",
      view = "both",
    },
    enter = {
      "入力してください", "ご入力", "入力の上", "入力し", "以下のフォーム", "下記フォーム",
      "送信", "確認する", "認証する", "次へ", "更新する", "ログインして", "ログインする",
      "入力を完了", "ご登録ください", "登録してください", "入れないと",
      "dmするだけ", "dmしてください", "送るだけ", "入力するだけ",
      -- the lure's call to follow its link: お手続きはこちら, こちらから更新してください
      "手続きはこちら", "こちらから", "こちらより", "から更新", "より更新",
      { re = [[(かーど|口座|暗証番号)(の)?(情報|番号)?の入力が必要]], view = "norm" },
      view = "both",
    },
    -- a threat word in a seller's status line: 凍結歴なし, 利用制限〇
    -- what the brand says it never asks for: カード番号の入力を求めることも一切ありません
    denied = {
      { re = [[[^。\n]{0,40}(求め|お願いし|お願いす|お伺いし|伺|お聞きし|お尋ねし|要求し|ご入力いただ)(る|く)?(こと|ような(こと)?)(は|も)[^。\n]{0,4}(一切|決して|絶対に)?\s*(ありません|ございません|ない|しません|いたしません)]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- a link written out in the message (a lure's, or a defanged one quoted)
    link = {
      { re = [[(https?|hxxps?|ttps?)\s*:\s*//\s*[a-z0-9][a-z0-9.-]*\.[a-z]{2,}]], view = "norm" },
      -- a mail's sender, shown in a webmail view or a post: 差出人: "Amazon" <x@other.example>
      { re = [[(差出人|送信者|送信元|from)\s*:[^\n@]{0,40}[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}]], view = "norm" },
      view = "norm", weight = 0,
    },
    notthreat = {
      -- the reader told to have it stopped: 銀行に連絡して利用停止してもらってください
      { re = [[(利用停止|停止|凍結|ろっく)(を)?(して)?(もらって|もらう|もらい|を依頼|を申し出|の手続きを)]], view = "norm" },
      "凍結歴", "凍結なし", "凍結無し", "未凍結", "凍結されていない", "凍結していない",
      "凍結済み不可", "ロック歴",
      -- a used phone's spec line: ネットワーク利用制限 〇 (no restriction)
      { re = [[利用制限\s*:?\s*(0|〇|○|◯|なし|無し|-)]], view = "norm" },
      -- a chat app's self-deleting messages: このチャットは24時間で自動削除されます,
      -- このメッセージは12時間後に自動で削除されます
      { re = [[(ちゃっと|めっせーじ|とーく|会話|履歴|すれっど|この投稿)[^。]{0,16}自動(的に|で)?\s*(削除|消去|消え)]], view = "norm" },
      -- the lure talked about as a kind of message (停止メールばっか来る, 凍結のSMSが届いた)
      { re = [[(停止|凍結|失効|ろっく|制限|更新)(の)?(めーる|sms|通知|詐欺|めっせーじ)(が|ばっか|ばかり|も|って|きた|来た|来る|届い)]], view = "norm" },
      -- an official lookup of a card's status: 失効情報照会, 失効していないかを照会
      { re = [[失効(情報|していないか|の有無)[^。\n]{0,12}照会]], view = "norm" },
      view = "both", weight = 0,
    },
    -- advisories, news, help pages and password managers
    guard = {
      "フィッシング", "偽サイト", "偽メール", "偽のメール", "偽のサイト", "偽物", "不審なメール",
      "ご注意ください", "注意喚起", "見分け方", "手口", "事例", "協議会", "情報処理推進機構",
      "警察", "逮捕", "容疑", "被害", "詐欺", "パスワードマネージャー", "パスワード管理",
      "自動入力", "保管庫", "マスターパスワード", "拡張機能", "使い回し", "よくある質問",
      "ヘルプセンター", "記事", "ニュース", "解説", "送信元", "クリックしない",
      "開かない", "入力しないで", "入力しない", "送らないで", "教えないで", "お問い合わせ窓口", "講座", "研修",
      "訓練", "解決方法", "相談",
      -- a help page's ログインできない場合; not the threat's 確認できない場合
      { re = [[(^|[^認])できない場合]], view = "norm" }, "助言", "装った", "装う", "かたる",
      "名乗", "文面", "文言", "再設定", "解除方法", "メンテナンス", "社内",
      "チュートリアル", "実装", "小説", "主人公", "紛失", "盗難", "破棄", "公式アプリ",
      "公式以外",
      -- a real notice says it never asks for the data and points away from links
      { re = [[(お願い|お尋ね|お伺い|お聞き|求め|要求)(する|いたす)ことは(一切)?(ありません|ございません)]], view = "norm" },
      { re = [[(りんく|url)(から)?ではなく]], view = "norm" },
      -- a victim telling what happened: カード番号を入力してしまいました
      { re = [[(入力|入れ|送信|登録|教え|打ち込)(し)?(て)?しま(い|っ)(ました|た)]], view = "norm" },
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    local host = host_of(page.url)
    -- the brand's own host asks for the same data
    if host and brands_host(host, m.brand) then return 0 end
    return lib.by_block(page, m, function(m)
      -- the threat and the advice around it are one text; the fields and the
      -- brand belong to the page (the form, the header)
      -- a threat in 「」 is one quoted and asked about (この「不在のため」ってSMS本物?)
      -- a threat inside 「」 in the text or the title: quoted and asked about
      local threat = lib.unquoted(page, lib.outside(m.threat, m.notthreat))
      if #threat == 0 then return 0 end
      -- the fields named where the brand says it never asks for them are no form
      m.login = lib.outside(m.login, m.denied)
      m.card = lib.outside(m.card, m.denied)
      local fields = lib.distinct(m.login, m.card)
      -- the message that leads to the form (an SMS or a post): a brand, its
      -- threat and a link to some other domain, with a deadline, a call to act
      -- or a second threat; the form itself is on the linked page
      local lure = fields == 0 and lib.any(m.brand) and foreign_link(m.link, m.brand) and
        (lib.any(m.deadline) or lib.any(m.enter) or lib.distinct(threat) >= 2)
      if not lure then
        if fields == 0 or (fields < 2 and lib.none(m.enter)) then return 0 end
        -- one field word alone (カード番号 of an ID card) needs a brand or a deadline
        if fields < 2 and lib.none(m.brand) and lib.none(m.deadline) then return 0 end
      end
      local s = lure and 0.6 or 0.55
      if lib.any(m.card) then s = s + 0.1 end
      if fields >= 3 then s = s + 0.05 end
      if lib.any(m.deadline) then s = s + 0.1 end
      if lib.any(m.enter) then s = s + 0.1 end
      if lib.distinct(threat) >= 2 then s = s + 0.1 end
      if lib.any(m.brand) then s = s + 0.05 end
      if lib.in_title(m.brand) then s = s + 0.05 end
      -- a guard beside the threat rules it out; one only in a reply further
      -- down a plain-text thread (one block) weakens it a little
      -- (a lure's own reassurance or its footer's help links, far from the threat,
      -- are the lure's furniture: they only dampen)
      local gn, gf = lib.near_far(m.guard, threat, 200)
      -- a page titled as a warning or a report (詐欺メール報告スレ) frames every
      -- post under it as one near the lure
      if gn == 0 and lib.any(lib.where(m.guard, "title")) then gn = 1 end
      if gn >= 2 or (gn == 1 and gf >= 1) then return 0 end
      if gn == 1 then s = s * 0.75 elseif gf >= 2 then s = s * 0.8 elseif gf == 1 then s = s * 0.9 end
      local ev = lib.near(threat, m.enter, 100) or lib.first(threat)
      return lib.clamp(s), lib.evidence(page, ev, 40)
    end, { page = { "brand", "login", "card", "enter", "denied" } })
  end,
}
