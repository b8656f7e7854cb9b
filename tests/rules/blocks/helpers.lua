-- helpers.lua - exercises the block and proximity helpers of lua/lib/patrol.lua.
-- classify returns 1 with the evidence "ok", or 0 with the checks that failed.
-- The page (t-classify.c): a title, a main text "alpha beta", a post
-- "alpha ... (60 characters) ... beta", a post "「alpha」 gamma", a link list
-- with alpha in it.

return {
  name = "test.helpers",
  category = "drug_ad",
  patterns = {
    a = { "alpha" },
    b = { "beta" },
    g = { "gamma" },
  },

  classify = function(page, m)
    local bad = {}
    local function check(cond, what) if not cond then bad[#bad + 1] = what end end
    local a1, b1 = m.a[1], m.b[1]
    check(#m.a == 4 and #m.b == 2, "counts " .. #m.a .. " " .. #m.b)
    check(lib.kind(a1) == "main" and lib.kind(m.a[2]) == "post", "kinds")
    check(lib.kind(m.a[4]) == "boilerplate", "boilerplate kind")
    check(lib.same_block(a1, b1), "same_block in main")
    check(not lib.same_block(a1, m.a[2]), "same_block across blocks")
    check(lib.near({ a1 }, { b1 }, 1) == a1, "near 1 char")
    check(lib.near({ m.a[2] }, { m.b[2] }, 40) == nil, "near: 60 characters are not 40")
    check(lib.near({ m.a[2] }, { m.b[2] }, 80) == m.a[2], "near: 60 characters within 80")
    check(lib.near({ m.a[3] }, m.b, 1000) == nil, "near never crosses blocks")
    check(#lib.within(m.a, m.b, 80) == 2, "within")
    local per = lib.per_block(m.a)
    check(per[a1.block] == 1 and per[m.a[2].block] == 1, "per_block")
    check(#lib.in_block(m.a, m.a[2].block) == 1, "in_block")
    check(lib.block(page, m.a[2]).kind == "post", "block(page, match)")
    check(lib.quoted(page, m.a[3]) and not lib.quoted(page, a1), "quoted")
    check(#lib.not_boilerplate(m.a) == 3, "not_boilerplate")
    check(a1.char_to - a1.char_from == 4, "char offsets")
    -- by_block: one call per block with a match, never for boilerplate
    local seen = {}
    local best = lib.by_block(page, m, function(b, blk)
      seen[#seen + 1] = blk.kind
      check(blk.kind ~= "boilerplate", "by_block judged boilerplate")
      for _, x in ipairs(b.a) do
        check(x.block == blk.id or x.where ~= "text", "by_block leaked a match")
      end
      return (#b.a > 0 and #b.b > 0 and lib.near(b.a, b.b, 5)) and 0.9 or 0.1
    end)
    check(#seen == 3, "by_block calls " .. #seen)
    check(best == 0.9, "by_block best")
    local ev = lib.evidence(page, m.a[3], 200)
    check(ev and not ev.evidence:find("beta", 1, true), "evidence stays in its block")
    -- merge: lists that interleave, with ties, come out as table.sort puts them
    local order = { text = 1, title = 2, url = 3 }
    local function cmp(x, y)
      if x.where ~= y.where then return order[x.where] < order[y.where] end
      return x.from < y.from
    end
    local p, q = {}, {}
    for i = 1, 40 do
      p[#p + 1] = { where = i % 3 == 0 and "url" or "text", from = (i * 7) % 11, id = "p" .. i }
      q[#q + 1] = { where = i % 5 == 0 and "title" or "text", from = (i * 5) % 13, id = "q" .. i }
    end
    local want = {}
    for _, x in ipairs(p) do want[#want + 1] = x end
    for _, x in ipairs(q) do want[#want + 1] = x end
    table.sort(want, cmp)
    local got, same = lib.merge(p, q), true
    for i = 1, #want do same = same and got[i] == want[i] end
    check(same and #got == 80 and got.weight == 1, "merge with ties sorts as table.sort")
    local one = lib.merge(m.a)
    check(#one == #m.a and one[1] == m.a[1] and one[4] == m.a[4], "merge of one list keeps its order")
    -- near: chars = math.huge reaches across blocks and places, as gap says
    local x, y = lib.near({ m.a[3] }, m.b, math.huge)
    check(x == m.a[3] and y == m.b[1], "near with math.huge")
    -- evidence: the context counted in characters, from any byte, as the plain loops count
    local function back(s, i, k)
      while k > 0 and i > 1 do
        i = i - 1
        while i > 1 and (s:byte(i) & 0xC0) == 0x80 do i = i - 1 end
        k = k - 1
      end
      return i
    end
    local function fwd(s, i, k)
      while k > 0 and i < #s do
        i = i + 1
        while i < #s and (s:byte(i + 1) & 0xC0) == 0x80 do i = i + 1 end
        k = k - 1
      end
      return i
    end
    local quote = m.a[3]
    local tries = {
      quote, m.b[1], m.b[2],
      { where = "text", block = quote.block, from = quote.from - 2, to = quote.to + 1 },
      { where = "text", block = quote.block, from = quote.to + 1, to = quote.to + 3 },
    }
    for _, mm in ipairs(tries) do
      for _, k in ipairs({ 0, 1, 2, 3, 7, 40 }) do
        local e = lib.evidence(page, mm, k)
        local r = lib.block(page, mm).ranges[1]
        local sub = page.text:sub(r.from, math.max(r.to, mm.to))
        local w = sub:sub(back(sub, mm.from - r.from + 1, k), fwd(sub, mm.to - r.from + 1, k))
        w = w:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
        check(e.evidence == w, "evidence " .. k .. " characters: '" .. e.evidence .. "' / '" .. w .. "'")
      end
    end
    if #bad > 0 then return 0, table.concat(bad, "; ") end
    return 1, "ok"
  end,
}
