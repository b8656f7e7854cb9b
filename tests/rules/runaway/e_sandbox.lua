-- reaches for what the sandbox leaves out, or writes what it protects
local function rule(name, f)
  return {
    name = name,
    category = "drug_ad",
    patterns = { word = { "大麻" } },
    classify = f,
  }
end

return {
  rule("test.os", function(page, m) os.execute("touch /tmp/patrol-sandbox-escaped"); return 1 end),
  rule("test.io", function(page, m) io.open("/etc/passwd"):read("a"); return 1 end),
  rule("test.load", function(page, m) load("return 1")(); return 1 end),
  rule("test.dump", function(page, m) return #string.dump(rule) end),
  rule("test.require", function(page, m) require("os"); return 1 end),
  rule("test.patch_lib", function(page, m) string.len = nil; return 1 end),
  rule("test.global", function(page, m) leaked = true; return 1 end),
  rule("test.page_write", function(page, m) page.text = ""; return 1 end),
  rule("test.gc", function(page, m) setmetatable({}, { __gc = function() end }); return 1 end),
}
