-- a rule name that is not UTF-8
return {
  name = "test.\xe5\xa4",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m) return 0.9 end,
}
