-- crime_recruitment.lua - recruiting people to commit crimes (闇バイト).
--
-- Posts promise large, immediate cash for vague easy work (運び, 受け取り,
-- ホワイト案件) and move the conversation to an app that deletes messages.
-- Ordinary job ads also say 日払い and 高収入, freelance gigs say "DMください",
-- and warnings about 闇バイト quote every one of these phrases. So the rule
-- wants a dark-job word with money or secrecy, or vague easy work with money
-- and a secret channel; job-ad or warning wording switches it off.

-- a block that is nothing but quoted phrases: a warning's list of examples
-- (「日給5万」「即日即金」), one per line
local function only_quotes(page, blk)
  if not blk or blk.kind == "title" or not blk.ranges then return false end
  local n = 0
  for _, r in ipairs(blk.ranges) do
    local t = page.text:sub(r.from, r.to)
    t = t:gsub("「.-」", ""):gsub("『.-』", ""):gsub("“.-”", ""):gsub("｢.-｣", "")
    t = t:gsub("[%s%p]", ""):gsub("\227\128[\128-\191]", ""):gsub("\239\188[\128-\191]", "")
    n = n + #t
  end
  return n < 12
end

-- the fraud's role: posing as bank staff or police, and collecting as their
-- staff (金融機関の担当者として封筒やかーどをお預かりし)
local posing_as = {
  re = [[(警察官|警察|刑事|銀行員|銀行の職員|金融機関の職員|役所の職員|協会の職員)(を|と)(名乗|装|偽)]],
  view = "norm",
}
local staff_collecting = {
  re = [[(金融機関|銀行|警察|役所|市役所|区役所|協会|百貨店|家電量販店)の?(担当者|職員|社員|係員|者)として[^\n]{0,30}(お預かり|預か|受け取|回収)]],
  view = "norm",
}

