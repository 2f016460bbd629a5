-- Seeded faults and interleavings: an allocation somewhere fails (the Nth,
-- drawn from the seed), a CPU goes offline at a step drawn from the seed,
-- and three drivers race. Whatever fails must fail cleanly (nil, "ENAME:
-- ..."); the invariants (ledger balance, messages) are checked after every
-- step by the machine; removal leaves nothing behind. `explore` runs this
-- over hundreds of seeds.
local m = msikit.machine{ arch = "ppc64", cpus = 4, faults = { alloc = "random", cpu_offline = true } }

local function clean(what, ok, err)
  if ok == nil then
    msikit.expect(type(err) == "string" and err:match("^E[A-Z0-9]+: ") ~= nil,
                  what .. " fails cleanly: " .. tostring(err))
  end
  return ok
end

local devs = {}
for k = 1, 3 do
  devs[k] = clean("pci " .. k, m:pci{ bdf = string.format("0000:%02x:00.0", k), msix = 16, ims = 8 })
end

local function driver(d, k)
  return function()
    local n = clean("alloc", d:alloc_vectors{ min = 1, max = -4, type = "msix" })
    for q = 0, (n or 0) - 1 do clean("request", d:request(q)) end
    for round = 1, 6 do
      for q = 0, (n or 0) - 1 do clean("raise", d:raise(q)) end
      if round == 3 then
        local i, virq = d:alloc_at("any")
        if clean("alloc_at", i, virq) then clean("request", d:request(i)) end
      end
      m:sleep(1 + m:random(2))
    end
    if k == 2 and clean("ims", d:ims_domain{ size = 8 }) then
      local s, v = d:ims_alloc()
      if clean("ims_alloc", s, v) then
        clean("request", d:request({ ims = s }))
        clean("raise", d:raise({ ims = s }, 2))
      end
    end
  end
end

for k, d in ipairs(devs) do
  if d then m:spawn(driver(d, k)) end
end
m:run()

for k, d in ipairs(devs) do
  if d then
    if not clean("remove", d:remove()) then clean("remove again", d:remove()) end
  end
end
-- A view may itself meet the injected failure: then it fails cleanly too.
local irqs = clean("irqs", m:irqs()) or m:irqs()
msikit.expect(#irqs == 0, "no virq left after removal")
for _, v in ipairs(m:violations()) do
  msikit.expect(v.rule ~= "resources-returned", "nothing leaked: " .. v.detail)
end
local l = m:ledger()
msikit.expect(l.raised == l.delivered + l.lost + l.pending, "one fate per event")
