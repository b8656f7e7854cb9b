-- trig.lua - a rule that flags any page it runs on, behind triggers:
-- (alpha or beta) and gamma. t-classify checks which pages it runs on.

return {
  name = "test.triggers",
  category = "drug_ad",
  triggers = { { "a", "b" }, "g" },
  patterns = {
    a = { "alpha" },
    b = { "beta" },
    g = { "gamma" },
    d = { "delta" },
  },

  classify = function(page, m)
    return 1, "ran"
  end,
}
