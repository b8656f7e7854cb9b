-- dangerous_drug_ad.lua - advertisements for designated substances and
-- "legal high" products (指定薬物等である疑いがある物品の広告, 危険ドラッグ).
--
-- The products pose as herbs, liquids, aroma, powders, bath salts or plant
-- food sold "not for human use" (人体摂取不可, 観賞用, 研究用), while the
-- copy promises an effect (キマる, 多幸感, ぶっ飛び) or says the content is
-- legal or not yet banned (合法, 規制前, 新成分). Herb-tea and essential-oil
-- shops, e-cigarette liquids, bath salts, incense, research reagents and CBD
-- shops share the products and even the disclaimers, so the rule wants the
-- product, a sale (price or channel) and an effect or a legal claim, and a
-- disclaimer only adds to it; shop, reagent, news and prevention wording
-- switches it off.

return {
  name = "dangerous_drug_ad.legal_high_offer",
  category = "dangerous_drug_ad",
  author = "patrol",
  description = "herbs, liquids or powders sold for their effect as legal or not for human use",
  references = {
    "医薬品、医療機器等の品質、有効性及び安全性の確保等に関する法律 第76条の5（広告の制限）",
    "インターネット・ホットラインセンター 運用ガイドライン（指定薬物等である疑いがある物品の広告）",
  },
  version = 1,
  threshold = 0.65,
  requires = { "product" },

  patterns = {
    product = {
      "ハーブ", "リキッド", "アロマ", "パウダー", "お香", "バスソルト", "ケミカル",
      "ブレンド", "グミ", "カートリッジ", "植物活性剤", "プラントフード", "ジョイント",
      "ペーパー", "錠剤", "結晶",
      view = "both",
    },
    -- longer words that make a product word an everyday product
    everyday = {
      "ハーブティー", "ハーブソルト", "ハーブ園", "ハーブガーデン", "アロマオイル",
      "アロマキャンドル", "アロマディフューザー", "アロマテラピー", "リキッドファンデ",
      "リキッドアイライナー", "リキッドルージュ", "リキッドチーク", "プロテインパウダー",
      "ヘアパウダー", "ベビーパウダー", "ベーキングパウダー", "パウダールーム",
      "パウダースノー", "ペーパータオル", "ペーパーテスト", "ジョイントマット",
      "ジョイントベンチャー", "ジョイントコンサート", "ブレンドコーヒー",
      view = "both", weight = 0,
    },
    effect = {
      "キマる", "キマり", "キマった", "キマリ", "キメる", "ぶっ飛", "ぶっとび",
      "トリップ感", "トリップ系", "トリップできる", "多幸感", "酩酊", "アッパー系",
      "ダウナー系", "覚醒系", "ハイになれ", "ハイになる", "飛べる", "飛び系", "ぶち上が",
      "パキる", "効き目", "効きが", "効き具合", "体感が", "ガツン", "バッド入",
      view = "both",
    },
    legal = {
      "合法", "脱法", "規制前", "未規制", "規制外", "規制対象外", "旧合法", "新成分",
      "指定前", "違法成分なし", "違法成分不使用", "指定薬物ではない", "捕まらない",
      view = "both",
    },
    disclaimer = {
      "人体摂取不可", "人体への摂取", "人体に使用", "人体への使用", "人体使用不可",
      "飲用不可", "吸引しないで", "摂取しないで", "観賞用", "鑑賞用", "研究用",
      "研究目的", "お香として", "芳香剤として", "not for human", "自己責任",
      view = "both",
    },
    sale = {
      { re = [[\d[\d,]{2,}\s*円]] },
      { re = [[\d+(\.\d+)?\s*万]] },
      { re = [[[¥]\s*\d[\d,]{2,}]] },
      "販売", "通販", "発送", "配送", "郵送", "即日", "在庫", "入荷", "注文", "代引",
      "手渡し", "テレグラム", "telegram", "カカオ", "DMください", "DMで",
      { re = [[(^|[^a-z])dm($|[^a-z])]], view = "norm" },
      { re = [[@[a-z0-9_]{4,}]], view = "norm" },
      view = "both",
    },
    -- news, prevention, medicine, reagents, CBD and ordinary shops
    guard = {
      "逮捕", "容疑", "疑いで", "県警", "府警", "警視庁", "書類送検", "判決", "報道",
      "危険ドラッグ", "指定薬物に", "厚生労働省", "注意喚起", "啓発", "救急搬送",
      "健康被害", "相談窓口", "乱用防止", "ダメ。ゼッタイ。", "注意してください",
      "試薬", "CAS", "SDS", "法人様", "研究機関", "COA", "成分分析", "第三者機関",
      "THCフリー", "THC不検出", "THCを含", "ニコチン", "電子タバコ", "VAPE", "精油",
      "エッセンシャルオイル", "カモミール", "ラベンダー", "ペパーミント", "入浴剤",
      "レシピ", "料理", "キャンドル", "スタイリング", "ヘアワックス", "カフェイン",
      "税込", "苗", "肥料", "水草", "弁護士", "解説", "中毒", "治療",
      view = "both", weight = 0,
    },
  },

  classify = function(page, m)
    return lib.by_block(page, m, function(m)
      local product = lib.outside(m.product, m.everyday)
      if #product == 0 or #m.sale == 0 then return 0 end
      local s
      if lib.any(m.effect) then
        s = 0.6 + 0.1 * lib.signals(m.legal, m.disclaimer)
      elseif lib.all(m.legal, m.disclaimer) then
        s = 0.7
      else
        return 0
      end
      if lib.count(m.sale) >= 2 then s = s + 0.05 end
      local g = lib.distinct(m.guard)
      if g >= 2 then return 0 end
      if g == 1 then s = s * 0.6 end
      local ev = lib.near(product, lib.merge(m.effect, m.legal), 67) or product[1]
      return lib.clamp(s), lib.evidence(page, ev, 40)
    end)
  end,
}
