-- An expectation that does not hold: exit 1, the location in the report.
local m = msikit.machine{ arch = "test", cpus = 1 }
msikit.expect(1 + 1 == 2, "arithmetic")
msikit.expect(1 == 2, "one is two")
