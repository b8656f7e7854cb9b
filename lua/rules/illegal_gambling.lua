-- illegal_gambling.lua - online casinos and betting offered to people in
-- Japan (違法オンラインギャンブル等).
--
-- Betting for money from Japan is 賭博 wherever the server stands, but
-- affiliates and operators advertise it with bonus codes, deposit and
-- withdrawal promises, Japanese support and claims that it is legal
-- abroad. News about arrests, casino-resort (IR) plans, public lotteries,
-- keiba, boat racing, pachinko, addiction support, travel and free social
-- casino games use the same words, so the rule wants a gambling word with
-- at least two kinds of inducement, close together; public-sport, news,
-- IR, addiction and no-cash-out wording switches it off.

return {
  name = "illegal_gambling.online_casino_inducement",
  category = "illegal_gambling",
  author = "patrol",
  description = "an online casino or betting site pushed with bonuses, deposits and sign-up links",
  references = {
    "刑法 第185条（賭博）, 第186条（常習賭博及び賭博場開張等図利）",
    "ギャンブル等依存症対策基本法（令和7年改正 オンラインカジノの誘導の禁止）",
  },
  version = 1,
  threshold = 0.65,
  requires = { "gamble" },

  patterns = {
    gamble = {
      "オンラインカジノ", "ネットカジノ", "ライブカジノ", "カジノ", "オンカジ",
      "スロット", "バカラ", "ブラックジャック", "ルーレット", "ブックメーカー",
      "スポーツベット", "スポーツベッティング", "スポーツブック", "野球賭博", "闇カジノ",
      "裏カジノ", "ポーカー", "仮想通貨カジノ", "シックボー", "クラッシュゲーム",
      "賭け", "ベット", "ブクメ", "ハイロー",
      view = "both",
    },
    -- longer words that make a gambling word something else
    harmless = {
      "カードスロット", "スロットル", "タイムスロット", "拡張スロット", "メモリスロット",
      "スロットカー", "アルファベット", "ポーカーフェイス", "ベットタウン",
      "ルーレットキャンペーン", "ポイントルーレット", "賭けてもいい", "賭けに出",
      "命を賭け", "人生を賭け", "賭けてる", "賭けごと", "賭け事",
      -- バカらしい (silly) in kana reads ばから-
      "バカらし", "バカラしい",
      view = "both", weight = 0,
    },
    bonus = {
      "入金不要ボーナス", "ボーナスコード", "登録ボーナス", "初回入金ボーナス",
      "入金ボーナス", "ウェルカムボーナス", "フリースピン", "キャッシュバック",
      "プロモコード", "プロモーションコード", "紹介コード", "招待コード",
      "賭け条件", "リベート", "フリーベット", "初回入金", "新規登録で",
      view = "both",
    },
    -- money in and out of the site
    cash = {
      "出金", "入金", "換金", "日本円", "即出金", "出金スピード", "賭け金", "勝ち金",
      "仮想通貨で入金",
      view = "both",
    },
    -- the push to sign up or join
    signup = {
      "今すぐ登録", "今すぐプレイ", "無料登録", "登録はこちら", "登録はプロフ",
      "プロフのリンク", "リンクから登録", "こちらから登録", "登録するだけ", "DMください",
      "グループ招待", "参加者募集", "招待", "下のリンク",
      { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      view = "both",
    },
    -- promises of winnings and of a site made for Japan: they only add
    lure = {
      "日本人に人気", "日本人プレイヤー", "日本語対応", "日本語サポート", "日本人向け",
      "必勝法", "勝てる", "稼げる", "稼いだ", "稼ぐ方法", "稼ぐ", "爆益", "億勝ち",
      "高額当選", "配当", "オッズ", "還元率", "ペイアウト", "最高倍率", "倍率",
      "24時間", "スマホで", "始め方", "おすすめ",
      { re = [[\d{4,}\s*勝ち]] },
      view = "both",
    },
    -- claims that it is allowed or safe
    claim = {
      "海外ライセンス", "政府公認", "キュラソー", "マルタ", "合法", "違法じゃない",
      "違法ではない", "グレー", "捕まらない", "バレない", "安全に遊べる", "日本から遊べる",
      "日本からでも",
      view = "both",
    },
    -- public sport and lotteries, news, IR, addiction, travel, free games
    guard = {
      "宝くじ", "ジャンボ", "競馬", "JRA", "競艇", "ボートレース", "競輪", "オートレース",
      "toto", "スポーツくじ", "パチンコ", "パチスロ", "統合型リゾート", "夢洲",
      "カジノ管理委員会", "カジノ事業者", "依存症", "違法です", "違法となります",
      "違法であり", "賭博罪", "単純賭博", "常習賭博", "逮捕", "容疑", "書類送検", "県警",
      "警視庁", "警察庁", "消費者庁", "注意喚起", "報道", "記者", "ラスベガス", "マカオ",
      "旅行", "ソーシャルカジノ", "換金できません", "換金はできません", "賞金はありません",
      "景品", "ゲーム内", "無料ゲーム", "ボードゲーム", "トランプ", "麻雀", "相談窓口",
      "弁護士", "誘導の禁止", "禁止されています", "規制", "問題視", "政府", "国会", "法案",
      "議員", "実態", "専門家", "観戦", "課金", "ガチャ",
      { re = [[(^|[^a-z])ir($|[^a-z])]], view = "norm" },
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      local g = lib.outside(m.gamble, m.harmless)
      if #g == 0 then return 0 end
      local claim = lib.outside(m.claim, m.guard)
      -- a bonus, a sign-up push or a "it is legal" claim must be there
      if lib.none(m.bonus, m.signup, claim) then return 0 end
      local sig = lib.signals(m.bonus, m.cash, m.signup, m.lure, claim)
      if sig < 2 then return 0 end
      local s = 0.55 + 0.15 * (sig - 1)
      local induce = lib.merge(m.bonus, m.cash, m.signup, m.lure, claim)
      local a, b = lib.near(g, induce, 100)
      if not a then s = s * 0.7 end
      local gd = lib.distinct(m.guard)
      if gd >= 2 then return 0 end
      if gd == 1 then s = s * 0.75 end
      return lib.clamp(s), lib.evidence(page, a and lib.span(a, b) or g[1], 40)
    end)
  end,
}
