return { name = "x", patterns = { a = { { re = "(" } } } }
