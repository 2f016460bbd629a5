-- expect: pci\{\}: msi = 3: MSI offers 1, 2, 4, 8, 16 or 32 vectors
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msi = 3 }
