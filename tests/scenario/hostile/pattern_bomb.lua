-- expect: time limit \(1 s\) reached inside a call Lua cannot interrupt \(a string pattern\?\); raise it with --timeout
-- line: 10
-- args: --timeout 1
-- A backtracking pattern runs inside one C call, where Lua runs no hook: the
-- time limit's hook never fired and the command hung. The watchdog ends the
-- run two seconds past the limit, naming the line of the call.
local m = msikit.machine{ arch = "test" }
m:spawn(function()
  local s = ("x"):rep(100000)
  return s:find(".-.-.-.-y")
end)
m:run()
