-- patterns with a NUL byte: Hyperscan would see them cut at the NUL
return {
  name = "test.nul",
  category = "drug_ad",
  patterns = {
    a = { "大麻" },
    b = {
      { re = "手押し\0.*" },
      "野菜\0",
    },
  },
  classify = function(page, m) return 1 end,
}
