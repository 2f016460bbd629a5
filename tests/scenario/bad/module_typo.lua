-- expect: msikit has no function 'machin': did you mean 'machine'\?$
local m = msikit.machin{ arch = "test" }
