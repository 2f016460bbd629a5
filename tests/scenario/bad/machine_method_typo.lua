-- expect: machine has no method 'spwan': did you mean 'spawn'\?$
local m = msikit.machine{ arch = "test" }
m:spwan(function() end)
