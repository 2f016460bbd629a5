-- expect: msikit.expect_violation: "msix-disabled" is a loss reason. the ledger counts losses per reason
local m = msikit.machine{ arch = "test" }
msikit.expect_violation("msix-disabled", "0000:01:00.0")
