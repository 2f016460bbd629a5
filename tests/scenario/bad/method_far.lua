-- expect: device has no method 'frobnicate' \(it has: [a-z_, ]*request[a-z_, ]*\)$
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:frobnicate()
