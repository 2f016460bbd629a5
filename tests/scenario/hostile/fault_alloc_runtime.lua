-- expect: none
-- line: 0
-- exit: 0
-- faults.alloc = N never hits the simulator's own bookkeeping (the runtime's actor table):
-- the first allocation after the machine is built was the main chunk's actor (exit 3).
for n = 1, 3 do
  local m = msikit.machine{ arch = "test", faults = { alloc = n } }
  local id = m:spawn(function() m:sleep(1) end)
  msikit.expect(id ~= nil, "m:spawn under faults.alloc = " .. n)
  m:run()
end
