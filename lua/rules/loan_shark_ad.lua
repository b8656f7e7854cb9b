-- loan_shark_ad.lua - advertisements of unregistered lenders (無登録貸金業,
-- ヤミ金).
--
-- The ads promise money to anyone (審査なし, ブラックOK, 他社で断られた方も),
-- at once, from a private person, over LINE or a phone number, and never
-- show a registration number or an interest rate. Registered lenders also
-- advertise 即日融資 and 来店不要, but they must print their 登録番号, the
-- 実質年率 and the association membership; warnings about ヤミ金 and lawyers'
-- pages quote the same phrases. So the rule wants a loan word next to an
-- "anyone, no checks" word plus a private contact, and registration,
-- interest-rate or warning wording switches it off.

return {
  name = "loan_shark_ad.no_check_private",
  category = "loan_shark_ad",
  author = "patrol",
  description = "loans to anyone without checks, from a private contact, no registration shown",
  references = {
    "貸金業法 第11条（無登録営業等の禁止）, 第47条",
    "出資の受入れ、預り金及び金利等の取締りに関する法律 第5条",
  },
  version = 1,
  threshold = 0.65,
  triggers = { { "loan", "lend" }, { "easy", "quick" }, "contact" },

  patterns = {
    loan = {
      "融資", "貸付", "貸し付け", "キャッシング", "個人間融資", "個人融資", "ソフト闇金",
      "ソフトヤミ金", "小口融資", "即日融資", "給料ファクタリング", "給与ファクタリング",
      "ご融資", "用立て",
      -- lending said with money in front of it: お金貸します, 3万円までお貸しします
      { re = [[(金|円|万)[^。\n]{0,15}(貸し(しま|ます|でき)|貸せ(ま|る)|借りら?れ)]], view = "both" },
      view = "both",
    },
    -- lending words that need an "anyone, no checks" word next to them
    lend = {
      "お貸しします", "貸します", "お貸しでき", "貸せます", "借りれ", "借りられ", "闇金",
      "ヤミ金",
      view = "both",
    },
    -- "anyone, no checks": the promise a registered lender may not make
    easy = {
      "審査なし", "審査無し", "無審査", "審査不要", "審査ゆるい", "審査が甘い", "審査甘",
      "ブラックOK", "ブラックでも", "ブラック可", "ブラックの方", "他社で断られ",
      "他社で借りられない", "他で断られ", "断られた方", "自己破産", "債務整理中",
      "多重債務", "任意整理中", "在籍確認なし", "無職OK", "無職でも", "事故歴", "延滞中",
      "身分証だけ", "身分証のみ", "書類不要", "他社借入",
      view = "both",
    },
    -- "fast and easy": every lender says these, so they only add
    quick = {
      "誰でも", "どなたでも", "即日", "即金", "最短30分", "来店不要", "年金受給者",
      "主婦OK", "学生OK", "土日", "24時間", "即振込", "保証人不要",
      view = "both",
    },
    -- a private person behind the ad and how to reach them
    contact = {
      { re = [[(^|[^a-z])line($|[^a-z])]], view = "both" },
      { re = [[(^|[^a-z])dm($|[^a-z])]], view = "both" },
      "カカオ", "テレグラム", "telegram", "メールで", "メールください", "捨てアド",
      "個人です", "個人で", "個人間", "個人融資", "匿名", "掲示板", "ID検索",
      "友だち追加", "友達追加", "直接やり取り", "LINEで", "LINEまで", "LINEへ", "LINEに",
      "LINE ID", "LINEID",
      { re = [[0[789]0[-\s]?[x\d]{4}[-\s]?[x\d]{4}]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      view = "both",
    },
    -- a lender that shows what the law asks of it, and the places that
    -- warn about lenders that do not
    legit = {
      "登録番号", "財務局長", "日本貸金業協会", "協会員", "実質年率", "年率", "貸付利率",
      "遅延損害金", "返済方式", "返済期間", "担保", "総量規制", "計画的", "当行", "銀行カードローン",
      "信用金庫", "株式会社", "貸金業法", "返済シミュレーション", "所定の審査",
      "審査の結果", "審査があります", "貸金業者登録",
      { re = [[(財務局長|知事)\s*\(\d+\)]], view = "norm" },
      view = "both", weight = 0,
    },
    warning = {
      "注意", "被害", "相談窓口", "金融庁", "逮捕", "容疑", "警察", "違法", "手口",
      "気をつけ", "見分け方", "弁護士", "司法書士", "消費生活センター", "報道",
      "自社ローン", "ディーラー", "中古車", "家賃保証", "ドラマ", "映画", "漫画", "小説",
      "配信", "読了", "質屋", "質店", "公安委員会", "借りられません", "貸せません",
      "お貸しできません", "審査なしでは", "カードローン",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      if lib.none(m.loan, m.lend) then return 0 end
      local easy = lib.merge(m.easy, m.quick)
      local lend = {}
      for _, x in ipairs(m.lend) do
        if lib.near({ x }, m.easy, 33) then lend[#lend + 1] = x end
      end
      local loan = lib.merge(m.loan, lend)
      -- a loan word next to an "anyone" word; a loan word in the title
      -- stands for the whole page
      local l, e = lib.near(loan, easy, 67)
      if not l and lib.in_title(loan) and lib.any(m.easy) then
        l, e = lib.where(loan, "title")[1], m.easy[1]
      end
      if not l then return 0 end
      if lib.none(m.easy) and lib.distinct(m.quick) < 2 then return 0 end
      if lib.none(m.contact) then return 0 end
      local s = 0.6 + 0.1 * math.min(lib.distinct(m.easy) + lib.distinct(m.quick) * 0.5, 3)
      s = s + 0.05 * math.min(lib.distinct(m.contact) - 1, 2)
      local g = lib.distinct(m.legit) + lib.distinct(m.warning)
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.6 end
      return lib.clamp(s), lib.evidence(page, l.where == e.where and lib.span(l, e) or l, 40)
    end)
  end,
}
