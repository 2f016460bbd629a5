-- expect: pci\{\}: bdf "1:2:3" is not like "0000:01:00.0"
local m = msikit.machine{ arch = "test" }
local d = m:pci{ bdf = "1:2:3" }
