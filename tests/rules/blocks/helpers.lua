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
    if #bad > 0 then return 0, table.concat(bad, "; ") end
    return 1, "ok"
  end,
}