return {
  name = "crime_recruitment.quick_cash_secret",
  category = "crime_recruitment",
  author = "patrol",
  description = "high pay for vague work, paid at once, through a secret channel",
  references = {
    "警察庁 「闇バイト」等の犯罪実行者募集情報への対応",
    "インターネット・ホットラインセンター 重要犯罪密接関連情報",
  },
  version = 1,
  threshold = 0.6,
  triggers = { { "dark", "lure", "vague" }, { "money", "secret", "contact" } },

  patterns = {
    -- words that name the crime job itself
    dark = {
      "闇バイト", "裏バイト", "ホワイト案件", "グレー案件", "高額バイト", "裏案件",
      "受け子", "出し子", "かけ子", "タタキ", "運び屋", "UD案件", "荷物の受け取り",
      "荷物を受け取", "書類の受け取り", "カードの受け取り", "現金の回収",
      "受け取って運ぶ", "裏仕事", "裏の仕事",
      -- the pickup at a house the job names, the drop at a locker: 指定された家で封筒受け取って駅のロッカーに入れるだけ
      { re = [[(指定された|言われた|指示された|こちらが言う)(家|住所|場所|お宅|家庭)で[^。\n]{0,10}(受け取|回収|預か|もらっ)]], view = "norm" },
      { re = [[(駅の)?ろっかーに(入れる|預ける|置く|入れて)だけ]], view = "norm" },
      -- parcels or cash picked up and carried, as a job: 荷物受け取ったりお金を運んだりする仕事
      { re = [[(お金|現金|かーど|きゃっしゅかーど|封筒)を?(運|受け取|受取|回収|引き出|下ろ)(ったり|んだり|ったりする|んだりする|る仕事|す仕事|るだけ|すだけ)]], view = "norm" },
      { re = [[荷物を?(受け取|受取)(ったり|ってする|る仕事|るだけ)]], view = "norm" },
      -- the crime described without its name: posing as bank staff or police,
      -- drawing cash with cards handed over
      posing_as,
      -- the same as a job's duties: 金融機関の担当者として封筒やかーどをお預かりし、指定の場所にお届け
      staff_collecting,
      { re = [[(かーど|きゃっしゅかーど|封筒|通帳)(を|や)[^。\n]{0,10}(お預かり|預かり|受け取り|回収)[^。\n]{0,24}(届け|お届け|渡す|持って(いく|行く)|運ぶ)]], view = "norm" },
      { re = [[(渡された|預かった|他人の)(きゃっしゅ)?かーど.{0,20}(引き出|おろ|下ろ)]], view = "norm" },
      -- the money mule: money paid into the account drawn out and handed on
      { re = [[(振り込まれ|入金され|振込まれ)(たら|た).{0,30}(引き出|下ろ|おろ)(して|し).{0,15}(手渡|渡す|渡して|渡し)]], view = "norm" },
      -- the 出し子 described: cash drawn at the ATM one is sent to and handed over
      { re = [[(指定された|言われた|指示された|決められた)[^。\n]{0,6}atm[^。\n]{0,12}(引き出|下ろ|おろ)[^。\n]{0,12}(渡す|渡して|手渡|届け|持って)]], view = "norm" },
      { re = [[atmで[^。\n]{0,10}(引き出|下ろ|おろ)(して|し)[^。\n]{0,6}(渡す|渡して|手渡し|届ける)だけ]], view = "norm" },
      -- the same jobs posted in Chinese and Vietnamese for foreign residents:
      -- bank cards collected, cash drawn at the ATM (拿卡去ATM取钱, rút tiền ở ATM)
      { re = [[(银行卡|銀行卡|卡).{0,20}(取钱|取錢|取款|提款)]], view = "norm" },
      -- machine-translated: カードを使用してお金を引き出すのみ
      { re = [[かーどを?(使用して|使って|用いて)[^。\n]{0,6}(お金|現金)を?(引き出|おろ|下ろ)]], view = "norm" },
      { re = [[(nhận|lấy|thu) thẻ ngân hàng]], view = "norm" },
      { re = [[rút tiền (ở|tại|từ) atm]], view = "norm" },
      view = "both",
    },
    -- how the recruiters hold people once they answer (警察庁 and the hotline list these
    -- as the marks of 闇バイト): ID and family details up front, a handler giving
    -- orders, no questions, no quitting, a work phone, money advanced
    lure = {
      "身分証の写真", "身分証の画像", "免許証の写真", "保険証の写真", "自撮りを送",
      "実家の住所", "家族の住所", "家族構成", "家族の連絡先",
      -- the ID front and back, and the applicant's friends list as a hostage
      { re = [[(免許証|保険証|身分証|まいなんばー)[^。\n]{0,8}(表と裏|表裏|裏表|両面)]], view = "norm" },
      { re = [[(友だち|友達|ともだち)(りすと|一覧)[^。\n]{0,6}(すくしょ|画像|写真|送)]], view = "norm" },
      "指示役", "指示どおり", "指示通りに動", "言われた通りに動", "連絡どおりに動", "連絡通りに動",
      "中身は聞かない", "中身は知らなくて", "中身は気にしな", "詮索しない", "何も聞かない",
      "途中で抜け", "抜けると損害", "最後までやれる人", "途中でやめると", "辞められない",
      "仕事用の携帯", "携帯はこちらで用意", "スマホはこちらで用意",
      "借金がある人", "借金がある方", "借金ある人", "まとまったお金が必要", "今すぐお金が必要",
      "交通費として先に", "前金として", "前払いで渡", "紹介してくれたら", "紹介料として",
      -- the work told only once hired: 詳しい内容は採用後に説明します
      { re = [[(詳しい|詳細な?)?(内容|仕事内容|業務内容|詳細)(は|については)[^。\n]{0,4}(採用後|採用された後|応募後|面談後|登録後|会ってから)]], view = "norm" },
      "ホワイト案件なので",
      { re = [[(身分証|免許証|保険証|学生証|まいな|在留かーど).{0,20}(写真|画像|こぴー|写し|表裏|写め).{0,8}(送|提出|あっぷ|出して)]], view = "norm" },
      -- no visa asked, ID sent first "so you cannot run" (不问签证, 防止跑路, hết visa cũng nhận)
      "不问签证", "有无签证都可以", "防止跑路", "hết visa cũng nhận", "không cần visa",
      -- whose card or parcel it is does not matter
      { re = [[持ち主(のこと)?(は|を|も)?気にし]], view = "norm" },
      { re = [[(実家|家族|親|両親).{0,4}(住所|連絡先|勤務先|電話番号)]], view = "norm" },
      { re = [[(中身|内容|荷物の中)(は|を|も)?(聞か|知らなくて|気にし|詮索|確認しな)]], view = "norm" },
      { re = [[(途中で|1度始めたら|始めたら)(抜け|やめ|辞め|逃げ)]], view = "norm" },
      { re = [[(仕事用|連絡用|業務用)の?(携帯|すまほ|端末)(は|を)?.{0,6}(用意|渡し|貸し)]], view = "norm" },
      { re = [[(交通費|前金|準備金|支度金).{0,6}(先に|前払い|前渡し)]], view = "norm" },
      view = "both",
    },
    -- it is offered as work
    job = {
      "仕事", "バイト", "案件", "求人", "募集", "稼げ", "稼ぎ", "報酬", "日払い", "日給",
      "働け", "応募", "人材",
      view = "both", weight = 0,
    },
    -- vague easy work
    vague = {
      "簡単なお仕事", "簡単な仕事", "誰でもできる", "スマホ1台", "運ぶだけ",
      "việc nhẹ lương cao", "轻松",
      "受け取るだけ", "未経験OK", "案件", "紹介します", "仕事あります",
      -- the job that cannot be named: 内容はここでは書けない, ちょっとグレー, 言われた通りにやれば
      { re = [[(内容|詳細|詳しく)(は)?(ここ|ここでは|ここじゃ|表では|ここには)[^。\n]{0,4}(書けない|書けません|言えない|言えません)]], view = "norm" },
      { re = [[(ちょっと|少し|やや|若干)\s*ぐれー(だ|です|な|だけど|ですが|けど)]], view = "norm" },
      { re = [[言われた(通り|とおり)に?(やれば|動けば|すれば|動くだけ|やるだけ)]], view = "norm" },
      -- a one-off job, not a single-shot gun (単発のやつ)
      { re = [[単発(の|で)?(ばいと|仕事|お仕事|案件|で稼|でも稼|ok|可)]], view = "norm" },
      view = "both",
    },
    -- an invitation to die together holds people as recruiters do (途中で抜けるのは無し):
    -- with its words and no pay, the post is suicide_inducement's
    dying = {
      "心中", "自殺", "一緒に死", "いっしょに死", "死にたい", "逝きたい", "逝ける", "最期",
      "死ぬ勇気", "じさつ", "志願者", "終わりにしたい", "消えたい",
      view = "both", weight = 0,
    },
    money = {
      "高額報酬", "高収入", "即日即金", "即金", "日給", "日当", "報酬", "即日払い",
      "手渡し", "1回で", "稼げる", "一撃",
      "高薪", "日结", "日結", "当天现金", "trả tiền ngay",
      { re = [[\d[\d,]{4,}\s*円?]] },
      { re = [[\d+(\.\d+)?\s*万]] },
      view = "both",
    },
    -- channels that delete messages, and asking for ID up front
    secret = {
      "テレグラム", "telegram", "シグナル", "signal", "秘匿", "身バレなし",
      "身バレしない", "履歴が残らない", "履歴の残らない", "メッセージが消える",
      "秘密厳守", "身分証の写真", "身分証を送", "誰にもバレない", "捕まらない",
      "警察に捕まる心配", "ジェン", "足がつかない", "wickr", "ウィッカー", "threema",
      "session", "セッション",
      -- messages wiped after the talk: 聊完删记录, xóa hết tin nhắn
      "删记录", "刪記錄", "xóa hết tin nhắn", "xóa tin nhắn", "không nói với ai",
      { re = [[(^|[^a-z])(tg|てれ|てれぐら)($|[^a-zぁ-ゖ])]], view = "norm" },
      view = "both",
    },
    contact = {
      "詳細はDM", "詳しくはDM", "DMください", "DMまで", "ID交換", "プロフのリンク",
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      view = "both",
    },
    -- the thing handed over is a phone contract or a bank account
    handover = {
      "新規契約", "回線", "名義", "口座", "通帳", "SIM",
      view = "both", weight = 0,
    },
    -- the money pays for company (a paid date), not for work: that is
    -- child_solicitation or prostitution, never a crime job by itself
    dating = {
      "会ってくれたら", "会ってくれる", "会える子", "会える女の子", "定期で会", "パパ活",
      "ママ活", "お手当", "大人の関係", "食事や買い物", "ご飯だけ", "食事だけ",
      view = "both", weight = 0,
    },
    -- "no interview" is no ordinary job's wording
    -- the fraud's role given as the job's duty: posing as bank staff or police
    -- to collect cards; no perk of an ordinary job (研修あり) clears it
    role = {
      posing_as,
      staff_collecting,
      view = "norm", weight = 0,
    },
    nolegit = { "面接なし", "面接無し", "面接不要", view = "both", weight = 0 },
    -- the wording of ordinary job ads
    -- a game's heists and crews: GTA's 強盗ミッション, 運び役 in a raid
    game = {
      "ゲーム内", "ゲーム攻略", "オンラインゲーム", "ネトゲ", "GTA", "ミッション", "ヘイスト",
      "クエスト", "ギルド", "レイド", "周回", "ゲーム内通貨", "ゲーム内マネー",
      view = "both", weight = 0,
    },
    legit = {
      "社会保険", "交通費支給", "雇用保険", "有給休暇", "研修制度", "研修あり",
      "正社員登用", "ハローワーク", "株式会社", "有限会社", "応募資格", "勤務地",
      "勤務時間", "試用期間", "時給", "制服貸与", "面接", "労働条件", "納品",
      "ポートフォリオ", "実績",
      view = "both", weight = 0,
    },
    -- "do not apply" said by the recruiter to filter people: 意味が分からない人は応募しないで
    filter = {
      { re = [[(分からない|わからない|冷やかし|本気でない|本気じゃない|覚悟のない|守れない)(人|方)は.{0,4}(応募|連絡)しないで(ください)?]], view = "norm" },
      view = "both", weight = 0,
    },
    -- the wording of warnings and news
    warning = {
      "注意してください", "注意喚起", "に注意", "騙されない", "だまされない",
      "逮捕", "容疑者", "県警", "警視庁", "相談窓口", "#9110", "犯罪です",
      "犯罪に加担", "加担させられ", "抜け出せ", "応募しない", "応募しないで",
      "実行犯", "啓発", "被害", "手口", "警察に相談", "どうしたらいい", "脅されて",
      "応募してしまっ", "送ってしまいました", "送ってしまった", "どうすれば",
      -- the same told in speech: 応募しちゃった, 免許証送っちゃった, 助けてください
      { re = [[(応募|連絡|登録|申し込み?|申込)を?(し|しち)ゃっ]], view = "norm" },
      { re = [[(送|教え|渡|撮)っちゃっ]], view = "norm" },
      "助けてください", "助けて下さい", "誘導され", "って言われて", "と言われて", "抜けたい", "小説", "あらすじ", "ドラマ", "作者", "主人公", "映画", "解説",
      "取材", "漫画", "判決", "懲役", "被告",
      -- advice: do not answer, do not apply, be careful
      "応じないで", "応じないよう", "乗らないで", "乗らないよう", "気をつけ", "気を付け",
      "誘いには", "しないでください", "関わらない", "手を出さない", "安易に",
      -- a city's or a job site's notice: ご注意ください, 不審な求人, 誘い文句の例,
      -- and a company denying it ever asks that (ことは一切ありません)
      "ご注意", "不審な", "誘い文句", "警察相談", "可能性があります",
      -- (not 難しいことは一切ありません, which is the recruiter's own reassurance)
      { re = [[(求め|要求|お願い|請求|確認|お尋ね|伺|聞)[^。\n]{0,8}ことは一切ありません]], view = "norm" },
      -- the recruiter's demand told in the third person: 送るよう求める
      { re = [[(よう|ように)(求める|求められ|求めて|言われ|指示され)]], view = "norm" },
      -- a board's rules naming what is forbidden: 闇バイトの勧誘は通報
      { re = [[(勧誘|募集|書き込み|宣伝)(は|も)(通報|禁止|削除)]], view = "norm" },
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m, blk)
      if only_quotes(page, blk) then return 0 end
      -- a lure quoted in a warning (「高額バイト」の誘い) is mentioned, not offered
      -- the recruiters' holds make a dark job of any work offered: two of
      -- them, or one in a text that offers work
      local lure = lib.unquoted(page, m.lure)
      if lib.distinct(lure) >= 2 or (#lure > 0 and lib.any(m.job)) then
        m.dark = lib.merge(m.dark, lure)
      end
      m.dark = lib.unquoted(page, m.dark)
      -- 闇バイト in a site's notice (闇バイトに注意, 闇バイトの可能性があります) is the
      -- notice's word for such jobs, not the listing's own
      local own = {}
      for _, x in ipairs(m.dark) do
        local after = x.where == "text" and page.text:sub(x.to + 1, x.to + 18) or ""
        if not (x.pattern == "闇バイト" and (after:find("^%s*に注意") or after:find("^%s*の可能性"))) then
          own[#own + 1] = x
        end
      end
      m.dark = own
      m.vague = lib.unquoted(page, m.vague)
      m.money = lib.unquoted(page, m.money)
      m.secret = lib.unquoted(page, m.secret)
      -- a dark word in the title (その求人、闇バイトかも) does not make an offer of
      -- every block: the block must name the job itself
      if blk.kind ~= "title" then
        local own = false
        for _, mm in ipairs(lib.merge(m.dark, m.vague)) do
          if mm.where == "text" and mm.kind ~= "title" then own = true; break end
        end
        if not own then return 0 end
      end
      -- selling one's own phone line or bank account is phone_trade or
      -- bank_account_trade; this rule takes it only with a dark-job word
      if lib.none(m.dark) and lib.any(m.handover) then return 0 end
      if lib.none(m.dark) and lib.any(m.dating) then return 0 end
      if lib.any(m.dying) and lib.distinct(m.money) < 2 then return 0 end
      local s = 0
      if lib.any(m.dark) and lib.any(m.money, m.secret, m.contact) then
        s = 0.7 + 0.15 * (lib.signals(m.money, m.secret, m.contact) - 1)
      elseif lib.all(m.vague, m.money, m.secret) then
        s = 0.8
      elseif lib.all(m.vague, m.money, m.contact) then
        s = 0.5  -- gig posts look like this; not enough alone
        -- the trained model reading the post as a crime job lifts it to the
        -- threshold; the guards below still apply, and the model never clears a post
        s = lib.model_support(s, page, blk, "crime_recruitment", { boost = 0.1 })
      end
      if s == 0 then return 0 end
      -- the recruiters' holds are never an ordinary job's: a company name or
      -- an interview does not clear two of them
      if lib.distinct(lure) < 2 and lib.none(lib.unquoted(page, m.role)) then
        s = lib.clamp(s) * 0.5 ^ lib.distinct(lib.outside(m.legit, m.nolegit))
      end
      s = lib.clamp(s)
      -- a game's crew wanted: a game named in the title, or two game words in the post
      if lib.distinct(m.game) >= 2 or lib.any(lib.where(m.game, "title")) then s = s * 0.5 end
      -- a warning about the job stands next to it; one further off in a text
      -- read as one block (a timeline with its sidebar, a board log) is the
      -- page's furniture (映画, 相談窓口 in a link list) and only dampens
      -- (a job site's standing notice, set apart from the listing by its
      -- buttons, is the site's: far, however close)
      local w, wf = lib.near_far_seg(page, lib.outside(m.warning, m.filter), lib.merge(m.dark, m.vague), 300)
      if w >= 2 then return 0 end
      if w == 1 then s = s * 0.6 end
      if wf >= 3 then s = s * 0.7 elseif wf >= 1 then s = s * 0.9 end
      local job = lib.merge(m.dark, m.vague)
      local ev = lib.near(job, m.money, 100) or lib.first(job)
      return s, lib.evidence(page, ev, 40)
    end, { focus = { "dark", "vague", "lure" } })
  end,
}
