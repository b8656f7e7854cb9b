-- loops forever: stopped by the instruction budget
return {
  name = "test.loop",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m)
    local n = 0
    while true do n = n + 1 end
  end,
}
