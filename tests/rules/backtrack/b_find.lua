-- backtracks for hours on a page of "1000円 " x 3000: stopped by the budget
return {
  name = "test.backtrack",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m)
    local ok = pcall(string.find, page.text, "円.-円.-円.-振込")
    if page.text:find("円.-円.-円.-振込") then return 1 end
    return 0
  end,
}
