-- an unknown category on line 5
return {
  name = "test.category",
  author = "patrol",
  category = "drugs",
  patterns = { word = { "野菜" } },
  classify = function(page, m) return 1 end,
}
