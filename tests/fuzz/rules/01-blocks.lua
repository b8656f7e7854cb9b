-- a rule of the shipped kind, with few patterns: sets, views, weights, requires
return {
  name = "fuzz.blocks",
  category = "drug_ad",
  version = 1,
  threshold = 0.7,
  requires = { "drug" },
  patterns = {
    drug = { "野菜", "手押し", "アイス", view = "both" },
    contact = { "テレグラム", { re = [[@[a-z0-9_]{4,}]], view = "norm" } },
    price = { { re = [[\d[\d,]{2,}\s*円]] } },
    context = { "逮捕", "啓発", weight = 0 },
  },
  classify = function(page, m)
    if #m.context > 0 then return 0 end
    local s = 0
    if #m.contact > 0 then s = s + 0.4 end
    if #m.price > 0 then s = s + 0.4 end
    return s, m.drug[1]
  end,
}
