-- passes the quick check but not the database build (line 9): refused at compile
return {
  name = "test.toolarge",
  category = "drug_ad",
  patterns = {
    a = { "野菜" },
    b = {
      "手押し",
      { re = [[(a|b|c)[a-z]{5000}x]] },
    },
  },
  classify = function(page, m) return 1 end,
}
