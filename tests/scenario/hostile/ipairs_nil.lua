-- expect: attempt to index a nil value
-- line: 5
-- An error raised inside a C function (ipairs' iterator) carries no position of its own.
local t = nil
for i, v in ipairs(t) do print(i, v) end
