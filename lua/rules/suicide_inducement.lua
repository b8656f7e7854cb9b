-- suicide_inducement.lua - invitations to die together and offers to help
-- someone die (自殺の誘引・勧誘、集団自殺の呼びかけ).
--
-- What is taken down is the invitation: 一緒に死にませんか, 集団自殺 members
-- wanted, a method and a meeting offered. A person writing that they want to
-- die is not inducing anyone; that post calls for support, not takedown, and
-- the rule leaves it alone. Support pages (いのちの電話, 相談窓口) use the
-- same words and switch the rule off, unless the writer cuts the reader off
-- from them (親には言わないで, 止めに来る人お断り): no support page says that.

-- the worth of a life denied: いなくなっても誰も気づかない (a word of the end,
-- where an inviter says it to the one invited)
local worthless = {
  re = [[(いなくなって|消えて|死んで|しんで)も(誰も|だれも)(気づかない|困らない|悲しまない|気にしない)]],
  view = "norm",
}

-- no way back: 帰りの切符は買わなくていい
local no_way_back = {
  re = [[帰り(の切符|のきっぷ|の電車|の分)(は|も)?\s*(いらない|要らない|買わなくて|不要|必要ない|なし)|帰って(くる|来る)(つもり|予定)は(ありません|ない|なし)]],
  view = "norm",
}

