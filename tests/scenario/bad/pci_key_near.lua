-- expect: pci\{\}: unknown key 'msi_x': did you mean 'msix'\? \(known: 
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msi_x = 8 }
