-- weapons_explosives.lua - handguns, ammunition and explosives offered for
-- sale or to order (爆発物・銃砲等の製造、拳銃等の譲渡、銃砲等所持関連).
--
-- Sellers name the thing, often in slang (チャカ, ハジキ, 道具 with 弾付き),
-- insist that it is real (実銃, 撃てる, 足がつかない) and add a price and a
-- channel that leaves no trace. Arrest reports, gun-control news, airsoft
-- shops, licensed gun shops and hunting courses, fireworks and games use the
-- same nouns, so the rule wants the weapon word with at least two of offer,
-- price, channel, "it is real" and a how-to (a maker's manual), close
-- together; news, toy, licence, fireworks and fiction wording switches it off,
-- except where the seller waives the licence (許可証は不要), asks no questions
-- or turns police and informers away (通報目的の方はご遠慮ください).
-- Quoted offers (a police page's examples) are mentions; in a one-block
-- thread log, guards in other posts only dampen the offer.

-- an airgun past the law's limit (0.98 J, 3.5 J): a weapon, and no hobby's
local past_limit = {
  re = [[(規制値|法定(の)?(上限|威力|基準)|0\.98\s*j?|〇\.98\s*j?|3\.5\s*j)[^。\n]{0,16}(超え|越え|を超|こえ|気にしない|無視|撤廃|解除|おーばー)|(ほうてい|法定|法規制)\s*\??\s*(気にしない|無視|関係ない|お構いなし)]],
  view = "norm",
}

return {
  name = "weapons_explosives.offer",
  category = "weapons_explosives",
  author = "patrol",
  description = "guns, ammunition or explosives offered with a price or a secret channel",
  references = {
    "銃砲刀剣類所持等取締法 第3条, 第31条の2（拳銃等の譲渡し）",
    "爆発物取締罰則",
    "インターネット・ホットラインセンター 重要犯罪密接関連情報（爆発物・銃砲等）",
  },
  version = 1,
  threshold = 0.65,
  requires = { "weapon" },

  patterns = {
    weapon = {
      "拳銃", "けん銃", "チャカ", "ハジキ", "トカレフ", "マカロフ", "グロック",
      "ベレッタ", "リボルバー", "実銃", "真正拳銃", "改造銃", "改造拳銃", "密造銃",
      "手製銃", "短銃", "ピストル", "散弾銃", "ライフル銃", "猟銃", "実弾", "実包",
      "銃弾", "弾丸", "弾薬", "爆弾", "爆発物", "爆薬", "ダイナマイト", "手榴弾",
      "手りゅう弾", "プラスチック爆弾", "雷管", "起爆装置", "時限装置", "パイプ爆弾",
      "黒色火薬", "無煙火薬", "サプレッサー", "消音器", "マガジン付き",
      -- a blade sold to be used on people, or a double-edged dagger (a 剣 under the
      -- law whatever the listing calls it): 対人用 タクティカルナイフ, 両刃…刃渡り18cm
      { re = [[(対人用|対人戦用|人を刺す|相手を刺す|殺傷用)[^。\n]{0,12}(ないふ|だがー|刃物|すたんがん)]], view = "norm" },
      { re = [[(両刃|だがー)[^。\n]{0,20}刃渡り|刃渡り\s*\d+\s*cm[^。\n]{0,20}(両刃|だがー)]], view = "norm" },
      -- a device made to order for those fireworks do not satisfy: 市販の花火では物足りない方へ。大きな音と威力が出る物を製作します
      { re = [[花火(では|じゃ|で)?物足りない[^\n]{0,80}(製作し|お作りし|作ります|作成し|おーだーめいど|おーだー製)]], view = "norm" },
      -- detonators in kana, spaced or not (でんき らいかん: the squeezed view)
      { re = [[(でんき|電気|工業用)(らいかん|雷管)]], view = "squeezed" },
      { re = [[(^|[^a-z0-9])(c-?4|tnt)($|[^a-z0-9])]], view = "norm" },
      -- written in kana (ば く だ ん, ﾊﾞｸﾀﾞﾝ), and チャカ with look-alikes (ちや力: kanji 力)
      "ばくだん",
      { re = [[ちや(か|力)|ちゃ力]], view = "both" },
      -- counted the way dealers count them: トカ1丁 (a Tokarev), タマ15発付き, 道具（本物）
      { re = [[(とか|まか|とかれ|ちゃか|はじき|道具|ぐろ)\s*\d{1,2}\s*丁]], view = "norm" },
      { re = [[(たま|弾|実弾|弾薬)\s*\d{1,3}\s*発\s*(付|つき|込|入り|あり|せっと|おまけ)]], view = "norm" },
      { re = [[道具\s*\(?\s*(本物|ほんもの|ほんまもん|ほんもん|実物)]], view = "norm" },
      -- guns printed at home, and their files
      "ゴーストガン", "3Dプリンター銃", "3Dプリンタ銃", "3Dプリント銃", "自作銃", "手作り銃",
      { re = [[3d\s*(ぷりんたー?|ぷりんと)[^。\n]{0,8}(作れる|作った|製|出力した|出力できる)?の?(銃|拳銃|ぴすとる|がん)($|[^器撃声])]], view = "norm" },
      { re = [[(銃|拳銃)の?\s*(stl|でーた|設計でーた|cad)]], view = "norm" },
      -- an airgun made stronger than the law allows is a weapon (準空気銃)
      "準空気銃", "金属弾も撃て", "金属弾が撃て",
      { re = [[(改造済み?|改造品|違法改造|ぱわーあっぷ済み?|ぱわーあっぷ品|ぱわーあっぷして(あり|あります|ある))[^。\n]{0,24}(がすがん|えあがん|えあーがん|電動がん|はんどがん|長物|らいふる)]], view = "norm" },
      { re = [[(がすがん|えあがん|えあーがん|電動がん|はんどがん)[^。\n]{0,24}(改造済み?|改造品|違法改造|ぱわーあっぷ済み?|ぱわーあっぷ品|ぱわーあっぷして(あり|あります|ある))]], view = "norm" },
      past_limit,
      -- in a foreign seller's English
      { re = [[(^|[^a-z])(glock|beretta|handgun|pistol|revolver|ar-?15|ak-?47|hand\s*grenade|grenade|suppressor|silencer|ammo|ammunition)($|[^a-z])]], view = "norm" },
      view = "both",
    },
    -- longer words that make a weapon word something harmless
    harmless = {
      "おはじき", "爆弾低気圧", "爆弾発言", "爆弾おにぎり", "爆弾ハンバーグ",
      "カロリー爆弾", "爆弾セール", "爆弾処理班", "弾丸ツアー", "弾丸旅行", "弾丸トーク",
      "弾丸ライナー", "ダイナマイト打線", "ダイナマイトボディ", "スターターピストル",
      "ピストル型", "ピストルノズル", "ピストルグリップ", "水鉄砲", "鉄砲玉",
      "爆弾ゲーム", "時限爆弾ゲーム",
      -- a toy shop's disclaimer: 実銃ではありません, not a real gun
      { re = [[(実銃|本物|真正拳銃)(では|じゃ)(ありません|ない|ございません)]], view = "norm" },
      { re = [[not\s+(a\s+)?real(\s+(gun|firearm|weapon))?]], view = "norm" },
      { re = [[ばくだん(おにぎり|焼|やき|はんばーぐ|げーむ|低気圧|発言|せーる|丼|どん|いなり|ぱん|こおり|かき氷)]], view = "both" },
      { re = [[(とかれふ|拳銃|けん銃|手榴弾|手りゅう弾|爆弾|ぐろっく|りぼるばー|だいなまいと|まかろふ|ちゃか)(型|風|柄|もちーふ|ぽい)]], view = "both" }, "TNT便", "TNTエクスプレス", "TNT Express",
      view = "both", weight = 0,
    },
    offer = {
      "売ります", "譲ります", "販売", "在庫", "入荷", "取引", "手渡し", "発送", "郵送",
      "即納", "即日", "受け渡し", "譲渡", "卸します", "用意できます", "用意します",
      "調達", "製造代行", "作ります", "作成します", "製作します", "承ります", "欲しい方",
      "買います", "買い取ります", "お譲り", "流します", "回せます", "ご用命", "注文",
      "譲る", "売る", "譲れます", "売れます", "手放します", "手放す",
      -- casual: 回せるよ, 流せる, 〜丁まで (a count of guns on offer)
      "回せる", "流せる", "丁まで", "丁あり", "丁在庫", "丁用意",
      -- data or goods handed out: 頒布します, データ希望
      "頒布", "配布します", "データ希望", "欲しい人", "いる人おる", "いる人いる",
      -- a foreign seller's English: have Glock 17, ship to Japan ok, ask price
      { re = [[(for sale|selling|ship(ping)? to japan|ask (for )?price|in stock|(we|i) (have|sell)|pay (in )?(btc|usdt|crypto|bitcoin))]], view = "norm" },
      -- in dialect or casual speech, right after the weapon: ちゃか いる人おる？ まかろふ あるで
      { re = [[(ちゃか|はじき|拳銃|まかろふ|とかれふ|どうぐ|実弾|たま)[^。\n]{0,12}(あるで|あるよ|あるけど|ありまっせ|おるで|いる人|要る人)]], view = "norm" },
      -- as translated arms-dealer spam writes it
      "提供します", "供給者", "出荷します", "配達します",
      view = "both",
    },
    price = {
      { re = [[\d[\d,]{2,}\s*円]] },
      { re = [[\d+(\.\d+)?\s*万]] },
      -- the norm view reads 80万 as 800000
      { re = [[(^|[^\d,.])[1-9]\d{4,}($|[^\d])]] },
      { re = [[[¥$]\s*\d[\d,]{2,}]] },
      { re = [[\d+\s*(発|丁)\s*\d[\d,]{2,}]] },
      -- the dealers' count in ten-thousands, in old kanji: 参拾で (300,000 yen), 予算四拾まで
      { re = [[拾\s*(で|まで|から|なら|万)]] },
      { re = [[(予算|値段|価格|込みで|こみで|いくら)[^。\n]{0,4}[1-9]\d{0,2}\s*(で|まで|から|万|k)]] },
      -- a foreign seller's price: 3500 USD, 900 dollars
      { re = [[\d[\d,.]*\s*(usd|us\$|どる|dollars?|usdt|btc)($|[^a-z])]], view = "norm" },
    },
    contact = {
      "テレグラム", "telegram", "シグナル", "signal", "wickr", "ウィッカー", "threema",
      "カカオ", "秘密厳守", "捨てアド", "フリーメール", "DMください", "DMで", "DMまで",
      "連絡ください", "連絡先", "ご連絡", "問い合わせは",
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      { re = [[line\s*id]], view = "norm" },
      view = "both",
    },
    -- how to make one, handed over: the taxonomy's 製造 as much as a sale
    howto = {
      "作り方", "作りかた", "製造方法", "製造法", "作成方法", "製作方法", "製法", "自作方法",
      "作る方法", "造り方", "組み立て方", "マニュアル", "図解", "設計図", "製造手順",
      view = "both",
    },
    -- "it is the real thing" and "no trace"
    real = {
      "本物", "実物", "実銃", "真正", "弾付き", "弾セット", "弾つき", "撃てる", "実働",
      -- a blade's or a stun gun's seller on what it does to a person
      "刺さりやすい", "一撃で動けなく", "確実に相手を", "職質対策", "職務質問対策", "隠し鞘",
      "撃てた", "撃てます", "金属探知機に反応",
      "試射動画", "100% real", "real gun", "not airsoft", "not replica",
      "発射可能", "実射可能", "試射済み", "動作確認済み", "殺傷能力", "足がつかない",
      "足のつかない", "番号削り", "シリアル削除", "出所不明", "裏ルート", "闇ルート",
      "密輸", "海外ルート", "警察の心配", "一発で", "威力", "おもちゃじゃない",
      "おもちゃではない", "モデルガンじゃない", "モデルガンではない", "玩具ではない",
      -- the licence waived: 許可証なしでOK, 登録や手続きは不要, ご提示は不要
      { re = [[(許可|免許|免状|登録|手続|提示)[^。\n]{0,20}(不要|いらない|いりません|いらん|要りません|なしで|無しで|なしok|無しok|必要(ありません|ない|なし|では))]], view = "norm" },
      -- no licence, said of the goods or the buyer: 登録も許可証もない, 許可を取れない人でも構わない
      { re = [[(登録|許可証?|免許)(も|は)?(ない|なし|無し|無い)]], view = "norm" },
      -- the licence not asked about: 許可証とか野暮なことは聞かない
      { re = [[(許可証?|免許|所持許可)[^。\n]{0,12}(聞かない|聞きません|問わない|問いません|野暮|確認しない|確認しません)]], view = "norm" },
      { re = [[(許可|免許)を?(取れない|取り消され|持ってない|持っていない|ない)[^。\n]{0,15}(でも|も)\s*(構わない|かまわない|ok|大丈夫|可)]], view = "norm" },
      -- police, press and informers turned away: 通報目的の方はご遠慮ください
      { re = [[(警察|けいさつ|ぽり|記者|報道|通報)[^。\n]{0,12}(お断り|おことわり|ご遠慮|ng|禁止)]], view = "norm" },
      -- "not a toy" said with a wink: おもちゃ（意味深）, BB弾じゃなく, 鉄のおもちゃ
      "ホンモノ", "鉄のおもちゃ", "本もの",
      { re = [[おもちゃ\s*[(]\s*意味深]], view = "norm" },
      { re = [[(bb弾|えあがん|もでるがん|がすがん|電動がん|がすぶろ|えあそふとがん|おもちゃ)\s*(とか|など)?\s*(じゃなく|じゃない|ではなく|ではない)]], view = "norm" },
      -- for those tired of toys: えあがん飽きた人向け, さばげ卒業
      { re = [[(bb弾|えあがん|もでるがん|がすがん|電動がん|えあそふと|さばげ)(に|は|が)?\s*(飽きた|あきた|卒業|物足りない)]], view = "norm" },
      -- no questions asked: 理由は聞きません, 使途もお伺いいたしません
      { re = [[(理由|用途|使途|目的|身元)(は|も)?\s*(聞きません|聞かない|聞かん|問いません|問わない|お伺いいたしません|お伺いしません|伺いません|不問)]], view = "norm" },
      { re = [[(理由|用途|使途|目的|身元)の?(詮索|せんさく)(は|も)?\s*(なし|無し|しない|しません|せん)]], view = "norm" },
      -- "no trace" in any particle or verb form: 足はつかない, 足も付かん
      { re = [[足(が|は|も)?\s*(つかない|つかん|付かない|付かん|つきません|付きません)]], view = "norm" },
      -- a broker's "there is a way": ルートはあります, ルート持ってます
      { re = [[るーと(は|が|も)\s*(あり|ある|持って)]], view = "norm" },
      -- a guard word turned into a taunt: 通報しても無駄
      { re = [[通報(して|されて)も]], view = "norm" },
      view = "both",
    },
    -- news, toys, licensed guns and hunting, fireworks, fiction
    -- news, law, licences: they rule out the whole text
    -- a licensed gun shop's page: permits, the public safety commission, the
    -- dealer's own trade name, said anywhere on the page (read page-wide)
    licensed = {
      "所持許可", "公安委員会", "許可証", "銃砲店", "狩猟免許", "射撃教習", "教習資格",
      "猟友会", "譲受許可", "譲渡許可", "猟銃等講習会", "銃砲火薬店", "火薬類販売",
      view = "norm", weight = 0,
    },
    guard = {
      "逮捕", "容疑", "疑いで", "県警", "府警", "警視庁", "警察庁", "押収", "起訴",
      "判決", "送検", "報道", "記者", "乱射", "発砲事件", "銃規制", "銃社会", "大統領",
      "議会", "抗争", "摘発", "注意喚起", "通報", "違法です", "犯罪です", "危険です",
      "狩猟免許", "所持許可", "講習会", "公安委員会", "射撃場", "射撃教習", "クレー射撃",
      "ライフル射撃", "猟友会", "銃砲店", "許可証", "申請", "教習資格", "有害鳥獣",
      "猟期", "火薬類取締法", "保安責任者", "銃刀法", "絶対にやめ", "重大な犯罪",
      view = "both", weight = 0,
    },
    -- toys, fiction, fireworks, history: they rule out only the words next to them
    -- the real thing set against a toy or a hobby: 本物の爆弾, 本物の拳銃
    genuine = {
      { re = [[(本物|ほんもの|本もの|ほんまもん|ほんもん)の\s*(爆弾|ばくだん|拳銃|けん銃|銃|ちゃか|はじき|爆薬|手榴弾|実弾)]], view = "norm" },
      -- a hobby gun past the law's limit is no hobby's
      "準空気銃",
      past_limit,
      -- more than fireworks give, made to order
      { re = [[花火(では|じゃ|で)?物足りない[^\n]{0,80}(製作し|お作りし|作ります|作成し|おーだーめいど|おーだー製)]], view = "norm" },
      view = "norm", weight = 0,
    },
    -- the words of airsoft, toy guns and games, which name real guns' models
    hobby = {
      "エアガン", "エアーガン", "ガスガン", "電動ガン", "モデルガン", "トイガン", "BB弾",
      "18歳以上用", "10歳以上用", "サバゲー", "サバイバルゲーム", "ブローバック", "発火式",
      "無可動", "ゲーム内", "FPS", "課金", "ガチャ", "スキン", "ステージ", "NPC", "ミッション",
      view = "both", weight = 0,
    },
    -- a story's or a game's page, when its title says so
    story = {
      "ゲーム", "FPS", "映画", "小説", "漫画", "マンガ", "アニメ", "ドラマ", "レビュー", "攻略",
      view = "both", weight = 0,
    },
    topic = {
      "エアガン", "エアーガン", "ガスガン", "電動ガン", "モデルガン", "トイガン", "BB弾",
      "18歳以上用", "10歳以上用", "サバゲー", "サバイバルゲーム", "玩具", "おもちゃ",
      "花火", "煙火", "打ち上げ",
      "ゲーム", "FPS", "小説", "映画", "漫画", "マンガ", "アニメ", "ドラマ", "撮影用",
      "小道具", "博物館", "展示", "無可動", "自衛隊", "演習", "不発弾",
      "陸上競技", "運動会", "戦争", "史料", "歴史", "発火式", "ブローバック", "ホビー",
      "樹脂製", "精密な作り", "ライター", "キーホルダー", "グッズ", "ストラップ",
      "アクセサリー", "Tシャツ", "雑貨", "インテリア", "コスプレ", "スキン", "ガチャ",
      "ゲーム内", "課金", "アイテム",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      -- a weapon word in the URL ("/c4/", "?tnt=1") names a path, not an offer
      local said = lib.merge(lib.said(m.weapon)) -- in page order: the title first
      local w = lib.outside(said, m.harmless)
      if #w == 0 then return 0 end
      -- an offer or a "real" claim in quotes is mentioned (a police page
      -- asking for tips on 「拳銃売ります」 posts), not made
      m.offer = lib.unquoted(page, m.offer)
      m.real = lib.outside(lib.unquoted(page, m.real), m.harmless)
      local sig = lib.signals(m.offer, m.price, m.contact, m.real, m.howto)
      if sig < 2 or lib.none(m.offer, m.real, m.howto) then return 0 end
      local s = 0.55 + 0.15 * (sig - 1)
      local support = lib.merge(m.offer, m.price, m.real, m.contact, m.howto)
      local a, b = lib.near(w, support, 100)
      if not a then s = s * 0.7 end
      -- "おもちゃじゃない" is a seller's claim, not a toy shop
      local guard = lib.outside(m.guard, m.real)
      -- in a one-block legacy thread or board log, a guard in another post
      -- (a post's date-and-time line stands between it and the offer: the
      -- thread's topic, other posters' replies) only dampens the offer
      -- (a thread's title is its first post's: a title guard the text has
      -- only in other posts is one of them)
      local here, far = lib.merge(), {}
      local sp = a and lib.span(a, b) or w[1]
      local other = {}
      for i, x in ipairs(guard) do
        other[i] = lib.other_post(page, x, sp)
        if other[i] then far[x.norm] = true end
      end
      for i, x in ipairs(guard) do
        if not other[i] and not (x.where == "title" and far[x.norm]) then
          here[#here + 1] = x
        end
      end
      local g = lib.distinct(here)
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.75 end
      if lib.distinct(guard) - g >= 2 then s = s * 0.85 end
      -- a toy, a film, a firework: the weapon word stands next to it
      local topic = lib.outside(m.topic, m.real)
      -- (樹脂製ピストル, 本物の弾が撃てる: a toy's material with a real claim beside it is the pitch)
      local fires = {}
      for _, x in ipairs(m.real) do
        if x.pattern == "撃てる" or x.pattern == "撃てます" or x.pattern == "発射可能"
            or x.pattern == "実射可能" or x.pattern == "金属探知機に反応" then
          fires[#fires + 1] = x
        end
      end
      if #fires > 0 and lib.none(m.harmless) then
        local kept = {}
        for _, x in ipairs(topic) do
          if not lib.near({ x }, fires, 20) then kept[#kept + 1] = x end
        end
        topic = kept
      end
      -- 本物の爆弾 after 花火の火薬じゃ物足りない: the hobby named only to be left behind
      if lib.any(m.genuine) then topic = {} end
      if #topic > 0 and #lib.within(w, topic, 20) == #w then
        s = s * 0.5 ^ math.min(lib.distinct(topic), 2)
      elseif lib.none(m.genuine) and lib.distinct(lib.outside(m.hobby, m.real)) >= 3 then
        -- a text that speaks a hobby's language throughout (an airsoft shop,
        -- a game review) names its guns as the hobby does
        s = s * 0.5
      end
      -- a page titled after a game, a film or a book: its guns are the story's
      if lib.any(lib.where(m.story, "title")) then s = s * 0.7 end
      -- a licensed dealer's stock list (its rows judged one by one): the shop's
      -- permits and trade named across the page, and nothing said against them
      if lib.distinct(m.licensed) >= 3 and lib.none(m.real, m.howto) then s = s * 0.5 end
      return lib.clamp(s), lib.evidence(page, a and lib.span(a, b) or w[1], 40)
    end, { page = { "licensed" } })
  end,
}