return {
  name = "suicide_inducement.invitation",
  category = "suicide_inducement",
  author = "patrol",
  description = "an invitation to die together, or help to die offered",
  references = {
    "インターネット・ホットラインセンター 自殺誘引等情報",
    "自殺対策基本法",
  },
  version = 1,
  threshold = 0.6,
  triggers = { { "invite", "help", "urge", "company" } },

  patterns = {
    invite = {
      "一緒に死", "いっしょに死", "一緒に逝", "一緒に消えませんか", "集団自殺",
      "心中相手", "心中しませんか", "死にませんか", "死のうよ", "逝きませんか",
      "自殺仲間", "自殺志願者募集", "死ぬ仲間", "道連れ募集", "最期を一緒に",
      "一緒に終わりにしませんか", "一緒に終わらせ", "一緒に消えよう", "死にたい人同士",
      "心中しよう", "一緒に死ねる人", "自殺志願者", "心中希望", "心中仲間", "自殺オフ",
      "死に場所を探", "死ぬ仲間", "最期を共に", "最後を一緒に", "集団で死", "みんなで死",
      "一緒に死んでくれる", "一緒に逝ってくれる", "死ぬ勇気が出ない人", "死ぬ勇気がない人",
      "死ぬ勇気が出ない方", "死ぬ勇気がない方",
      { re = [[(一緒に|いっしょに|共に|ともに|みんなで|皆で|2人で|ふたりで)[^。?!\n]{0,8}(死|逝|しに|消え|きえ|終わりに|おわりに|終わら|おわら)]], view = "norm" },
      -- the same in romaji: issyoni owaro, isshoni shinou
      { re = [[(issyo|issho|isyo)\s*ni\s*(owaro|owarou|shinou|sinou|shino|kieyou|kieyo)]], view = "norm" },
      -- people who want to die, called together: 死にたい人だけ, 死にたい方募集
      -- on the squeezed view too (死◆に◆た◆い人だけ), and in kana (しにたい人だけ)
      { re = [[(死|し)にたい(人|方|ひと|仲間|者)(だけ|募集|集まれ|集合|同士|いませんか|限定|おいで|は(連絡|dm)|へ|に告ぐ|を募)]], view = "both" },
      { re = [[(自殺|心中|死ぬ)(仲間|相手|めんばー|志願者)\s*(を)?\s*(募集|探|集め|集ま|求む)]], view = "norm" },
      -- in kana, spaced (じ さ つ 志 願 者 の 集 ま り): the squeezed view
      { re = [[(じさつ|自殺|しぬ|死ぬ|心中)(志願者|仲間|めんばー)の?(集まり|集い|会|募集|ぐるーぷ)]], view = "squeezed" },
      -- 死 written past filters: いっしょに〇ねる, 4ぬ, 氏のう
      -- (and 一 written with the long-vowel mark or a dash: ー緒に氏のう)
      { re = [[(一緒に|ー緒に|―緒に|-緒に|いっしょに|みんなで|ふたりで|2人で)(〇|○|◯|●|0|4|氏|たひ)(ね|ぬ|の|に)]], view = "squeezed" },
      -- help offered to whoever wants to die: 死にたいなら手伝います
      { re = [[(死にたい|しにたい|終わりにしたい|消えたい|逝きたい)(なら|のなら|人は|方は|人には)[^。\n]{0,6}(手伝|お手伝い|協力し|付き添|力になり)]], view = "norm" },
      -- those without the courage to go alone, called together: ひとりで逝く勇気がない人どうし
      { re = [[(ひとりで|1人で)(逝く|死ぬ|しぬ|氏ぬ|終わる)勇気が(ない|出ない)(人|方)(どうし|同士|で|を|募集)]], view = "norm" },
      -- a group's end planned, with places left: まとめて終わらせる予定, あと1人
      { re = [[(まとめて|一斉に|同じ日に|全員で|集団で|皆で|みんなで)[^。\n]{0,6}(終わら|おわら|終わりに|おわりに|逝|死|消え|きえ)]], view = "norm" },
      { re = [[(終わらせる|終わりにする|逝く|決行する)(予定|計画|日|めんばー)]], view = "norm" },
      { re = [[(終わりに|終わら)(する|したい)(人|方|仲間)(だけ|募集|集まれ|いませんか|へ)]], view = "norm" },
      { re = [[(終わりにしたい|消えたい|死にたい|しにたい|楽になりたい)(人|方)(、|は|も)?.{0,6}(集まって|集まれ|連絡|募集|dm|来て)]], view = "norm" },
      { re = [[(一緒に|いっしょに|みんなで|皆で|2人で|ふたりで|人同士).{0,8}楽にな(り|ろ|れ)]], view = "norm" },
      -- ひとりで苦しむより、二人のほうがきっと楽
      { re = [[(ひとり|1人)で(苦しむ|逝く|死ぬ|終わる)(より|よりも)[^。\n]{0,6}(ふたり|2人|みんな|誰か)(と|の(方|ほう)が|で)]], view = "norm" },
      { re = [[(本当に|本気で)(死|し)にたい(なら|人は|方は).{0,12}(連絡|dm|集ま|来て)]], view = "both" },
      { re = [[(集団|みんな)で?(自殺|じさつ|自死)]], view = "norm" },
      { re = [[(自殺|じさつ|自死|心中)の?(計画|仲間|相手|募集|参加者|めんばー)]], view = "norm" },
      { re = [[終わりにする日を.{0,10}(決め|選)]], view = "norm" },
      { re = [[死ぬ(勇気|決心|覚悟|踏ん切り)が(出ない|ない|つかない|持てない)(人|方|なら)]], view = "norm" },
      { re = [[(決行|実行)(日|の日)?(を|は).{0,10}(決め|相談|話し合)]], view = "norm" },
      -- euphemisms: 終わらせたい人、一緒に行きませんか / 合同での旅立ち
      { re = [[(終わらせたい|終わりにしたい|終わりたい|消えたい|逝きたい|死にたい|しにたい|たひにたい)(人|方|やつ|奴|子|ひと)(、|は|も)?.{0,4}(一緒に|いっしょに|集まれ|集まって)]], view = "norm" },
      -- asked for in a room, then taken aside: 本気で消えたい人いる？いたら個チャで話そ
      { re = [[(終わりにしたい|消えたい|死にたい|しにたい|逝きたい)(人|方|やつ|奴|子|ひと)(い(る|ない|ませんか)|おる|おらん)\s*\??[^。\n]{0,8}(いたら|なら|おったら)[^。\n]{0,10}(個ちゃ|個別|dm|連絡|話そ|話しましょ|ちゃっと|めっせ)]], view = "norm" },
      { re = [[(合同|一緒|いっしょ|共|同じ日).{0,3}(旅立|逝|終わら|終わり|降り)]], view = "norm" },
      -- タヒ / ﾀﾋ for 死, spaced kana (い っ し ょ に し の う)
      { re = [[(一緒に|いっしょに|みんなで)(しのう|たひ)]], view = "squeezed" },
      { re = [[たひ(にたい|のう|にませんか|なない)]], view = "squeezed" },
      { re = [[(死ぬ|しぬ|逝く|終わる|消える)(なら|のなら|んなら)[^。\n]{0,6}(ひとり|1人)(じゃなく|じゃなくて|ではなく|で(は|は)?なく)]], view = "norm" },
      view = "both",
    },
    -- company offered, or a day fixed, for a step the words around name:
    -- ひとりで怖いなら俺が一緒に行ってあげる, 本気なら日にち決めよ (a friend's
    -- offer to go to the doctor together says the same; only near death words)
    company = {
      { re = [[(ひとり|1人)(で|が|は|じゃ)((逝く|死ぬ|しぬ|終わる)(の|こと)?(が|は)?)?(怖い|こわい|不安|寂しい|さみしい|行けない|いけない|逝けない)(なら|のなら|んなら)[^。\n]{0,12}(一緒に|いっしょに|付き添|ついて(いく|行く|いって|行って|く)|(ひとり|1人)じゃなくて(いい|も))]], view = "norm" },
      -- a companion sought for a day and a place already fixed: 一緒に行ける人探してる
      { re = [[一緒に(行ける|逝ける|行ってくれる|逝ってくれる|来てくれる)(人|方|子|やつ)(を)?(探して|募集|いない|いませんか|欲しい)]], view = "norm" },
      -- those who fear dying alone called to write: 死ぬのが怖い人は私にメッセージを
      { re = [[(死ぬ|しぬ|逝く|終わる)のが(怖い|こわい|不安)な?(人|方)(は|へ)[^。\n]{0,6}(私|俺|僕|こちら|こっち|ここ|dm|連絡|めっせーじ|めーる)]], view = "norm" },
      { re = [[(逝く|死ぬ|しぬ|終わる)のが(怖い|こわい|不安)な?(人|方)(同士|どうし)を?(つな|繋|紹介|引き合わせ)]], view = "norm" },
      -- only those who have decided: 決めてる人だけ, 決心の固い方のみ, 本気の人だけDM
      { re = [[(決めてる|決めている|決めた|決心の(固い|ついた)|覚悟(の|が)?(ある|できた|できてる)|本気の)(人|方|やつ|奴|子)(だけ|のみ|限定|へ|に(だけ|限り))]], view = "norm" },
      -- the last push: 終わりにしたい人の背中を押す, 一緒に行きませんか
      { re = [[(終わりにしたい|終わらせたい|死にたい|しにたい|消えたい|逝きたい|決めた|決めてる)(人|方)の背中を(押す|押し|押して|押します)]], view = "norm" },
      { re = [[(ひとりで|1人で)(は)?(できない|出来ない|無理|むり)(なら|のなら|んなら)[^。\n]{0,12}(一緒に|いっしょに|付き合|付き添|そばに|手伝)]], view = "norm" },
      { re = [[最後まで(付き合|付き添|そばに|一緒に|見届け)]], view = "norm" },
      -- one day, one place for all of them: 同じ日に、同じ場所で
      { re = [[同じ日(に|の)[^。\n]{0,6}同じ場所]], view = "norm" },
      { re = [[(本気|決めてる|決めている|覚悟がある|覚悟できてる)(なら|んなら|だったら)[^。\n]{0,6}(日にち|日取り|日|場所|いつ)を?\s*決め(よう|よ|ましょう|ようか)]], view = "norm" },
      view = "norm",
    },
    -- urging one person to die: 今夜中に実行しろ, 早く死ね, この世から消えろ
    urge = {
      { re = [[(早く|さっさと|今夜中に|今日中に|今すぐ|とっとと)(死ね|しね|死んで|逝け|実行しろ)]], view = "both" },
      { re = [[(この世|世の中)から(消えろ|消えて(くれ|よ)|いなくなれ)]], view = "norm" },
      -- 死ね spelled past filters: 氏ね, タヒね, 4ね, タヒんどいて; いつ死ぬの
      { re = [[(早く|はやく|さっさと|今夜中に|今日中に|明日までに|今すぐ|とっとと)\s*(氏ね|4ね|たひね|たひんで|死んどいて|たひんどいて|消えてくれ)]], view = "norm" },
      { re = [[(死|し|氏|4|たひ)ね(死|し|氏|4|たひ)ね]], view = "squeezed" },
      { re = [[いつ(死ぬ|しぬ|たひぬ|消える)の]], view = "norm" },
      -- はよ死ね, 学校来る前に4ね, 安心して消えろ, 決めたなら早い方が楽
      { re = [[(はよ|はよう|はやく)\s*(死ね|しね|氏ね|4ね|たひね|消えろ|逝け)]], view = "norm" },
      { re = [[(前に|までに|うちに)\s*(死ね|しね|氏ね|4ね|たひね)]], view = "norm" },
      { re = [[安心して\s*(消えろ|死ね|しね|逝け|4ね|たひね)]], view = "norm" },
      { re = [[(お前|おまえ|あんた|てめえ|てめー)[^。\n]{0,8}(いなくなったら|消えたら|死んだら|しんだら)[^。\n]{0,10}(喜ぶ|幸せ|助かる|せいせい)]], view = "norm" },
      { re = [[決めた(なら|んなら|のなら)[^。\n]{0,4}早い(方|ほう)が(楽|いい)]], view = "norm" },
      { re = [[無理に生きなくて(いい|も)]], view = "norm" },
      -- told they are worth nothing alive, or that their death would please
      -- their family: お前みたいなのは生きてる価値ない, 消えたほうが家族も喜ぶ
      { re = [[(お前|おまえ|あんた|てめえ|てめー|君|きみ)[^。\n]{0,10}生きて(る|いる)(価値|意味)(なんて|は|が|も)?\s*(ない|無い|ねえ|ねー|ありません)]], view = "norm" },
      { re = [[(消えた|死んだ|しんだ|いなくなった|逝った)(ほう|方)が[^。\n]{0,8}(家族|親|みんな|皆|周り|世の中|世界)[^。\n]{0,4}(喜ぶ|楽になる|幸せ|助かる|ほっとする|ため)]], view = "norm" },
      view = "both",
    },
    -- longer phrases that make an invitation word harmless
    harmless = {
      "死ぬほど", "死ぬ気で", "死ぬまで", "死んだふり", "死にゲー", "死ぬかと思",
      -- a game's deaths: 死にまくる, 死に覚え
      "死にまく", "死に覚え", "死に戻り",
      -- a verb stem + しに is no 死に: 一緒に話しに行こう
      { re = [[[一-龯]しに]], view = "norm" },
      -- a wish the writer fears in themself, not a call: 一緒に死んでくれる人がいたら
      { re = [[(一緒に|いっしょに)死んでくれる(人|ひと)が?(いたら|いれば)]], view = "norm" },
      view = "both", weight = 0,
    },
    help = {
      "手伝います", "お手伝いします", "手伝ってあげ", "楽に死ねる", "確実に死ねる", "楽に氏ねる",
      "苦しまずに", "痛くない方法", "方法教えます", "道具は用意", "用意します",
      "練炭", "硫化水素", "睡眠薬", "車を出します", "揃えます", "分けます", "道具はあります",
      "準備できています", "準備はできて", "用意済み",
      -- the means shared out: 分けてあげる, 用意してある分
      "分けてあげ", "分けてやる", "分けてもいい",
      -- the means got ready by the inviter: 準備はこちらでします, こっちで全部用意してある
      { re = [[(準備|用意)(は|も)?(全部|すべて)?(こちら|こっち|私|俺|僕)(で|が)[^。\n]{0,4}(します|する|やる|やります|しておく|してある|しとく)]], view = "norm" },
      { re = [[(こちら|こっち)で(全部|すべて|ぜんぶ)?(用意|準備)(して(ある|あります|おく|おきます)|します|する)]], view = "norm" },
      -- no pain promised, the dose matched, help counted out: 苦しくないように, 量を合わせて, あと2人まで手伝えます
      "苦しくないように", "苦しまずに済む", "量を合わせて", "量を調整して", "手伝えます",
      "立ち会い", "確実に終われる",
      -- the way known and offered: 確実で苦しまない方法なら僕が知ってる
      { re = [[方法(なら|は|も)?[^。\n]{0,4}(僕|私|俺|こっち|わたし)が?(知って|教え)]], view = "norm" },
      { re = [[(用意|準備)して(ある|あります|おいた|おきました)(分|もの|物|から)]], view = "norm" },
      -- the means left unnamed: 楽に終われる方法
      { re = [[(楽に|確実に|苦しまずに)(終われ|逝け|死ね)る]], view = "norm" },
      { re = [[(苦痛|苦しみ)の?(少ない|ない)(方法|やり方)]], view = "norm" },
      { re = [[(やり方|方法|死に方)(が)?(わからないなら|知らないなら|は)?.{0,4}教えて(やる|あげる)]], view = "norm" },
      { re = [[本気なら.{0,4}手伝]], view = "norm" },
      "最後まで付き添", "最後まで見てて", "確実・苦しまない", "確実で苦しまない",
      -- the helper's own words: 最期の手伝い, 終われるように付き添います
      "最期の手伝い", "最期のお手伝い", "最期を手伝", "最期まで付き添",
      "最後まで一緒にい", "最期まで一緒にい", "付き添ってあげ", "当日付き添",
      -- the way to end offered: 確実に終われるやり方、知りたいなら; 準備はしてある
      { re = [[(終われる|死ねる|逝ける|楽になれる)(やり方|方法)]], view = "norm" },
      { re = [[準備(は|も)?(ちゃんと)?(して|できて)(ある|あります|る)]], view = "norm" },
      { re = [[(終われる|逝ける|死ねる|楽になれる)(ように|よう)[^。\n]{0,6}(付き添|手伝|見届け|案内)]], view = "norm" },
      -- the helper who pushes and will not stop you: 背中を押す, 止めたりしません
      "背中を押", { re = [[(止め|とめ)(たり)?(は)?しません]], view = "norm" },
      { re = [[(終わりに|おわりに|死に|じさつ|自殺)(する|したい)(人|方)(の|へ|に)?(お手伝い|おてつだい|手伝)]], view = "squeezed" },
      view = "both",
    },
    -- what the help is for: dying, said or euphemized; help offered with none
    -- of it near (爆薬を分けます, 道具は用意します) is some other trade
    death = {
      "死", "逝", "最期", "終われ", "終わりに", "終わら", "自殺", "じさつ", "自死", "心中", "たひ",
      "楽にな", "練炭", "硫化水素", "睡眠薬", "旅立", "消えたい", "この世",
      "おわりに", "おわら", "おわれ", "きえたい",
      -- 死 written as 氏 to pass filters: 氏ねる, 氏にたい
      "氏ね", "氏ぬ", "氏にたい", "氏のう",
      -- the last journey, one way: 最後の旅, ちゃんと終わりたい
      "最後の旅", "終わりたい",
      -- no way back: 帰りの切符は買わなくていい, 片道切符
      no_way_back,
      "片道切符", "目を覚ましたくない", "生きなくていい", "生きなくてもいい",
      worthless,
      view = "both", weight = 0,
    },
    -- the end itself named (company offered must stand next to one of these,
    -- not to any 死: 死者を悼む, 死ぬほど楽しみ)
    ending = {
      "自殺", "じさつ", "自死", "心中", "死にたい", "しにたい", "死ぬ", "しぬ", "死の", "逝く",
      "氏ね", "氏ぬ", "氏にたい", "氏のう",
      -- the last journey, one way: 最後の旅, ちゃんと終わりたい
      "最後の旅", "終わりたい",
      "逝き", "逝け", "最期", "終わりにしたい", "終わらせる", "終わらせたい", "終わりにする",
      "消えたい", "楽にな", "練炭", "睡眠薬", "この世", "幕を引く", "片道切符",
      "目を覚ましたくない", worthless, "終わりを迎え", "この世界から",
      no_way_back,
      view = "both", weight = 0,
    },
    meet = {
      { re = [[(^|[^a-z])dm($|[^a-z])]], view = "norm" },
      "連絡", "カカオ", { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      "テレグラム", "待ち合わせ", "集合", "決行",
      -- the channels such posts give: mail, an address, a secret chat app's ID
      "メール", "メアド", "threema", "signal", "シグナル", "session", "telegram", "wickr",
      "kakao", "カカオトーク", "テレグラム", "ディスコード", "discord", "送ってください",
      { re = [[[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)+]], view = "norm" },
      { re = [[(^|[^a-z])id\s*(を|は)]], view = "norm" },
      "当日", "日時", "場所", "迎えに行", "車で", "募集", "条件",
      view = "both",
    },
    -- support pages and prevention
    support = {
      "いのちの電話", "相談窓口", "よりそいホットライン", "こころの健康相談",
      "こころの相談", "自殺対策", "自殺予防", "厚生労働省", "まもろうよこころ",
      "話を聞かせて", "ひとりで抱え込まない", "一人で抱え込まない", "相談してください",
      "支援", "カウンセリング", "専門家", "#いのちSOS", "チャット相談", "傾聴",
      "生きてほしい", "報道", "容疑者", "逮捕", "遺族", "看取り", "終活",
      "安楽死", "尊厳死", "法制化", "無理心中", "一家心中", "通報", "放送",
      "死なないで", "生きていてほしい", "ゲートキーパー",
      -- court and crime news: 自殺ほう助 trials quote the invitation as evidence
      "自殺ほう助", "自殺幇助", "判決", "懲役", "地裁", "被告", "起訴",
      view = "both", weight = 0,
    },
    -- the means left unnamed (必要なものはこちらで用意): every event or camp says
    -- it too, so it counts only with an invitation
    means = {
      { re = [[(必要なもの|必要な物|道具|物品|準備)(も|は|を)?(全部|すべて|一式|ぜんぶ)?.{0,6}(用意|揃え|そろえ|渡せ|渡し|送る|届け|こちら持ち|こっち持ち|こちらで|こっちで|ほうで|方で)]], view = "norm" },
      view = "both",
    },
    -- the reader cut off from help: tell no one, no one who would stop it
    isolate = {
      { re = [[(親|家族|先生|友達|友人|周り|誰)(とか|や)?(先生|友人|友達)?(には|にも|に)(絶対|絶対に)?\s*(言わないで|言うな|話さないで|内緒|秘密|ご相談は)]], view = "norm" },
      { re = [[(止めに来る|止める|通報する|通報目的の|説得する|説教する)(人|方|やつ)(は|、|・)?.{0,10}(お断り|禁止|無理|来ないで|ng|いらない|ご遠慮)]], view = "norm" },
      -- 親にも学校にも言っちゃだめ
      { re = [[(親|家族|先生|学校|友達|友人|周り|誰)[^。、\n]{0,8}(には|にも|に)[^。\n]{0,4}(言っちゃだめ|言ったらだめ|言っては(だめ|いけない)|話しちゃだめ|言わないで|言うな)]], view = "norm" },
      "止められて終わり", "止められるから", "止められちゃう", "決意を鈍らせ",
      view = "both", weight = 0,
    },
    -- help waved away is no help: 相談窓口なんて役に立たない
    -- the wish told as the writer's own thought, to no one: 一緒に死んでくれる人
    -- いないかなとか考えてしまう is a person in need, not an invitation
    musing = {
      { re = [[[^。\n>]{0,30}(いないかな|いないかなあ|いないかなぁ|いたらな|いたらいいのに|いればいいのに|いればな|いてくれたら)[^。\n]{0,4}(とか|って|と|なんて)?\s*(考え|思っ|思う|思い|妄想|願っ|夢見)]], view = "norm" },
      { re = [[[^。\n>]{0,30}(とか|なんて)\s*(考えて|思って)しま]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- an invitation told as someone else's words: 一緒に死のうって言って呼び出して
    reported = {
      { re = [[[^。\n>]{0,30}(って|と)(言って|言われ|誘って|誘われ|書いて|書かれ|呼びかけ|持ちかけ|ささやい|囁い)]], view = "norm" },
      view = "norm", weight = 0,
    },
    dismiss = {
      { re = [[(相談窓口|いのちの電話|相談|支援|かうんせりんぐ|専門家|病院|医者)(なんて|とか|は|も)(役に立たない|役にたたない|意味(が)?ない|無駄|むだ|信用できない|あてにならない|頼りにならない|助けてくれない)]], view = "norm" },
      -- the advice the writer promises not to give: 「相談窓口に電話しろ」とかは言いません
      { re = [[(相談窓口|いのちの電話|かうんせりんぐ|病院|生きろ)[^。\n]{0,16}(とか|なんて)[^。\n]{0,8}(言いません|言わない|しません|勧めません|すすめません)]], view = "norm" },
      view = "both", weight = 0,
    },
    -- what a work of fiction, a hobby or a product is: harmless only next to the words
    topic = {
      "ペット", "歌詞", "映画", "ドラマ", "アニメ", "小説", "漫画", "作品", "バンド", "登山",
      "こたつ", "七輪", "火鉢", "暖房", "販売", "医師", "処方", "薬局", "温泉", "入浴剤",
      "セリフ", "感想", "レビュー", "ゲーム", "曲", "主人公",
      -- the stage and the old stories: 曽根崎心中 on a review blog, 道行 and 心中物
      "浄瑠璃", "歌舞伎", "文楽", "近松", "心中物", "演目", "上演", "公演", "観劇", "戯曲",
      "あらすじ", "道行",
      -- a game's deaths: 全滅するし一緒に死のう, ボス戦
      "ボス", "全滅", "リスポーン", "残機", "レイド", "ボス戦", "ゲームオーバー",
      -- food eaten to bursting: 一緒に逝こうぜ、二郎系好きのみんな
      "ラーメン", "二郎", "完食", "大盛", "食べ放題", "激辛", "ヤサイマシ",
      view = "both", weight = 0,
    },
    -- places named after a topic: passing a cinema quotes no film
    venue = {
      "映画館", "ゲームセンター", "ゲーセン", "ゲーム売り場", "アニメショップ", "歌舞伎町",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m, blk)
      local urge = lib.outside(m.urge, m.harmless)
      -- 「一緒に死のう」 in quotes: a prevention page or news names it
      local invite = lib.merge(lib.unquoted(page, lib.outside(lib.outside(lib.outside(m.invite, m.harmless), m.musing), m.reported)), urge,
                               lib.unquoted(page, lib.within(m.company, lib.outside(m.ending, m.harmless), 160)))
      if #invite == 0 and #m.help == 0 then return 0 end
      local isolate = lib.unquoted(page, m.isolate)
      local s
      if #urge >= 2 then
        -- one person told to die again and again: no meeting needed
        s = 0.9
      elseif #invite > 0 then
        s = 0.6 + 0.2 * lib.signals(lib.merge(m.help, m.means), m.meet)
      else
        -- help to die offered with a way to reach the helper
        -- (the things needed supplied counts as a second kind: 必要なものはこちらでそろえます)
        local kinds = lib.distinct(m.help) + (lib.any(lib.unquoted(page, m.means)) and 1 or 0)
        if not lib.all(m.help, m.meet) or kinds < 2 then return 0 end
        -- (two kinds of help in one post reach further: 苦しまずに済むように準備は
        -- こちらでします three sentences after 帰りの切符は買わなくていい)
        if not lib.near(m.help, m.death, 200) then return 0 end
        s = 0.65
      end
      -- the trained model supports, never vetoes: a post it reads as an
      -- invitation to die is surer before the guards below weigh it
      s = lib.model_support(s, page, blk, "suicide_inducement")
      -- support named at the invitation rules it out; in a text read as one
      -- block (a timeline with its replies, a sidebar's hotline list) support
      -- further off is another voice, and only dampens
      local g, gf = lib.near_far(lib.outside(lib.outside(m.support, m.dismiss), m.isolate),
                                 lib.merge(invite, m.help), 150)
      if #isolate == 0 then
        if g >= 2 or (g == 1 and gf >= 1) then return 0 end
        if g == 1 then s = s * 0.7 elseif gf >= 2 then s = s * 0.8 end
      end
      -- a film's or a song's words: the topic right next to the invitation
      if lib.near(lib.merge(invite, m.help), lib.outside(m.topic, m.venue), 30) then s = s * 0.5 end
      -- a page titled after a game, a film or a book (ボス攻略スレ): its posts
      -- speak its language (みんなで死んで強くなる); an invitation with help or
      -- means offered still stands
      if lib.any(lib.where(lib.outside(m.topic, m.venue), "title")) then s = s * 0.7 end
      return s, lib.evidence(page, lib.first(invite, m.help), 40)
    end, { focus = { "invite", "help", "urge", "company" } })
  end,
}
