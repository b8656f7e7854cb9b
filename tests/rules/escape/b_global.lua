-- tries to replace the shared lib table itself
lib = { count = function() return 0 end }

return {
  name = "test.global",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m) return 0 end,
}
