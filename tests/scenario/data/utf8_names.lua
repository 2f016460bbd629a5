-- A handler name and an expectation message with bytes that are not UTF-8
-- (0xff): the JSON report must still be UTF-8 (each such byte is U+FFFD).
local m = msikit.machine{ arch = "test", cpus = 2 }
local d = m:pci{ msix = 2 }
d:alloc_vectors{ min = 1, max = 1 }
d:request(0, "eth\xff")
msikit.expect(false, "name eth\xff")
