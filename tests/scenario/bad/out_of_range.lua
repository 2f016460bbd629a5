-- expect: pci\{\}: msix = 4096 is out of range \(0\.\.2048\)
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4096 }
