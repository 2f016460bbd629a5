-- expect: d:raise options: unknown key 'evry': did you mean 'every'\? \(known: every\)
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:raise(0, 5, { evry = 1 })
