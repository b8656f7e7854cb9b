-- a regex Hyperscan refuses, on line 8
return {
  name = "test.regex",
  category = "drug_ad",
  patterns = {
    word = {
      "野菜",
      { re = "(" },
    },
  },
  classify = function(page, m) return 1 end,
}
