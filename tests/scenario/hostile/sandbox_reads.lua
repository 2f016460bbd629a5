-- expect: none
-- line: 0
-- exit: 0
-- The default sandbox still reads files and requires Lua modules next to the scenario.
local me = debug == nil and arg == nil and package.path:match("^(.-)/%?%.lua")
msikit.expect(me and me:match("hostile$"), "require looks next to the scenario first")
local f = assert(io.open(me .. "/sandbox_reads.lua", "r"))
msikit.expect(f:read("l"):match("^%-%- expect"), "io.open for reading")
f:close()
local n = 0
for _ in io.lines(me .. "/sandbox_reads.lua") do n = n + 1 end
msikit.expect(n > 5, "io.lines")
msikit.expect(require("lib.helper").answer == 42, "require of a Lua module")
msikit.expect(package.loadlib == nil and #package.searchers == 2, "no C searchers")
msikit.expect(os.getenv("HOME") ~= nil or true, "os.getenv stays")
msikit.expect(not pcall(os.exit), "os.exit is an error")
