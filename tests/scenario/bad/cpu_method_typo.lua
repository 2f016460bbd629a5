-- expect: cpu has no method 'tkae': did you mean 'take'\?$
local m = msikit.machine{ arch = "test", os = false }
local c = m:cpu(0)
c:tkae()
