-- expect: device has no method 'reqest': did you mean 'request'\?$
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:alloc_vectors{ max = 4 }
d:reqest(0, "eth0")
