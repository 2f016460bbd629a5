-- expect: machine\{\}: keys must be names, got a number key
local m = msikit.machine{ "test" }
