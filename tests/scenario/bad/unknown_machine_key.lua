-- expect: machine\{\}: unknown key 'cpu': did you mean 'cpus'\? \(known: arch, cpus
local m = msikit.machine{ arch = "test", cpu = 4 }
