-- the well-behaved rule whose verdict must survive its neighbours
return {
  name = "test.good",
  category = "drug_ad",
  patterns = { word = { "大麻", view = "both" } },
  classify = function(page, m)
    return 0.9, lib.evidence(page, lib.first(m.word), 10)
  end,
}
