-- expect: attempt to call a nil value \(field 'loadlib'\)
-- line: 5
-- args: --allow-system
-- No C functions, even with --allow-system (luaopen_debug would bring debug back).
local f = package.loadlib("libc.so.6", "abort")
