-- returns evidence cut inside a character: 大 is three bytes
return {
  name = "test.sub",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m)
    return 0.9, page.text:sub(2, 5)
  end,
}
