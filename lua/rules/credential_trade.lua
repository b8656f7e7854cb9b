-- credential_trade.lua - other people's IDs and passwords offered
-- (不正アクセス行為を助長する行為).
--
-- Sellers offer accounts they did not open: leaked or hijacked logins
-- (流出, 乗っ取り), combo lists by the thousand, streaming or shopping
-- accounts "checked" to log in, with the ID and password handed over for a
-- price. Leak notices from companies, news, password-manager help and advice
-- to change passwords use the same words, so the rule wants a credential word
-- next to a sign that the login belongs to someone else (or a bulk quantity),
-- plus an offer and a price or a channel; notice, advice and news wording
-- switches it off.

return {
  name = "credential_trade.logins_for_sale",
  category = "credential_trade",
  author = "patrol",
  description = "other people's IDs and passwords sold, traded or given away",
  references = {
    "不正アクセス行為の禁止等に関する法律 第5条（不正アクセス行為を助長する行為の禁止）",
    "不正アクセス行為の禁止等に関する法律 第6条（他人の識別符号を不正に保管する行為の禁止）",
  },
  version = 1,
  threshold = 0.65,
  requires = { "cred" },

  patterns = {
    cred = {
      "アカウント", "パスワード", "ID/PW", "ID/パス", "IDとパス", "ID・パス", "IDパス",
      "ログイン情報", "垢", "認証情報", "アカウント情報", "コンボリスト", "combo",
      "メアドとパス", "メールとパスワード", "クレデンシャル", "アカウントリスト", "ログインID",
      view = "both",
    },
    -- short Latin tokens count only next to a sign of a stolen login
    short = {
      { re = [[(^|[^a-z_])(id|pw|pass)($|[^a-z_])]], view = "norm" },
    },
    -- the login belongs to someone else
    stolen = {
      "他人の", "流出", "漏洩", "漏えい", "リーク", "抜いた", "抜き取った", "ハック",
      "ハッキング", "乗っ取り", "乗っ取った", "乗っ取", "クラック", "不正ログイン", "フルアクセス",
      "ログイン確認済", "動作確認済", "生存確認済", "ログイン保証", "即ログイン", "ログイン可",
      "ログインできる", "チェック済", "valid", "残高あり", "残高付き", "ポイント付き",
      "ポイント残高", "カード登録済", "支払い情報付き", "コンボ", "dump", "ダンプ",
      "不正入手", "盗んだ", "抜いてきた", "ログイン情報をお渡し", "IDとパスワードをお渡し",
      "IDとパスをお渡し", "IDとパスワードを送", "本人じゃない", "持ち主", "メールも変更可",
      "メアド変更可", "ひも付け変更可", "紐付け変更可",
      view = "both",
    },
    -- prevention, not a leak: 情報漏洩防止のため (a privacy promise)
    notstolen = {
      "漏洩防止", "漏えい防止", "流出防止", "漏洩対策", "漏えい対策", "流出対策",
      view = "both", weight = 0,
    },
    trade = {
      "売ります", "販売", "譲ります", "配布", "共有します", "提供", "格安", "まとめ売り",
      "在庫", "入手可能", "交換", "売買", "卸", "出品", "買います", "買取", "お渡し",
      "売って", "譲渡", "取引", "欲しい人", "欲しい方", "分けます",
      view = "both",
    },
    volume = {
      { re = [[\d[\d,]*\s*(件|個|垢|あか|行)]], view = "norm" },
      { re = [[\d+\s*万\s*件]], view = "norm" },
      "大量", "まとめて", "リスト",
      view = "both",
    },
    pay = {
      "BTC", "ビットコイン", "暗号資産", "仮想通貨", "USDT", "ギフト券", "アマギフ",
      { re = [[\d[\d,]{2,}\s*円]], view = "norm" },
      { re = [[\d+(\.\d+)?\s*万\s*円]], view = "norm" },
      { re = [[[¥$]\s*\d[\d,]*]], view = "norm" },
      view = "both",
    },
    contact = {
      "テレグラム", "telegram", "シグナル", "カカオ", "ジェン", "DMください", "DMで",
      "DMまで", "連絡ください", "ディスコード", "discord",
      { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      view = "both",
    },
    -- leak notices, advice, news and help pages
    guard = {
      "お詫び", "可能性があります", "漏洩チェック", "漏えいチェック", "確認できます",
      "変更してください", "変更をお願い", "二段階認証", "注意", "被害", "逮捕", "容疑",
      "報道", "パスワードマネージャー", "セキュリティ対策", "使い回し", "対策", "記者",
      "調査", "発表", "公表", "相談", "送検", "判決", "ヘルプ", "よくある質問", "設定方法",
      "お客様", "お客さま", "不正アクセス禁止法違反", "犯罪です", "違法です", "規約違反",
      "アカウント停止の対象", "公式", "引退", "フィッシング", "解説", "研究",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      if lib.none(m.trade) then return 0 end
      local s = 0
      local stolen = lib.outside(m.stolen, m.notstolen)
      local c, st = lib.near(lib.merge(m.cred, m.short), stolen, 67)
      if c then
        if lib.none(m.pay, m.contact, m.volume) then return 0 end
        s = 0.7 + 0.1 * lib.signals(m.pay, m.contact, m.volume)
        s = s + 0.05 * math.min(lib.distinct(stolen) - 1, 2)
      else
        -- bulk lots of logins with a price and a channel
        c, st = lib.near(m.cred, m.volume, 20)
        if c and lib.near(m.cred, m.trade, 33) and lib.all(m.pay, m.contact) then
          s = 0.65
        end
      end
      if s == 0 then return 0 end
      local g = lib.distinct(m.guard)
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.7 end
      return lib.clamp(s), lib.evidence(page, lib.span(c, st), 40)
    end)
  end,
}
