-- expect: machine\{\}: cpus must be an integer, got string
local m = msikit.machine{ arch = "test", cpus = "four" }
