-- expect: coroutine.resume: that coroutine is run by msikit's runtime
-- line: 9
-- The main chunk resuming an actor behind the runtime's back.
local m = msikit.machine{ arch = "test" }
local co
m:spawn(function() co = coroutine.running() m:sleep(10) end)
m:sleep(1)
m:yield()
coroutine.resume(co)
