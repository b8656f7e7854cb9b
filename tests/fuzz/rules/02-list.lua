return {
  { name = "fuzz.one", category = "phishing", threshold = 0.5,
    patterns = { brand = { "ログイン", "アカウント" }, url = { { re = [[https?://[a-z0-9.-]+]] } } },
    classify = function(page, m) return (#m.brand > 0 and #m.url > 0) and 1 or 0 end },
  { name = "fuzz.two", category = "fake_shop", threshold = 0.5,
    patterns = { pay = { "銀行振込のみ", { re = [[(振込先|お振込先).{0,60}(普通|当座).{0,20}[0-9]{7}]] } } },
    classify = function(page, m) return #m.pay > 0 and 0.9 or 0 end },
}
