-- expect: no position of its own$
-- line: 4
-- error("msg", 0): a message without a position.
local function f() error("no position of its own", 0) end
f()
