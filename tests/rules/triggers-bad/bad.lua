-- bad.lua - triggers that name what the rule does not have.

return {
  {
    name = "test.trigger_name",
    category = "drug_ad",
    triggers = { { "a", "nope" } },
    patterns = { a = { "alpha" } },
    classify = function(page, m) return 0 end,
  },
  {
    name = "test.trigger_type",
    category = "drug_ad",
    triggers = { 42 },
    patterns = { a = { "alpha" } },
    classify = function(page, m) return 0 end,
  },
  {
    name = "test.trigger_empty",
    category = "drug_ad",
    triggers = {},
    patterns = { a = { "alpha" } },
    classify = function(page, m) return 0 end,
  },
}
