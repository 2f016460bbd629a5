-- expect: machine\{\}: arch is required
local m = msikit.machine{ cpus = 2 }
