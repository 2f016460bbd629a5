-- expect: bad argument #1 to 'raise' \(a vector index or \{ims = slot\}\)
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:raise("first")
