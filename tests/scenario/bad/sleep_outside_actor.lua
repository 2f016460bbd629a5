-- expect: m:sleep must be called from the scenario or an m:spawn\(\) actor
local m = msikit.machine{ arch = "test" }
local co = coroutine.create(function() m:sleep(1) end)
local ok, err = coroutine.resume(co)
error(err, 0)
