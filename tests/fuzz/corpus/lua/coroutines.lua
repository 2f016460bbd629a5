local m = msikit.machine{ arch = "ppc64" }
local co = coroutine.wrap(function() m:sleep(1) end)
msikit.expect(not pcall(co))
coroutine.yield()
m:spawn(function(a, b) coroutine.yield(); m:run(); return a + b end, 1, 2)
m:run()
