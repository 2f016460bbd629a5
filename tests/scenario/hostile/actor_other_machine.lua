-- expect: m:sleep: this actor runs on machine 1, not on machine 2
-- line: 8
-- Several machines: an actor waits only on the machine that spawned it.
local a = msikit.machine{ arch = "test" }
local b = msikit.machine{ arch = "test" }
a:spawn(function()
  a:sleep(1)
  b:sleep(1)
end)
a:run()
