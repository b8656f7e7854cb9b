-- the top level of a rule file is bounded like classify()
local s = string.rep("1000円 ", 3000)

local hit = s:find("円.-円.-円.-振込")

return {
  name = "test.top",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m) return 1 end,
}
