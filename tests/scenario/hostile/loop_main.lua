-- expect: instruction limit \(1000000\) reached; raise it with --max-instructions
-- line: 6
-- args: --max-instructions 1000000
-- A loop in the main chunk (the command had no limit: it ran forever).
local x = 0
while true do x = x + 1 end
