return { name = "x.y", category = "drug_ad", threshold = 0.5,
  patterns = { a = { "abc", { re = [[a.{0,40}b]] } } },
  classify = function(page, m) return #m.a > 0 and 1 or 0 end }
