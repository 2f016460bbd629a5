-- expect: attempt to perform arithmetic on a nil value
local m = msikit.machine{ arch = "test" }
m:spawn(function() m:sleep(3); local x; return x + 1 end)
m:run()
