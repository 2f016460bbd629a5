-- expect: machine\{\}: prepare = "per_alloc" is not one of "per-device", "per-alloc": did you mean "per-alloc"\?$
local m = msikit.machine{ arch = "test", prepare = "per_alloc" }
