-- contract_crime.lua - murder, assault, abduction or robbery taken on or
-- brokered for money (殺人・強盗・誘拐等の請負・仲介).
--
-- The posts offer violence as a service (始末します, 拉致 請け負います,
-- 殺し屋) or look for someone to do it (消してくれる人, 痛めつけてほしい),
-- with a fee (前金, 成功報酬) and a way to get in touch. Films, novels,
-- games, news of arrests, detective agencies and pest control use the same
-- words (殺し屋, 始末, 駆除, 依頼), so the rule wants a violent act next to a
-- commission word plus a fee or a channel; fiction, news, detective and
-- pest-control wording switches it off.

return {
  name = "contract_crime.violence_for_hire",
  category = "contract_crime",
  author = "patrol",
  description = "violence or abduction offered or requested as a paid job",
  references = {
    "インターネット・ホットラインセンター 重要犯罪密接関連情報（殺人、強盗、誘拐等の請負・仲介）",
    "刑法 第199条（殺人）, 第225条（営利目的等略取及び誘拐）, 第236条（強盗）",
  },
  version = 1,
  threshold = 0.65,
  triggers = { { "strong", "violence" }, { "pay", "contact", "commission" } },

  patterns = {
    -- words that name violence for hire by themselves
    strong = {
      "殺し屋", "ヒットマン", "始末屋", "殺人代行", "暴行代行", "拉致代行", "誘拐代行",
      "襲撃代行", "制裁代行", "報復代行", "殺しの依頼", "殺人依頼", "殺しを請け負",
      "殺しの仕事", "人を消す仕事",
      view = "both",
    },
    violence = {
      "殺し", "殺害", "殺して", "殺す", "殺人", "人を消", "この世から消",
      { re = [[(人|相手|あいつ|奴|やつ|邪魔者|たーげっと|夫|妻|彼氏|彼女|上司|家族)(を|も|まで)?(始末|消)]], view = "norm" }, "痛めつけ", "半殺し", "拉致", "誘拐",
      "さらって", "攫って", "襲撃", "襲って", "強盗", "報復", "制裁", "暴行", "ボコ",
      "放火", "闇討ち", "監禁", "腕を折", "足を折", "骨を折", "刺して", "刺す",
      "埋めて", "山に埋め", "海に沈め", "火をつけ", "再起不能", "二度と歩けない",
      "病院送り", "ヤキを入れ", "焼きを入れ", "痛い目",
      view = "both",
    },
    commission = {
      "請け負います", "請負", "請け負", "代行", "引き受けます", "引き受け", "承ります",
      "依頼", "仲介", "頼みたい", "頼めます", "頼める人", "頼める方", "お願いしたい",
      "やってくれる人", "やってくれる方", "してくれる人", "してくれる方", "実行します",
      "確実に", "完遂", "受付中", "対応します", "ご相談ください", "相談に乗ります",
      "紹介できます", "手配します", "手配できます", "プロに任せ",
      view = "both",
    },
    pay = {
      "報酬", "謝礼", "前金", "着手金", "成功報酬", "後払い", "料金", "費用", "取り分",
      "分け前", "山分け",
      { re = [[\d+(\.\d+)?\s*万]], view = "norm" },
      { re = [[\d[\d,]{3,}\s*円]], view = "norm" },
      view = "both",
    },
    contact = {
      "テレグラム", "telegram", "シグナル", "signal", "カカオ", "ジェン", "DMください",
      "DMで", "DMまで", "連絡ください", "連絡は", "秘密厳守", "足がつかない",
      { re = [[(^|[^a-z])line($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      view = "both",
    },
    target = {
      "相手", "ターゲット", "元彼", "元カノ", "元夫", "元妻", "上司", "邪魔な", "浮気相手",
      "恨んでいる", "恨みのある", "住所さえ", "写真と住所", "名前と住所", "あいつ",
      view = "both",
    },
    -- fiction, games, news, detectives and pest control
    guard = {
      "映画", "小説", "主人公", "原作", "出演", "あらすじ", "ドラマ", "漫画", "マンガ",
      "作品", "ゲーム", "監督", "逮捕", "容疑", "判決", "起訴", "県警", "警視庁", "報道",
      "探偵", "調査", "害虫", "駆除", "ゴキブリ", "ネズミ", "退治", "殺虫", "シロアリ",
      "雑草", "除草", "マーダーミステリー", "脚本", "舞台", "役者", "殺陣", "公演",
      "歌詞", "TRPG", "データ", "消去", "討伐", "レベル上げ", "害獣", "被告", "裁判",
      "懲役", "事件", "記者", "ニュース", "読者", "書籍", "単行本", "連載", "アニメ",
      "声優", "キャスト", "シナリオ", "シーズン", "見逃し配信", "弁護士", "相談窓口",
      "ゾンビ", "実況", "RTA", "攻略", "プレイ", "比喩", "体験会", "参加費", "定員", "不用品", "回収", "粗大ごみ", "処分", "家電", "見積",
      "シミ", "タトゥー", "落書き", "ウイルス", "菌", "カビ", "ダニ", "蚊", "虫",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      local s, ev = 0, nil
      if lib.any(m.strong) and lib.any(m.pay, m.contact, m.commission) then
        s = 0.75 + 0.1 * (lib.signals(m.pay, m.contact, m.commission) - 1)
        ev = m.strong[1]
      else
        local v, c = lib.near(m.violence, m.commission, 30)
        if v and (lib.any(m.pay) or lib.all(m.contact, m.target)) then
          s = 0.7 + 0.1 * (lib.signals(m.pay, m.contact, m.target) - 1)
          ev = lib.span(v, c)
        end
      end
      if s == 0 then return 0 end
      local g = lib.distinct(m.guard)
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.7 end
      return lib.clamp(s), lib.evidence(page, ev, 40)
    end)
  end,
}
