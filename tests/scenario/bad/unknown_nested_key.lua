-- expect: machine\{\}\.its: unknown key 'alloc_dynamic'
local m = msikit.machine{ arch = "test", its = { alloc_dynamic = true } }
