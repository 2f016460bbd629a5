-- expect: '}' expected
local m = msikit.machine{ arch = "test"
local d = 1
