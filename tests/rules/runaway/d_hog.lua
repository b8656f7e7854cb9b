-- allocates without bound: stopped by the allocator cap
return {
  name = "test.hog",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m)
    local t = {}
    for i = 1, 100000000 do t[i] = string.rep("x", 1000) .. i end
    return 1
  end,
}
