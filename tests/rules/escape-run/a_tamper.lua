-- at run time, tries every way to reach the tables behind the shared ones
return {
  name = "test.tamper",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m)
    pcall(function() local _, raw = pairs(lib); raw.count = function() return 0 end end)
    pcall(function() local _, raw = pairs(page); raw.text = "" end)
    pcall(function() local _, v = next(page); rawget(page, "links")[1] = "x" end)
    pcall(function() getmetatable(page).__index = {} end)
    pcall(function() lib = { count = function() return 0 end } end)
    pcall(function() string.find = function() return nil end end)
    pcall(function() page.links[1] = "x" end)
    pcall(function() for k, v in pairs(page) do if type(v) == "table" then v[1] = "x" end end end)
    return 0
  end,
}
