-- patrol.lua - the helper library every rule sees as `lib`.
--
-- A match list is what classify(page, m) gets as m.<set>: an array of
-- matches, each { text, from, to, char_from, char_to, where, block, kind,
-- view, norm, pattern, set, index, weight }, in page order, plus the fields
-- `set` (its name) and `weight`. page.blocks describes the blocks
-- (title, main, each post, boilerplate) a match's `block` names.
-- Every helper accepts nil or an empty list where a list is expected, so
-- rules read as one line each. See lua/README.md for the whole API.

local lib = {}

-- The library's own references to the shared globals, taken while it loads:
-- once the sandbox is sealed a global or `math.x` is read through its
-- read-only proxy, a C call each time.
local select, ipairs, pairs, type, setmetatable = select, ipairs, pairs, type, setmetatable
local huge, min, max, mtype = math.huge, math.min, math.max, math.type
local uoffset = utf8.offset
local sort, unpack = table.sort, table.unpack

local function n(list)
  return list and #list or 0
end

-- any(a, b, ...): some list has a match.
function lib.any(...)
  for i = 1, select("#", ...) do
    if n((select(i, ...))) > 0 then return true end
  end
  return false
end

-- all(a, b, ...): every list has a match.
function lib.all(...)
  local k = select("#", ...)
  if k == 0 then return false end
  for i = 1, k do
    if n((select(i, ...))) == 0 then return false end
  end
  return true
end

-- none(a, b, ...): no list has a match.
function lib.none(...)
  return not lib.any(...)
end

-- count(a, b, ...): matches in all the lists together.
function lib.count(...)
  local c = 0
  for i = 1, select("#", ...) do c = c + n((select(i, ...))) end
  return c
end

-- signals(a, b, ...): how many of the lists have a match.
function lib.signals(...)
  local c = 0
  for i = 1, select("#", ...) do
    if n((select(i, ...))) > 0 then c = c + 1 end
  end
  return c
end

-- distinct(a, b, ...): different words matched (by their normalized text),
-- so "野菜 野菜 野菜" counts once and "野菜 手押し" twice.
function lib.distinct(...)
  local seen, c = {}, 0
  for i = 1, select("#", ...) do
    local list = select(i, ...)
    for j = 1, n(list) do
      local k = list[j].norm
      if not seen[k] then seen[k] = true; c = c + 1 end
    end
  end
  return c
end

-- has(list, pattern): some match came from this pattern, as the rule wrote it.
function lib.has(list, pattern)
  for j = 1, n(list) do
    if list[j].pattern == pattern then return true end
  end
  return false
end

