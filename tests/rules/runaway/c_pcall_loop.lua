-- tries to swallow the budget error with pcall
return {
  name = "test.pcall_loop",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m)
    while true do
      pcall(function() while true do end end)
    end
  end,
}
