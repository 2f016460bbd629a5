-- expect: msikit.machine: one machine per scenario run
local a = msikit.machine{ arch = "test" }
local b = msikit.machine{ arch = "test" }
