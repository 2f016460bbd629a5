-- expect: bad argument #2 to 'mmio_read' \(size must be 1, 2, 4 or 8\)
local m = msikit.machine{ arch = "test" }
m:mmio_read(0xfee00000, 3)
