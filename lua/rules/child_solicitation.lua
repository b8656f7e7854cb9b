-- child_solicitation.lua - soliciting minors for sex or paid dates
-- (出会い系サイト規制法の禁止誘引行為, 児童の性的勧誘).
--
-- The posts name an age (JK, 中2, 15歳), paid-date wording or a price
-- (苺 = 1.5万, ホ別) and a meeting. Prevention pages for parents, news,
-- cram schools and uniform shops name ages and prices too, so the rule wants
-- an age with paid-date wording, or an age with both a price and a meeting
-- (or a promise of secrecy), and school, shop or prevention wording switches it
-- off. Secrecy from parents and waived age checks are what groomers promise:
-- no school or shop writes them, so they also outweigh school words.

return {
  name = "child_solicitation.age_price_meeting",
  category = "child_solicitation",
  author = "patrol",
  description = "a minor's age offered with paid-date terms, a price and a meeting",
  references = {
    "インターネット異性紹介事業を利用して児童を誘引する行為の規制等に関する法律 第6条",
    "児童買春、児童ポルノに係る行為等の規制及び処罰並びに児童の保護等に関する法律",
  },
  version = 1,
  threshold = 0.65,
  requires = { "age" },
  triggers = { { "paid", "price" } },

  patterns = {
    age = {
      "JC", "JK", "女子中学生", "女子高生", "中学生", "高校生", "小学生",
      "未成年", "現役JK", "現役JC", "制服デート", "ロリ", "18歳未満", "年齢確認なし",
      { "中1", view = "norm" }, { "中2", view = "norm" }, { "中3", view = "norm" },
      { "高1", view = "norm" }, { "高2", view = "norm" }, { "高3", view = "norm" },
      { "小4", view = "norm" }, { "小5", view = "norm" }, { "小6", view = "norm" },
      "中一", "中二", "中三", "高一", "高二", "高三", "小四", "小五", "小六", "神待ち",
      { re = [[1[1-7]\s*(歳|さい|y/o|yo)]], view = "norm" },
      "中高生",
      -- adults turned away: 18歳以上はNG, 18以上はいらん
      { re = [[18\s*(歳|さい)?\s*以上\s*(の方|の人|の子)?(は|も)?\s*(募集して(い)?な|いらん|いらない|不要|お断り|ng|だめ|無理|ごめん)]], view = "norm" },
      -- 高 1, 中 3: the short school year with a space put in
      { re = [[(^|[^最])(中|高)\s[1-3]($|[^0-9])]], view = "norm" },
      -- the school year: 中学3年, 高校一年, 小学6年生
      { re = [[(中学|高校|小学)\s*[1-6]\s*年]], view = "both" },
      -- spelled in kana (ﾁｭｰｶﾞｸｾｲ, じぇーしー) and 18さい未満
      "ちゅうがくせい", "ちゅーがくせい", "こうこうせい", "こーこーせい", "じぇーしー",
      "じぇーけー", "じぇいしー", "じぇいけー",
      { re = [[18\s*(歳|さい)\s*(未満|みまん)]], view = "norm" },
      view = "both",
    },
    paid = {
      "援交", "援助交際", "円光", "パパ活", "ママ活", "割り切り", "お小遣いくれる",
      -- the fare and something on top: 交通費＋αでお礼する
      { re = [[交通費\s*(\+|と)\s*(a|あるふぁ|お礼|謝礼|お小遣い)]], view = "norm" },
      -- pocket money with a figure: お小遣いは1回 2〜3
      { re = [[お小遣い(は|として|:)?\s*(1回|毎回)?\s*\d]], view = "norm" },
      "お小遣い欲しい", "お小遣いほしい", "サポ", "苺", "ホ別", "ゴムあり", "ゴム有",
      "大人の関係", "条件あり", "P活", "お泊まり", "穂別", "大人あり", "パパ募集",
      "パパ探し", "神待ち", "泊めてくれる", "泊めてくれる人", "お小遣いあげ", "援助して",
      "援助してくれる", "顔合わせ", "定期で", "定期希望", "ホテル代別",
      -- the same words spelled in kana (え◯ん◯こ◯う, ぱぱかつ) and 円募
      "えんこう", "えんこー", "ぱぱかつ", "円募", "ほべつ", "大人の時間", "大人の付き合い", "おこづかいあげ", "おこづかいくれ",
      view = "both",
    },
    -- longer words that make a paid-date word harmless
    harmless = {
      "苺狩り", "苺大福", "苺ケーキ", "苺のショート", "苺ジャム", "苺パフェ", "苺ミルク",
      "割り切れ", "サポーター", "サポート", "お泊まり会", "お泊まり保育", "お泊まり合宿",
      "援助交際は", "パパ活は", "中二病", "途中", "最高", "中高一貫",
      -- minors turned away by a job ad: 18歳以上（高校生不可）
      { re = [[(高校生|中学生|18歳未満|未成年)(の方)?(は|も)?\s*(不可|お断り|ご遠慮|除く|応募できません|ng)]], view = "norm" },
      view = "both", weight = 0,
    },
    price = {
      { re = [[\d+(\.\d+)?\s*万]] },
      { re = [[\d[\d,]{3,}\s*円]] },
      { re = [[[¥]\s*\d[\d,]{3,}]] },
      -- 2万, ５万, ②万 read as 20000 in the norm view; 30k, ¥100k
      { re = [[(^|[^\d,.\-])[1-9]\d{0,2}0000($|[^\d,\-])]] },
      { re = [[(^|[^a-z0-9.,])[1-9]\d{0,2}k($|[^a-z])]] },
      -- a bare amount with the verb of paying: 1回2.5出す, 2出します
      { re = [[(^|[^0-9.,])\d{1,2}(\.\d)?\s*(出す|出します|だす|だします|払う|払います)]] },
      -- ten-thousand-yen notes counted: 3枚出す, 三枚だす
      { re = [[(^|[^0-9.,])\d{1,2}\s*(枚|まい)\s*(出す|出します|だす|だします|払う|払います|あげ|渡す)]] },
    },
    meet = {
      "会える", "会いたい", "会いませんか", "待ち合わせ", "今から会", "ホテル",
      "お泊まり", "迎えに来", "迎えに行", "会ってくれる",
      "会って", "会おう", "会えたら", "一人で来", "面会", "遊び相手", "お茶相手",
      "ご飯相手", "食事相手", "デート相手", "遊んでくれ",
      "会えます", "会いましょう", "来てくれ", "来られる子", "付き合ってくれ", "ご飯行", "泊めたる", "泊めてあげ",
      view = "both",
    },
    contact = {
      { re = [[(^|[^a-z])dm($|[^a-z])]], view = "norm" },
      "カカオ", { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      "連絡", "駅", "今日", "今から", "放課後",
      -- the messengers groomers move to
      "テレグラム", "telegram", "シグナル", "signal", "セッション", "wechat", "whatsapp",
      "インスタ", "ディスコ", "discord", "カカオ",
      view = "both",
    },
    -- secrecy from parents and school, no age or ID check
    secret = {
      { re = [[(親|保護者|学校|家族|まま|ぱぱ|お母さん|お父さん)(の方)?(や(学校|家族|友達))?(とか)?(に|には|にも)\s*(内緒|ないしょ|秘密|ばれ|言わ|知られ)]] },
      { re = [[親\s*ばれ]] },
      -- 親とか学校には絶対バレない, 警察とか親には言わんといて
      { re = [[(親|両親|親御さん|保護者|学校|家族|警察)[^。、\n]{0,8}(に|には|にも)[^。\n]{0,6}(内緒|ないしょ|秘密|ばれ|言わ|知られ)]] },
      { re = [[(年齢|身分証|身分|身元)(の)?(確認)?(書類)?(の)?(提示|確認)?(は|も)?\s*(しない|しません|しないので|不要|なし|無し|いらない|いりません|求めない|求めません|求めておりません)]] },
      "内緒で", "内緒ね", "内緒だよ", "秘密厳守", "誰にも言わない", "誰にも言わないで",
      { re = [[(内緒|ないしょ|秘密|ひみつ)に(して|できる|しといて|しておいて)]] },
      -- parental consent waived: 保護者の同意・同伴はいりません
      { re = [[(保護者|親|おうちの人|家の人)の?(同意|同伴|許可|承諾)(・|や|と)?(同意|同伴|許可|承諾)?(は|も)?\s*(いりません|いらない|不要|なし|無し|必要ありません|なくて)]] },
      view = "norm",
    },
    -- guard words as the writer uses them: fear of the police, a board's
    -- report link, "leak prevention" of a members' club
    evasion = {
      { re = [[補導(が|は)?\s*(こわ|怖|嫌|いや|やだ|無理)]] },
      -- the adult's advice on keeping clear of the police: 補導されないように気をつけてね
      { re = [[補導(され|に)(ない|ん|ず)?(よう|ように|ないよう)]] },
      { re = [[警察(の人|関係者|の方)?(は|の方は)?\s*(来ないで|お断り|無理|ng|だめ|×)]] },
      { re = [[通報(される|されちゃう|されたら|しないで)]] },
      { re = [[(投稿|書き込み|れす)を通報]] },
      { re = [[警察[^。、\n]{0,8}(に|には|にも)[^。\n]{0,6}(内緒|ないしょ|ばれ|言わ|知られ)]] },
      { re = [[(漏洩|漏えい|流出)防止]] },
      { re = [[保護者の?(同意|同伴|許可|承諾)(・|や|と)?(同意|同伴|許可|承諾)?(は|も)?\s*(いりません|いらない|不要|なし|無し|必要ありません|なくて|できません|お断り)]] },
      { re = [[保護者(の方)?(や(学校|家族))?(に|には)\s*(内緒|ないしょ|ばれ|言わ|知られ)]] },
      view = "norm", weight = 0,
    },
    -- protection, police, news: they rule out the whole text
    guard = {
      "補導", "被害", "防止", "逮捕", "容疑", "啓発", "保護者", "児童買春", "条例",
      "フィルタリング", "相談窓口", "警察", "犯罪です", "教育委員会", "通報", "ニュース",
      "報道", "被告", "判決", "検挙", "非行", "SNS利用", "見守り", "青年会議所",
      "うちの娘", "娘が", "娘は", "娘（", "息子", "うちの子", "我が子", "家の手伝い",
      "事例", "問題になって", "巻き込まれ", "人気を集め", "注意してください",
      -- the teen who was asked and tells of it
      "誘われ", "断りました", "断った",
      view = "both", weight = 0,
    },
    -- a job offer to teens (闇バイト: 稼げる, 荷物を運ぶ) is no date offer
    job = {
      "バイト", "稼げる", "稼ぎたい", "荷物", "受け取り", "運ぶだけ", "案件", "高収入", "日給",
      view = "both", weight = 0,
    },
    -- school, family, shops, fiction: they rule out only the words next to them
    topic = {
      "トラブル", "入試", "学習塾", "部活動", "授業", "受験", "学校説明会", "講習", "受講",
      "教室", "成績", "月謝", "税込", "送料", "店舗", "相場", "調査", "平均", "アンケート",
      "例会", "会員", "いちご狩り", "農園", "参加費", "参加者募集", "自然体験", "合宿",
      "家族", "保育", "修学旅行", "宿泊プラン", "ご家族", "時給", "面接", "勤務",
      "家庭教師", "生徒", "マンガ", "漫画", "ドラマ", "小説", "作品", "対象",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      -- the page's own address is no price (a board thread's ?id=10000)
      m.price = lib.said(m.price)
      -- 「パパ活」「JK」 in quotes: a warning or a story mentions them
      local age = lib.unquoted(page, lib.outside(m.age, m.harmless))
      if #age == 0 then return 0 end
      local paid = lib.unquoted(page, lib.outside(m.paid, m.harmless))
      local secret = lib.unquoted(page, m.secret)
      local meet = lib.outside(m.meet, m.harmless)
      local s = 0
      if #paid > 0 then
        -- a paid-date word alone is talk about it (a teen asking for advice);
        -- an offer also names a price, a meeting, a contact or secrecy
        s = 0.6 + 0.1 * lib.signals(m.price, m.meet, m.contact, secret)
        if lib.distinct(paid) >= 2 then s = s + 0.1 end   -- 苺 ホ別 P活: the code words pile up
      elseif lib.any(m.price) and lib.any(meet, secret)
          and (#meet > 0 or lib.none(m.job)) then
        s = 0.7 + 0.1 * lib.signals(meet, secret) - 0.1
      end
      if s == 0 then return 0 end
      -- protection words next to the offer rule it out; further off in a text
      -- read as one block (a board's posts in one table, its 相談窓口 box below)
      -- they are the page's furniture and only weaken it
      local ev = lib.near(age, paid, 67) or lib.near(age, m.price, 67) or age[1]
      local gn, gf = lib.near_far(lib.outside(m.guard, m.evasion), { ev }, 150)
      if gn >= 2 or (gn == 1 and gf >= 1) then return 0 end
      if gn == 1 then s = s * 0.6 elseif gf >= 3 then s = s * 0.7 elseif gf >= 1 then s = s * 0.85 end
      -- a school's, a family's or a story's words right at the age
      if #secret == 0 and lib.near({ ev }, m.topic, 20) then s = s * 0.5 end
      return lib.clamp(s), lib.evidence(page, ev, 40)
    end)
  end,
}
