-- a syntax error on line 6
return {
  name = "test.syntax",
  category = "drug_ad",
  patterns = { word = { "野菜" } },
  classify = function(page, m) return 1 ed,
}
