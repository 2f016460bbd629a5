-- expect: none
-- line: 0
-- exit: 0
-- args: --allow-system
-- stdout: gc: every method of machine, device and CPU: gone
-- Only with --allow-system may a metatable have __gc (gc_refused.lua).
-- Every method of every binding object, called from a finalizer at the end of the run.
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 4 }
local objs = { m, d, m:cpu(0), m:cpu(1) }
setmetatable({}, { __gc = function()
  local bad = {}
  for _, o in ipairs(objs) do
    for name, f in pairs(getmetatable(o).__methods) do
      local ok, err = pcall(function() return f(o, 1, 1, 1, 4) end)
      if ok or not err:match("hostile/gone_methods.lua:15: the machine is gone") then
        bad[#bad + 1] = name
      end
    end
  end
  table.sort(bad)
  print(#bad == 0 and "gc: every method of machine, device and CPU: gone"
        or "gc: not gone: " .. table.concat(bad, ", "))
end })
