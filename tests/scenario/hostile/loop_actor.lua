-- expect: instruction limit \(1000000\) reached; raise it with --max-instructions
-- line: 8
-- args: --max-instructions 1000000
-- An actor that never yields (max_steps counts whole resumes: it cannot stop it).
local m = msikit.machine{ arch = "test" }
m:spawn(function()
  local x = 0
  while true do x = x + 1 end
end)
m:run()
