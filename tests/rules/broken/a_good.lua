-- a rule with nothing wrong: still usable when its neighbours are refused
return {
  name = "test.good",
  category = "drug_ad",
  patterns = { word = { "大麻", view = "both" } },
  classify = function(page, m)
    return 0.9, lib.evidence(page, m.word[1], 10)
  end,
}
