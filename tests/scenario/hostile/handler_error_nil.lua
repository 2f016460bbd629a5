-- expect: error raised without a message \(error\(\) with nil\)
-- line: 7
-- A handler's error() with nil.
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:alloc_vectors{ min = 1 }
d:request(0, "q0", function() error(nil) end)
d:raise(0)
m:run()
