-- expect: none
-- line: 0
-- exit: 0
-- m:spawn with 200 (and 100000) arguments: they all reach the actor.
local m = msikit.machine{ arch = "test" }
for _, n in ipairs{ 200, 100000 } do
  local args = {}
  for i = 1, n do args[i] = i end
  m:spawn(function(...)
    msikit.expect(select("#", ...) == n and select(n, ...) == n, n .. " arguments")
  end, table.unpack(args))
end
m:run()
