-- returns a span that starts and ends inside characters
return {
  name = "test.span",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m)
    return 0.9, { where = "text", from = 2, to = 5, evidence = "\xff" .. page.text:sub(1, 4) }
  end,
}
