-- expect: none
-- line: 0
-- exit: 0
-- args: --max-memory 1G
-- seconds: 20
-- 200 000 actors that end at once: every step was a scan of every actor ever spawned
-- (over 30 s); now each step is O(log n).
-- Sanitizer builds run a tenth (MSIKIT_HOSTILE_ACTORS): TSan makes each coroutine slow.
local n = tonumber(os.getenv("MSIKIT_HOSTILE_ACTORS")) or 200000
local m = msikit.machine{ arch = "test" }
local ended = 0
for i = 1, n do
  m:spawn(function()
    m:sleep(1)
    ended = ended + 1
  end)
end
m:run()
msikit.expect(ended == n, "every actor ended")
