-- runs after the tampering rule: it must see the page and lib as they were
return {
  name = "test.after",
  category = "drug_ad",
  patterns = { word = { "大麻" } },
  classify = function(page, m)
    local ok = lib.count(m.word) > 0 and page.text:find("大麻", 1, true) ~= nil
      and page.links[1] == "http://example.jp/a" and #page.links == 1
      and next(page) ~= nil and rawget(page, "text") == page.text
      and getmetatable(page) == false
    return ok and 0.8 or 0
  end,
}
