-- expect: memory limit \(4194304 bytes\) reached; raise it with --max-memory
-- line: 6
-- args: --max-memory 4M
-- "not enough memory" in an actor: named with its line.
local m = msikit.machine{ arch = "test" }
m:spawn(function() local s = string.rep("x", 8 << 20) end)
m:run()
