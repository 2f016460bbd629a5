-- expect: none
-- line: 0
-- exit: 0
-- args: --allow-system
-- stdout: gc:.false.*finalizer_gone.lua:13: the machine is gone.*gc: 5 of 5 gone
-- Only with --allow-system may a metatable have __gc (gc_refused.lua).
-- Finalizers run at lua_close, after the machine was destroyed: each call raises
-- "the machine is gone" instead of reading freed memory (ASan: heap-use-after-free).
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
d:alloc_vectors{ min = 1 }
local c = m:cpu(0)
local calls = { function() return d:cfg_read(0, 4) end, function() return d:cfg_write(4, 0, 2) end,
  function() return d:bar_read(0, 0, 4) end, function() return d:bar_write(0, 0, 0, 4) end,
  function() return d:can_alloc_dyn() end }
setmetatable({}, { __gc = function()
  local gone = 0
  for i, f in ipairs(calls) do
    local ok, err = pcall(f)
    if i == 1 then print("gc:", ok, err) end
    if not ok and tostring(err):match("the machine is gone") then gone = gone + 1 end
  end
  print("gc: " .. gone .. " of " .. #calls .. " gone")
  d:cfg_read(0, 4) -- not caught: Lua drops an error in a finalizer; nothing is read
  c:take()
  m:now()
end })
