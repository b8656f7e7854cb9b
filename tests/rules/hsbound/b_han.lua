-- costs Hyperscan minutes to refuse: named by the compile bound instead
return {
  name = "test.han",
  category = "drug_ad",
  patterns = {
    word = {
      "大麻",
      { re = [[\p{Han}{1,2000}]] },
    },
  },
  classify = function(page, m) return 1 end,
}
