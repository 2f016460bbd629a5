local a = msikit.machine{ arch = "x86" }
local ok = pcall(msikit.machine, { arch = "arm64" })
msikit.expect(not ok)
