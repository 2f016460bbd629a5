-- expect: guest RAM limit \(4194304 bytes\) reached; raise it with --max-guest-ram
-- line: 9
-- args: --max-guest-ram 4M
-- A bare guest touching 1M pages of 1 TiB of RAM (4 GiB resident without the limit).
local m = msikit.machine{ arch = "test", os = false, ram = 1 << 40 }
local base = m:layout().ram
for i = 0, (1 << 20) - 1 do
  local a = base + i * 4096
  m:mem_write(a, i, 8)
end
