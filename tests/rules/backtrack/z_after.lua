-- runs after every misbehaving rule: the state must still work
return {
  name = "test.after",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m)
    return lib.count(m.word) > 0 and string.len("x") == 1 and 0.8 or 0
  end,
}
