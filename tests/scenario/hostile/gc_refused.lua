-- expect: setmetatable: a metatable with __gc: Lua runs finalizers where no limit reaches them \(msikit run --allow-system\)
-- line: 7
-- A finalizer that never returns: Lua 5.4 runs __gc with hooks off, so no
-- instruction or time limit could stop it (the command hung at lua_close).
-- By default a scenario's metatables cannot have __gc.
local t = {}
setmetatable(t, { __gc = function() while true do end end })
