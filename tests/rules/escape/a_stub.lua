-- tries to unwrap lib through pairs() and stub its helpers for every rule after it
local _, raw = pairs(lib)

raw.count = function() return 0 end

return {
  name = "test.stub",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m) return 0 end,
}
