-- bank_account_trade.lua - buying and selling bank accounts
-- (預貯金通帳等の譲渡等の誘引).
--
-- Buyers advertise 口座買取 and 通帳売ります with a price or a channel;
-- the accounts end up receiving fraud money. Banks' own pages (口座開設,
-- 通帳の再発行), used-goods buyers who pay "into your account", passbook
-- cases on flea markets and warnings about account fraud use the same nouns,
-- so the rule wants an account word next to a trade word plus a price or a
-- contact, and procedure, shop or warning wording switches it off.

return {
  name = "bank_account_trade.buy_sell",
  category = "bank_account_trade",
  author = "patrol",
  description = "bank accounts, passbooks or cash cards bought, sold or rented",
  references = {
    "犯罪による収益の移転防止に関する法律 第28条（預貯金通帳等の譲渡等）",
  },
  version = 1,
  threshold = 0.65,
  requires = { "account" },

  patterns = {
    account = {
      "口座", "通帳", "キャッシュカード", "ネットバンク", "法人口座", "個人口座",
      "銀行口座", "口座番号", "ロ座",
      -- written in kana or Latin letters to pass filters (こ.う.ざ, コウザ, k0za)
      "こうざ", "つうちょう", { re = [[(^|[^a-z])k[o0]u?za($|[^a-z])]], view = "both" },
      -- in Chinese and Vietnamese, for foreign residents leaving Japan
      "银行账户", "銀行帳戶", "账户", "帳戶", "存折", "银行卡", "銀行卡",
      "tài khoản ngân hàng", "sổ ngân hàng", "thẻ atm",
      -- brokers' shorthand: ネトバン, HJ acc (法人), 個人acc, 法人垢
      "ネトバン",
      { re = [[(^|[^a-z])(hj|bk|個人|法人|bank|ねとばん)\s*(acc|あか|垢|口)($|[^a-z])]], view = "norm" },
      view = "both",
    },
    trade = {
      "買取", "買い取り", "買い取ります", "買います", "売ります", "売って",
      "譲ります", "譲渡", "譲って", "高価買取", "高額買取", "売買", "貸して",
      "レンタル", "郵送するだけ", "送るだけ", "売れます", "現金化", "買取中",
      "売りたい", "買ってくれる",
      "買取り", "買いませんか", "売りませんか",
      -- rental euphemisms (法人口座お借り上げ)
      "借り上げ", "貸し出し", "貸すだけ",
      -- Chinese-language buyers (收购 / 収購 = 買取)
      "收购", "収購", "出售", "回收",
      "mua tài khoản", "thu mua", "bán tài khoản",
      -- machine-translated Japanese: 売るしてください, 買うします
      "売るして", "買うします", "買うする",
      -- taken off your hands, turned into money: 引き取ります, お金に変えませんか
      "引き取ります", "引き取って", "引き取りま", "引き取る", "お金に変え", "わたすだけ", "渡すだけ", "お金に換え", "現金に変え",
      "まるごと買う", "買うよ", "買うで", "買うぞ",
      -- the buyer's polite form: 口座を通帳ごとお譲りいただいています
      "お譲りいただ", "譲っていただ", "ごとお譲り",
      "现金", "变现", "高价收", "长期收", "bán lại", "bibilhin", "we buy", "buy your",
      view = "both",
    },
    -- how buyers of accounts describe the deal, whatever verb they use
    sale = {
      -- one account as the unit of a price, in the text as written (squeezed,
      -- 店番号301） 口座 would read 301口座)
      { re = [[(^|[^\d,.])1\s*口座]], view = "norm" },
      "口座1つで", "口座ひとつで", "口座ありませんか", "ロ座ありませんか",
      "こうざありませんか",
      -- an unused account asked for or turned into money, not talked about
      -- (使ってない口座どうしてる？ 解約しとけ)
      { re = [[(使わなくなった|使って(い)?ない|眠って(い)?る|不要な)\s?(銀行)?(口座|ろ座|通帳|こうざ|こーざ|つうちょう)[^。\n?]{0,15}(ありませんか|ないですか|ないか|持って(る|いる)(人|方|やつ)|ある(人|方)|売|買|譲|貸|お金に|現金に|高く|で稼|お小遣い|募集|引き取|送って)]], view = "norm" },
      "凍結されていない口座", "暗証番号は変えずに",
      "暗証番号そのまま", "通帳とカードだけで", "通帳とカードのセット", "通帳とカードセット",
      "通帳とカード セット", "通帳の写真を送", "トークン付き", "名義変更は不要", "口座を譲って",
      "口座を売って", "口座を貸して", "口座の買取", "口座買取", "通帳買取", "カード買取",
      { re = [[(口座|通帳|きゃっしゅかーど|かーど)(と|・)?.{0,6}(せっと|だけ)で\d]], view = "norm" },
      { re = [[(口座|通帳).{0,3}(1つ|ひとつ|1冊|1口|1件)(で|につき|あたり)]], view = "norm" },
      { re = [[暗証番号(は|を)?(変えず|そのまま|変更せず)]], view = "norm" },
      -- an account shop: stock and delivery, the holder's name kept, a frozen account replaced
      { re = [[(口座|ろ座|通帳)[^。\n]{0,30}(即納|即日納品|納品|在庫あり|在庫一覧|即日発送)]], view = "norm" },
      -- the holder out of reach once sold: 名義人とは連絡つきません
      { re = [[名義人(とは|と|には)[^。\n]{0,4}(連絡(つき|が取れ|とれ)ません|連絡つかない|関係ありません|会うことはありません)]], view = "norm" },
      { re = [[名義(の)?変更(は|が)?(できません|できない|不可|しないで)]], view = "norm" },
      { re = [[凍結(され)?[^。\n]{0,20}(無料で)?(交換|再発送|保証|補償)]], view = "norm" },
      -- plain and casual verb forms right after the noun (口座買う, 通帳売る)
      { re = [[(口座|通帳|きゃっしゅかーど)を?(買う|売る|買い取る|買いたい|売れる|売れば|買ってる|買います)]], view = "both" },
      -- a seller's listing: the account never frozen (counted with the kit below)
      "凍結歴",
      -- the whole deal is mailing the passbook and card: 送っていただくだけ
      { re = [[(通帳|きゃっしゅかーど|かーど).{0,12}(送|郵送し)(って|て)?(いただく|もらう|くれる|頂く)?だけ]], view = "norm" },
      -- the PIN written down and sent with the card
      { re = [[暗証番号(は|を)?.{0,6}(付箋|紙|めも)に?(書|貼)]], view = "norm" },
      { re = [[暗証番号を(書|めも)した?(紙|付箋|めも)]], view = "norm" },
      view = "both",
    },
    pay = {
      "即金", "即日", "高額報酬", "高額で", "報酬", "謝礼",
      { re = [[\d+(\.\d+)?\s*万]], view = "both" },
      -- ten-thousands in slang: 3マソ, 5まん
      { re = [[(^|[^\d])[1-9]\d?\s*(まそ|まん)($|[^a-zぁ-ゖ])]], view = "norm" },
      { re = [[\d[\d,]{3,}\s*円]], view = "both" },
      -- ¥40,000 and 3万 (which the norm view reads 30000)
      { re = [[[¥]\s*\d[\d,]{3,}]], view = "norm" },
      -- paid in stablecoins: 1set 4.5k USDT, 200 USDT
      { re = [[\d+(\.\d+)?\s*k?\s*(usdt|usdc)]], view = "norm" },
      { re = [[(^|[^\d,.\-])[1-9]\d{0,2}0000($|[^\d,\-])]], view = "norm" },
      -- a price range by account type, in ten-thousands: 個人 3～5, 法人 50～
      { re = [[(個人|法人|ねっとばんく|ねっと銀)\s*(口座)?\s*\d{1,3}\s*(~|〜|-|から)]], view = "norm" },
      view = "both",
    },
    contact = {
      "テレグラム", "telegram", "シグナル", { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      { re = [[(^|[^a-z])dm($|[^a-z])]], view = "both" },
      "カカオ", "ジェン", "signal", "DMで", "DMください", "DMまで", "連絡は",
      "連絡ください", "メールください",
      -- the messengers brokers move to: Wickr, Threema, Session, Zalo, WeChat
      "wickr", "threema", "session id", "sessionid", "zalo", "wechat", "微信",
      "whatsapp", "viber", "kakaotalk", "カカオトーク",
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      view = "both",
    },
    -- bank procedures, the law and warnings: they rule out the whole text
    guard = {
      "詐欺", "犯罪収益移転防止法", "犯収法", "犯罪です", "違法です", "罰金", "懲役",
      "警察", "逮捕", "口座開設", "金融庁", "解約", "相続", "再発行", "残高照会", "当行",
      "当金庫", "本人確認書類", "注意喚起", "絶対に売らない", "売ってはいけません",
      "犯罪に利用", "凍結されます", "摘発", "検挙", "送検", "容疑", "通報しました", "通報した",
      -- a bank's or a helper's warning: 法律で禁止されています, 処罰の対象となります
      "禁止されています", "法律で禁止", "処罰の対象", "処罰され", "収益の移転防止",
      "不正に入手", "応じないでください", "絶対にやめ",
      -- a buyer's list of what it will not take: 以下の品物は買取できません
      "買取できません", "買取いたしかねます", "お買取りできません", "買い取りできません",
      "お取り扱いできません",
      view = "both", weight = 0,
    },
    -- what makes up an account when it changes hands
    kit = {
      "通帳", "キャッシュカード", "暗証番号", "届出印", "ネットバンキング", "ログインID",
      -- the same set as foreign buyers list it: 存折＋卡＋密码, sổ + thẻ ATM + mã PIN
      "つうちょう", "存折", "密码",
      -- in the plain kana written to foreign students: あんしょうばんごう
      "あんしょうばんごう", "网银", "sổ", "thẻ atm", "mã pin", "passbook", "atm card",
      { re = [[(^|[^a-z])pin($|[^a-z])]], view = "norm" },
      view = "both", weight = 0,
    },
    -- the buyer's pitch against closing (解約するよりお得, 解約しないで売って):
    -- in that block 解約 is what the writer argues against, not a bank's procedure
    notguard = {
      { re = [[(売|買|譲).{0,40}解約(するより|するくらいなら)]], view = "norm" },
      { re = [[解約(するより|するくらいなら|しないで|せずに?).{0,30}(売|買|譲)]], view = "norm" },
      -- the buyer tells the seller to keep the account open: 解約すんなよ, 口座の解約はしないで
      { re = [[解約[^。]{0,24}(すんな|するな|しないで|しちゃだめ|しては(だめ|いけません)|せんで|せんと|せず)]], view = "norm" },
      -- 解約予定の口座も買います, 解約不要, 解約はもったいない: the pitch, not the procedure
      { re = [[解約(も|は)?(予定|する予定|を考えて|しようと|する前に|前の|不要|しなくて|せんでも|はもったいない|するのはもったいない)]], view = "norm" },
      -- closing called a bother, to sell instead: 解約の手続きは面倒ですよね
      { re = [[解約[^。]{0,10}(面倒|めんどう|めんどくさ|手間|大変)]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- what someone else asked of the writer (口座を売ってと言われました): the
    -- deal is reported, not offered
    told = {
      { re = [[(売って|買って|譲って|貸して|売れ|渡して)[^。\n]{0,3}(と|って)(言われ|頼まれ|誘われ|聞かれ|持ちかけられ)]], view = "norm" },
      -- the would-be seller asking: 売っても大丈夫？, 貸してもいいの
      { re = [[(売|貸|譲|渡)(って|っても|しても|る|るのは)[^。\n]{0,3}(大丈夫|いいの|良いの|いいです|良いです|いいか|問題ない|平気|やばい|まずい)]], view = "norm" },
      -- or asking whether a way of doing it is allowed: 貸すだけなら問題ありませんか
      { re = [[(売|貸|譲|渡)(す|る|って)(だけ|の)?(なら|では|は|でも)?[^。\n]{0,3}(問題(ない|ありません|ないです)|大丈夫|いい|良い|違法)(の|です|でしょう)?(か|\?)]], view = "norm" },
      -- an offer described as a kind, not made: 通帳と…セットで3万とかのやつ
      { re = [[[^。\n>]{0,40}(とか|みたいな|といった|などの)(の)?\s*(やつ|奴|話|手口|勧誘|詐欺|募集|誘い|dm)]], view = "norm" },
      -- what the other side says, reported: 相手は…送るだけでいいと言っています
      { re = [[[^。\n>]{0,30}(と|って)(言って(い)?ます|言ってる|言ってき|言われ)]], view = "norm" },
      -- the offer received, reported: 口座買取のDM、うちにも来ました
      { re = [[[^。\n>]{0,20}の(dm|めーる|めっせーじ|連絡|勧誘|誘い|さそい)[^。\n]{0,10}(来|き|届|あり)]], view = "norm" },
      -- a word named as the buyers' word: れんたるって言い方してるのも
      { re = [[[^。\n>]{0,20}(って|という|と)(言い方|呼び方|言葉|名目|表現|てい)]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- a help page's heading: よくあるご質問：口座の譲渡・売買について
    faq = {
      "よくあるご質問", "よくある質問", "FAQ", "Q&A", "Q＆A",
      view = "norm", weight = 0,
    },
    -- a buyer's heading over what it refuses: everything listed after it
    refused = {
      { re = [[(以下|次|下記)の(品物|もの|商品|品)?(は|を)?[^。\n]{0,6}(買取|買い取り|お買取り|お取り扱い|取り扱い)(でき|いたし|致し)(ません|かねます)]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- shops and everyday money: they rule out only the words right next to them
    topic = {
      "手数料", "査定", "代金", "引き落とし", "古物商",
      "ケース", "カバー", "ハンドメイド", "送料無料", "未使用", "新品", "キャンペーン",
      "お客さま", "ご本人様", "注意", "ポーチ", "通帳記入", "記帳",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      -- the page's own address is no price (a board thread's ?id=10000)
      m.pay = lib.said(m.pay)
      -- 「口座買い取ります」ってDMきた: the deal quoted is mentioned, not offered
      m.trade = lib.outside(lib.unquoted(page, m.trade), m.told)
      m.sale = lib.outside(lib.unquoted(page, m.sale), m.told)
      m.kit = lib.outside(m.kit, m.told)
      -- the first account named with a deal that no shop's or notice's word
      -- stands next to (【留学生注意】 before one pair does not clear the next)
      local a, t
      for _, x in ipairs(m.trade) do
        local y = lib.near(m.account, { x }, 20)
        if y and not lib.near({ lib.span(y, x) }, m.topic, 15) then a, t = y, x break end
      end
      if not a then   -- the deal in the seller's words, unless next to a shop's words
        for _, x in ipairs(m.sale) do
          -- 凍結歴なし is said of game and SNS accounts too: only with the bank kit
          local ok = x.pattern ~= "凍結歴" or lib.distinct(m.kit) >= 2
          if ok and not lib.near({ x }, m.topic, 15) then a, t = x, x break end
        end
      end
      if not a then   -- the kit itself priced: 通帳＋カード＋暗証番号で1セット3万
        for _, x in ipairs(m.kit) do
          local set = lib.within(m.kit, { x }, 40)
          local p = lib.distinct(set) >= 3 and lib.near(set, m.pay, 60)
          if p and not lib.near({ x }, m.topic, 15) then a, t = x, p break end
        end
      end
      if not a then return 0 end
      -- the deal named in a help page's title is the question it answers
      local function titled(x) return x.where == "title" or x.kind == "title" end
      if (titled(a) or titled(t)) and lib.any(lib.where(m.faq, "title")) then return 0 end
      if lib.any(lib.before(m.refused, a)) then return 0 end
      if lib.none(m.pay, m.contact) then return 0 end
      local s = 0.7 + 0.15 * (lib.signals(m.pay, m.contact) - 1)
      s = s + 0.05 * math.min(lib.distinct(m.account) - 1, 2)
      local guard = m.guard
      if lib.any(m.notguard) then
        guard = {}
        for _, x in ipairs(m.guard) do
          if x.pattern ~= "解約" then guard[#guard + 1] = x end
        end
      end
      -- a guard next to the deal rules it out; one in a reply further down the
      -- same text (a plain-text thread is one block) only weakens it
      -- (a site's standing notice far below an ad, 口座の売買は法律で禁止されています
      -- in a classifieds board's footer text, is the site's voice, not the ad's)
      local gn, gf = lib.near_far(guard, { a, t }, 150)
      if gn >= 2 or (gn == 1 and gf >= 1) then return 0 end
      if gn == 1 then s = s * 0.6 elseif gf >= 3 then s = s * 0.7 elseif gf >= 1 then s = s * 0.85 end
      return lib.clamp(s), lib.evidence(page, lib.span(a, t), 40)
    end)
  end,
}
