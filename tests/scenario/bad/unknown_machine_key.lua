-- expect: machine\{\}: unknown key 'cpu' \(known: arch, cpus
local m = msikit.machine{ arch = "test", cpu = 4 }
