-- expect: msikit.expect_violation: no rule, invariant or loss reason named "prepare-twice" \(one of: prepare-once,
local m = msikit.machine{ arch = "test" }
msikit.expect_violation("prepare-twice")
