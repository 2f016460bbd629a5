-- expect: unknown arch "vax"
local m = msikit.machine{ arch = "vax" }
