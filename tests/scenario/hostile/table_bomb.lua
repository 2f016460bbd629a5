-- expect: memory limit \(8388608 bytes\) reached; raise it with --max-memory
-- line: 7
-- args: --max-memory 8M
-- A table bomb.
local t = {}
for i = 1, 1e9 do
  t[i] = { i, i, i }
end
