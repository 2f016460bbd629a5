-- expect: machine\{\}: msi = "globl" is not one of "per-device", "global"
local m = msikit.machine{ arch = "test", msi = "globl" }