-- the matches of list whose field is (same) or is not (not same) value, with
-- the list's set and weight
local function filter(list, field, value, same)
  local out = { set = list and list.set, weight = list and list.weight }
  for j = 1, n(list) do
    if (list[j][field] == value) == same then out[#out + 1] = list[j] end
  end
  return out
end

-- where(list, place): the matches found in "text", "title" or "url".
function lib.where(list, place)
  return filter(list, "where", place, true)
end

-- said(list): the matches in the page's text or title, not in its address
-- (a board thread's ?id=10000 is no price, /forged-documents/ no offer)
function lib.said(list)
  return filter(list, "where", "url", false)
end
function lib.in_title(list) return n(lib.where(list, "title")) > 0 end
function lib.in_url(list) return n(lib.where(list, "url")) > 0 end
function lib.in_text(list) return n(lib.where(list, "text")) > 0 end

-- Characters between two matches: 0 when they touch or overlap, huge when
-- they stand in different places or blocks.
local function gap(a, b)
  if a.where ~= b.where then return huge end
  if a.block and b.block and a.block ~= b.block then return huge end
  local af, at = a.char_from or a.from, a.char_to or a.to
  local bf, bt = b.char_from or b.from, b.char_to or b.to
  if at < bf then return bf - at - 1 end
  if bt < af then return af - bt - 1 end
  return 0
end

-- near(a, b, chars): the first pair of matches, one from each list, in the
-- same place and block and at most `chars` characters of the norm view apart
-- (default 40).
-- Returns ma, mb, or nil.
function lib.near(a, b, chars)
  chars = chars or 40
  local na = n(a)
  if na == 0 then return nil end
  local nb = n(b)
  if nb == 0 then return nil end
  for i = 1, na do
    -- gap(a[i], b[j]) <= chars, a[i]'s side read once
    local x = a[i]
    local xw, xb = x.where, x.block
    local xf, xt = x.char_from or x.from, x.char_to or x.to
    for j = 1, nb do
      local y = b[j]
      local g
      if xw ~= y.where then
        g = huge
      else
        local yb = y.block
        if xb and yb and xb ~= yb then
          g = huge
        else
          local yf, yt = y.char_from or y.from, y.char_to or y.to
          if xt < yf then g = yf - xt - 1
          elseif yt < xf then g = xf - yt - 1
          else g = 0 end
        end
      end
      if g <= chars then return x, y end
    end
  end
  return nil
end

-- near_all(chars, a, b, ...): the lists all have a match within `chars`
-- characters of one match of a, in its block. Returns the span as a match.
function lib.near_all(chars, a, ...)
  local others = { ... }
  for i = 1, n(a) do
    local span, ok = a[i], true
    for k = 1, #others do
      local _, mb = lib.near({ a[i] }, others[k], chars)
      if not mb then ok = false; break end
      span = lib.span(span, mb)
    end
    if ok then return span end
  end
  return nil
end

-- within(list, other, chars): the matches of list that have a match of
-- other at most `chars` characters away in their block.
function lib.within(list, other, chars)
  local out = { set = list and list.set, weight = list and list.weight }
  for i = 1, n(list) do
    if lib.near({ list[i] }, other, chars) then out[#out + 1] = list[i] end
  end
  return out
end

-- near_far(list, anchors, chars): how many distinct matches of list stand at
-- most `chars` characters from a match of anchors, and how many more stand
-- further off: a guard beside the offer and one in the page's furniture.
function lib.near_far(list, anchors, chars)
  local near = lib.distinct(lib.within(list, anchors, chars))
  return near, lib.distinct(list) - near
end

-- other_post(page, x, span): a post's date-and-time line (2024/10/21(月) 23:31)
-- stands between match x and span: the two are in different posts of a
-- thread the page's structure left as one block (a board log in plain text)
function lib.other_post(page, x, span)
  if x.where ~= "text" or span.where ~= "text" then return false end
  local lo, hi = min(x.to, span.to), max(x.from, span.from)
  if hi - lo < 12 then return false end
  local between = page.text:sub(lo, hi)
  local i = 1
  while true do
    local _, e = between:find("%d%d%d%d/%d%d?/%d%d?", i)
    if not e then return false end
    if between:sub(e + 1, e + 24):find("%d%d?:%d%d") then return true end
    i = e + 1
  end
end

-- segment(page, match): the index of the stretch of its block's text a
-- match stands in (a block's ranges are the stretches of the page's text it
-- is made of, split by what stands between them: a row of buttons, a box
-- of links), or nil outside the text.
function lib.segment(page, match)
  if not match or match.where ~= "text" or not match.block then return nil end
  local blk = page.blocks[match.block]
  if not blk or not blk.ranges then return nil end
  for i, r in ipairs(blk.ranges) do
    if r.from <= match.from and match.from <= r.to then return i end
  end
  return nil
end

-- near_far_seg(page, list, anchors, chars): near_far, where a match of list
-- in another stretch of the block than every anchor (segment) counts as far
-- however close: a site's standing notice set apart below a listing is the
-- site's, not the listing's
function lib.near_far_seg(page, list, anchors, chars)
  local seg = {}
  for j = 1, n(anchors) do seg[j] = lib.segment(page, anchors[j]) end
  local same = { set = list and list.set, weight = list and list.weight }
  for i = 1, n(list) do
    local x = list[i]
    local sx = lib.segment(page, x)
    for j = 1, n(anchors) do
      local a = anchors[j]
      if x.where ~= "text" or a.where ~= "text" or x.block ~= a.block or sx == seg[j] then
        same[#same + 1] = x
        break
      end
    end
  end
  local near = lib.near_far(same, anchors, chars)
  return near, lib.distinct(list) - near
end

-- before(list, match): the matches of list in the same place (text, title)
-- as match that end before it starts: the heading a listed item stands under.
function lib.before(list, match)
  local out = { set = list and list.set, weight = list and list.weight }
  for j = 1, n(list) do
    local x = list[j]
    if x.where == match.where and x.to <= match.from then out[#out + 1] = x end
  end
  return out
end

-- quoted(page, match): the match stands inside 「」, 『』 or “” that open
-- and close within 80 characters of it, in the text or the title: a phrase
-- mentioned (a warning quoting a lure, a review titled 「…」), not said.
local quote_pairs = { { "「", "」" }, { "『", "』" }, { "“", "”" }, { "\"", "\"" }, { "｢", "｣" }, { "〝", "〟" },
  { "＂", "＂" } }
function lib.quoted(page, match)
  if not match then return false end
  local s
  if match.where == "text" then s = page.text elseif match.where == "title" then s = page.title end
  if not s then return false end
  local lo = max(1, match.from - 240)
  local hi = min(#s, match.to + 240)
  local before, after = s:sub(lo, match.from - 1), s:sub(match.to + 1, hi)
  for _, q in ipairs(quote_pairs) do
    local open, close = q[1], q[2]
    local o = 0
    local init = 1
    while true do
      local i = before:find(open, init, true)
      if not i then break end
      o = i; init = i + #open
    end
    if o > 0 and not before:find(close, o + #open, true) then
      local c = after:find(close, 1, true)
      local reopen = after:find(open, 1, true)
      if c and (not reopen or reopen > c) then return true end
    end
  end
  return false
end

-- unquoted(page, list): the matches of list that are not quoted.
function lib.unquoted(page, list)
  local out = { set = list and list.set, weight = list and list.weight }
  for j = 1, n(list) do
    if not lib.quoted(page, list[j]) then out[#out + 1] = list[j] end
  end
  return out
end

-- same_block(a, b): two matches stand in one block of the page's text.
function lib.same_block(a, b)
  return a ~= nil and b ~= nil and a.block ~= nil and a.block == b.block
end

-- block(page, match): the block a match stands in (page.blocks entry), or nil.
function lib.block(page, match)
  if not match or not match.block then return nil end
  return page.blocks[match.block]
end

-- kind(match): "title", "main", "post", "boilerplate", or "url".
function lib.kind(match)
  return match and match.kind
end

-- in_block(list, id): the matches of list in block id.
function lib.in_block(list, id)
  local out = { set = list and list.set, weight = list and list.weight }
  for j = 1, n(list) do
    if list[j].block == id then out[#out + 1] = list[j] end
  end
  return out
end

-- per_block(list): a table block id -> number of matches of list there.
function lib.per_block(list)
  local out = {}
  for j = 1, n(list) do
    local id = list[j].block
    if id then out[id] = (out[id] or 0) + 1 end
  end
  return out
end

-- not_boilerplate(list): the matches of list outside navigation, link lists,
-- headers, footers and forms.
function lib.not_boilerplate(list)
  return filter(list, "kind", "boilerplate", false)
end

-- merge(a, b, ...): one list with the matches of all, in page order.
local merge_order = { text = 1, title = 2, url = 3 }
local function page_order(a, b)
  if a.where ~= b.where then return merge_order[a.where] < merge_order[b.where] end
  return a.from < b.from
end

function lib.merge(...)
  local out, w, k = {}, 0, 0
  for i = 1, select("#", ...) do
    local list = select(i, ...)
    if list then
      w = max(w, list.weight or 1)
      for j = 1, #list do
        local v = list[j]
        if v ~= nil then k = k + 1; out[k] = v end
      end
    end
  end
  -- in page order already (one list, or lists that do not interleave): a
  -- sort could give only this order, as no two matches tie
  local sorted = true
  for j = 2, k do
    if not page_order(out[j - 1], out[j]) then sorted = false; break end
  end
  if not sorted then sort(out, page_order) end
  out.weight = w
  return out
end

-- outside(list, other): the matches of list that overlap no match of other,
-- e.g. lib.outside(m.slang, m.food) drops the アイス of アイスクリーム.
function lib.outside(list, other)
  local out = { set = list and list.set, weight = list and list.weight }
  for i = 1, n(list) do
    local a, hit = list[i], false
    for j = 1, n(other) do
      local b = other[j]
      if a.where == b.where and a.from <= b.to and b.from <= a.to then hit = true; break end
    end
    if not hit then out[#out + 1] = a end
  end
  return out
end

-- span(a, b): one match-like table covering both (same place).
function lib.span(a, b)
  if not a then return b end
  if not b then return a end
  local cf, ct
  if a.char_from and b.char_from then
    cf, ct = min(a.char_from, b.char_from), max(a.char_to, b.char_to)
  end
  return {
    from = min(a.from, b.from), to = max(a.to, b.to),
    char_from = cf, char_to = ct,
    where = a.where, text = nil, set = a.set, weight = a.weight,
    block = a.block == b.block and a.block or nil, kind = a.kind,
  }
end

-- first(a, b, ...): the earliest match of the lists, text before title and url.
function lib.first(...)
  local order = { text = 1, title = 2, url = 3 }
  local best
  for i = 1, select("#", ...) do
    local list = select(i, ...)
    for j = 1, n(list) do
      local m = list[j]
      if not best or order[m.where] < order[best.where]
          or (m.where == best.where and m.from < best.from) then
        best = m
      end
    end
  end
  return best
end

-- combine{ a, b, c }: the weighted share of the lists that matched, by each
-- set's weight (1 unless the rule says otherwise): 1 when all did.
function lib.combine(lists)
  local got, total = 0, 0
  for i = 1, #lists do
    local w = lists[i].weight or 1
    total = total + w
    if n(lists[i]) > 0 then got = got + w end
  end
  if total == 0 then return 0 end
  return got / total
end

-- weighted{ {a, 0.4}, {b, 0.3}, ... }: the sum of the weights of the lists
-- that matched, at most 1.
function lib.weighted(pairs_)
  local s = 0
  for i = 1, #pairs_ do
    if n(pairs_[i][1]) > 0 then s = s + pairs_[i][2] end
  end
  return lib.clamp(s)
end

-- noisy_or(p1, p2, ...): the chance that at least one independent signal holds.
function lib.noisy_or(...)
  local q = 1
  for i = 1, select("#", ...) do
    local p = select(i, ...) or 0
    q = q * (1 - lib.clamp(p))
  end
  return 1 - q
end

-- saturate(list, per): 1 - (1 - per)^count: more matches, more certainty.
function lib.saturate(list, per)
  return 1 - (1 - (per or 0.5)) ^ n(list)
end

-- clamp(x, lo, hi): x limited to [lo, hi] (default [0, 1]).
function lib.clamp(x, lo, hi)
  lo, hi = lo or 0, hi or 1
  if x ~= x or x < lo then return lo end
  if x > hi then return hi end
  return x
end

-- The trained model (`patrol train`, classifiers/model.c) beside the rules.
-- page.model and block.model are tables { category = probability } made
-- when first read; both are nil when the rules run without a model.
--
-- model(x, category): the model's probability that x (page or a block, as
-- by_block hands it to fn) is of category; nil without a model.
function lib.model(x, category)
  local t = x and x.model
  return t and t[category]
end

-- model_support(score, page, blk, category, opts): score, raised by
-- opts.boost (default 0.05) when the model reads the block blk as category
-- with a probability of at least opts.min (default 0.9) and the page as a
-- whole with at least opts.page_min (default 0.5), and only when score > 0:
-- the rule's own signals must already be there. It never lowers a score, so
-- the model can tip a borderline block over the threshold but never veto
-- one, and a rule scores as before without a model. Call it before the
-- rule's guards scale the score down, so they still weigh the block.
function lib.model_support(score, page, blk, category, opts)
  if not score or score <= 0 then return score end
  local pb, pp = lib.model(blk, category), lib.model(page, category)
  if not pb or pb < (opts and opts.min or 0.9) then return score end
  if not pp or pp < (opts and opts.page_min or 0.5) then return score end
  return lib.clamp(score + (opts and opts.boost or 0.05))
end

-- unless(score, list, factor): score times factor (default 0) when list matched.
function lib.unless(score, list, factor)
  if n(list) > 0 then return score * (factor or 0) end
  return score
end

-- back(s, i, k): i moved k characters back (not before 1); fwd(s, i, k):
-- i (the last byte of a character) moved to the last byte of the k-th
-- character after it (not past #s). utf8.offset counts the same way when i
-- starts a character; the loops below serve every other case.
local function back(s, i, k)
  if mtype(i) == "integer" and mtype(k) == "integer" and k > 0 and k < 0x40000000 and i > 1
      and i <= #s + 1
      and ((s:byte(i) or 0) & 0xC0) ~= 0x80 then
    return uoffset(s, -k, i) or 1
  end
  while k > 0 and i > 1 do
    i = i - 1
    while i > 1 and (s:byte(i) & 0xC0) == 0x80 do i = i - 1 end
    k = k - 1
  end
  return i
end

local function fwd(s, i, k)
  local len = #s
  if mtype(i) == "integer" and mtype(k) == "integer" and k > 0 and k < 0x40000000 and i >= 0 and i < len
      and ((s:byte(i + 1) or 0) & 0xC0) ~= 0x80 then
    return (uoffset(s, k + 1, i + 1) or len + 1) - 1
  end
  while k > 0 and i < len do
    i = i + 1
    while i < len and (s:byte(i + 1) & 0xC0) == 0x80 do i = i + 1 end
    k = k - 1
  end
  return i
end

-- evidence(page, match, context_chars): what a reviewer reads: the match as
-- the page wrote it with context_chars characters (default 40) either side,
-- inside the match's block, on one line. Return it as classify's second
-- value; the match's offsets go with it, so the review console can
-- highlight it.
function lib.evidence(page, match, context_chars)
  if not match then return nil end
  local k = context_chars or 40
  local s = page.text
  if match.where == "title" then s = page.title
  elseif match.where == "url" then s = page.url_text end
  local lo, hi = 1, #s
  local blk = match.where == "text" and match.block and page.blocks[match.block]
  if blk then
    for _, r in ipairs(blk.ranges) do
      if r.from <= match.from and match.from <= r.to then
        lo, hi = r.from, max(r.to, match.to)
        break
      end
    end
  end
  local sub = s:sub(lo, hi)
  local a, b = back(sub, match.from - lo + 1, k), fwd(sub, match.to - lo + 1, k)
  local text = sub:sub(a, b):gsub("%s+", " ")
  text = text:gsub("^ ", ""):gsub(" $", "")
  return { evidence = text, from = match.from, to = match.to, where = match.where }
end

local order = { text = 1, title = 2, url = 3 }

-- by_block(page, m, fn, opts): judges the page block by block and returns
-- the verdict of its strongest block. For every block that is not
-- boilerplate and holds a match of a set with weight and of every set the
-- rule requires (and for the title, when the main text holds none), fn(b, blk)
-- is called with b: each list of m narrowed to that block plus the title and
-- the URL (the same set names), and blk: the block (page.blocks entry, or
-- { kind = "title" }). fn returns score, evidence as classify does; without
-- evidence, the block's earliest match of a set with weight is shown.
-- Matches in boilerplate are left out of every b, so a sidebar can neither
-- flag a page nor clear it. opts.page lists set names whose lists stay
-- whole-page, boilerplate included: what a site says once for the page
-- (the brand in its header, how a shop wants to be paid, a company
-- address in its footer). Those sets never make a block worth judging.
-- opts.focus lists the sets that make a block worth judging (default: any
-- set with weight): a rule whose price or contact words are everywhere
-- names its subject, and the other blocks cost nothing.
function lib.by_block(page, m, fn, opts)
  local whole = {}
  for _, name in ipairs(opts and opts.page or {}) do whole[name] = true end
  -- a set's matches by block (and those of the title and URL), made when first read
  local groups = {}
  local function group(name)
    local g = groups[name]
    if g then return g end
    g = { shared = {} }
    local list = m[name]
    for j = 1, #list do
      local mm = list[j]
      if mm.kind ~= "boilerplate" then
        if mm.where ~= "text" or mm.kind == "title" then
          g.shared[#g.shared + 1] = mm
        else
          local id = mm.block or 0
          local t = g[id]
          if not t then t = {}; g[id] = t end
          t[#t + 1] = mm
        end
      end
    end
    groups[name] = g
    return g
  end
  -- a block is judged only where a set with weight matched (guards alone never
  -- flag), or one of opts.focus when the rule names the sets that matter
  local only
  if opts and opts.focus then
    only = {}
    for _, name in ipairs(opts.focus) do only[name] = true end
  end
  local focus, ids, title_hit = {}, {}, false
  for name, list in pairs(m) do
    if not whole[name] and #list > 0 and (only and only[name] or (not only and (list.weight or 1) > 0)) then
      local g = group(name)
      if #g.shared > 0 then title_hit = true end
      for id in pairs(g) do
        if id ~= "shared" and not focus[id] then focus[id] = true; ids[#ids + 1] = id end
      end
    end
  end
  -- and where every set the rule requires matched (in the block or the title)
  local kept, req = {}, {}
  for name, list in pairs(m) do
    if list.required and not whole[name] then req[#req + 1] = group(name) end
  end
  for _, id in ipairs(ids) do
    local ok = true
    for r = 1, #req do
      local g = req[r]
      if not g[id] and #g.shared == 0 then ok = false; break end
    end
    if ok then kept[#kept + 1] = id end
  end
  ids = kept
  sort(ids)
  -- the title is judged with the page's main text; alone when that matched nothing
  if title_hit then
    local main = false
    for _, id in ipairs(ids) do
      local blk = page.blocks[id]
      if blk and blk.kind == "main" then main = true; break end
    end
    if not main then ids[#ids + 1] = false end
  end
  local best, best_ev = 0, nil
  -- each list is narrowed to the block being judged when the rule first reads it
  local cur
  local narrow = { __index = function(t, name)
    local list = m[name]
    local out
    if whole[name] then
      out = { set = list.set, weight = list.weight, unpack(list, 1, #list) }
    elseif #list > 0 then
      local g = group(name)
      local mine = cur and g[cur]
      local k = 0
      if mine then
        k = #mine
        out = { set = list.set, weight = list.weight, unpack(mine, 1, k) }
      else
        out = { set = list.set, weight = list.weight }
      end
      local sh = g.shared
      for j = 1, #sh do k = k + 1; out[k] = sh[j] end
    else
      out = { set = list.set, weight = list.weight }
    end
    t[name] = out
    return out
  end }
  for _, id in ipairs(ids) do
    cur = id
    local b = setmetatable({}, narrow)
    local blk = id and page.blocks[id] or (page.title_block and page.blocks[page.title_block])
      or { kind = "title" }
    local s, ev = fn(b, blk)
    if type(s) == "boolean" then s = s and 1 or 0 end
    s = s or 0
    if s > best then
      best, best_ev = s, ev
      if not best_ev then
        local first
        for name, list in pairs(m) do
          if (list.weight or 1) > 0 then
            for _, mm in ipairs(b[name]) do
              if (id == false or mm.block == id) and (not first or order[mm.where] < order[first.where]
                  or (mm.where == first.where and mm.from < first.from)) then
                first = mm
              end
            end
          end
        end
        best_ev = first and lib.evidence(page, first)
      end
    end
  end
  return best, best_ev
end

return lib
