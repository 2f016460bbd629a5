-- expect: machine\{\}\.faults: alloc = "sometimes" is not one of "random" or N \(the Nth allocation fails\)$
local m = msikit.machine{ arch = "test", faults = { alloc = "sometimes" } }
