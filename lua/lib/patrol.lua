-- patrol.lua - the helper library every rule sees as `lib`.
--
-- A match list is what classify(page, m) gets as m.<set>: an array of
-- matches, each { text, from, to, where, view, norm, pattern, set, index,
-- weight }, in page order, plus the fields `set` (its name) and `weight`.
-- Every helper accepts nil or an empty list where a list is expected, so
-- rules read as one line each. See lua/README.md for the whole API.

local lib = {}

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

-- where(list, place): the matches found in "text", "title" or "url".
function lib.where(list, place)
  local out = { set = list and list.set, weight = list and list.weight }
  for j = 1, n(list) do
    if list[j].where == place then out[#out + 1] = list[j] end
  end
  return out
end

function lib.in_title(list) return n(lib.where(list, "title")) > 0 end
function lib.in_url(list) return n(lib.where(list, "url")) > 0 end
function lib.in_text(list) return n(lib.where(list, "text")) > 0 end

local function gap(a, b)
  if a.where ~= b.where then return math.huge end
  if a.to < b.from then return b.from - a.to - 1 end
  if b.to < a.from then return a.from - b.to - 1 end
  return 0
end

-- near(a, b, bytes): the first pair of matches, one from each list, in the
-- same place and at most `bytes` bytes of original text apart (a kanji is 3
-- bytes). Returns ma, mb, or nil.
function lib.near(a, b, bytes)
  bytes = bytes or 120
  for i = 1, n(a) do
    for j = 1, n(b) do
      if gap(a[i], b[j]) <= bytes then return a[i], b[j] end
    end
  end
  return nil
end

-- near_all(bytes, a, b, ...): the lists all have a match within one window
-- of `bytes` bytes, around some match of a. Returns the window as a match.
function lib.near_all(bytes, a, ...)
  local others = { ... }
  for i = 1, n(a) do
    local span, ok = a[i], true
    for k = 1, #others do
      local _, mb = lib.near({ a[i] }, others[k], bytes)
      if not mb then ok = false; break end
      span = lib.span(span, mb)
    end
    if ok then return span end
  end
  return nil
end

-- merge(a, b, ...): one list with the matches of all, in page order.
function lib.merge(...)
  local out, w = {}, 0
  for i = 1, select("#", ...) do
    local list = select(i, ...)
    if list then
      w = math.max(w, list.weight or 1)
      for j = 1, #list do out[#out + 1] = list[j] end
    end
  end
  local order = { text = 1, title = 2, url = 3 }
  table.sort(out, function(a, b)
    if a.where ~= b.where then return order[a.where] < order[b.where] end
    return a.from < b.from
  end)
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
  return {
    from = math.min(a.from, b.from), to = math.max(a.to, b.to),
    where = a.where, text = nil, set = a.set, weight = a.weight,
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

-- unless(score, list, factor): score times factor (default 0) when list matched.
function lib.unless(score, list, factor)
  if n(list) > 0 then return score * (factor or 0) end
  return score
end

local function back(s, i, k)
  while k > 0 and i > 1 do
    i = i - 1
    while i > 1 and (s:byte(i) & 0xC0) == 0x80 do i = i - 1 end
    k = k - 1
  end
  return i
end

local function fwd(s, i, k)
  local len = #s
  while k > 0 and i < len do
    i = i + 1
    while i < len and (s:byte(i + 1) & 0xC0) == 0x80 do i = i + 1 end
    k = k - 1
  end
  return i
end

-- evidence(page, match, context_chars): what a reviewer reads: the match as
-- the page wrote it with context_chars characters (default 40) either side,
-- on one line. Return it as classify's second value; the match's offsets go
-- with it, so the review console can highlight it.
function lib.evidence(page, match, context_chars)
  if not match then return nil end
  local k = context_chars or 40
  local s = page.text
  if match.where == "title" then s = page.title
  elseif match.where == "url" then s = page.url_text end
  local a, b = back(s, match.from, k), fwd(s, match.to, k)
  local text = s:sub(a, b):gsub("%s+", " ")
  text = text:gsub("^ ", ""):gsub(" $", "")
  return { evidence = text, from = match.from, to = match.to, where = match.where }
end

return lib
