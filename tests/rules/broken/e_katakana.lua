-- a regex written in katakana, which the normalized view never holds (line 7)
return {
  name = "test.katakana",
  category = "drug_ad",
  patterns = {
    word = {
      { re = [[テレグラム\d+]] },
    },
  },
  classify = function(page, m) return 1 end,
}
