-- expect: coroutine.close: that coroutine is run by msikit's runtime
-- line: 7
-- An actor closing the main chunk's coroutine.
local m = msikit.machine{ arch = "test" }
local main = coroutine.running()
m:spawn(function()
  coroutine.close(main)
end)
m:run()
