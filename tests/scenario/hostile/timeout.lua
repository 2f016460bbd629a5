-- expect: time limit \(0.3 s\) reached; raise it with --timeout
-- line: 6
-- args: --max-instructions 0 --timeout 0.3
-- The wall clock, with the instruction limit lifted.
local x = 0
while true do x = x + 1 end
