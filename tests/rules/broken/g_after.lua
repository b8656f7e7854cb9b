-- loaded after a file refused at compile time: its ids must still line up
return {
  name = "test.after",
  category = "suicide_inducement",
  patterns = { invite = { "一緒に死", view = "both" }, extra = { "練炭" } },
  classify = function(page, m)
    return lib.all(m.invite, m.extra) and 0.8 or 0, lib.evidence(page, m.invite[1], 5)
  end,
}
