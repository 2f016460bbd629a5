
-- ----------------------------------------------------------------------------------
-- The replay. Nothing below depends on the machine imported.

-- "0-3,8" -> { 0, 1, 2, 3, 8 }
local function cpus(list)
  local t = {}
  for part in list:gmatch("[^,]+") do
    local a, b = part:match("^(%d+)-(%d+)$")
    for c = tonumber(a or part), tonumber(b or part) do t[#t + 1] = c end
  end
  return t
end

local notes = {}
local function note(...) notes[#notes + 1] = string.format(...) end

-- virq -> its row of the interrupts table, now.
local function irq_rows()
  local rows = {}
  for _, r in ipairs(m:irqs()) do rows[r.virq] = r end
  return rows
end

for _, c in ipairs(cpus(OFFLINE)) do
  msikit.expect(m:cpu_offline(c), "CPU " .. c .. " offline, as on the real machine")
end

-- Plug in, allocate, request. A sparse MSI-X function (f.sparse: indices with gaps, as
-- vfio-pci or pci_msix_alloc_irq_at() leave them) gets its first f.nvec vectors, then each
-- other index it had on its own (dynamic MSI-X, Linux 6.2+ pci_msix_alloc_irq_at).
local devs = {}
local function alloc_sparse(f, d)
  for index = f.nvec, f.last do
    if f.vectors[index] then
      local at, err = d:alloc_at(index)
      if not msikit.expect(at == index, f.bdf .. " vector " .. index .. " (alloc_at) "
                           .. tostring(err or "")) then return false end
    end
  end
  return true
end
for i, f in ipairs(functions) do
  local d = m:pci{ bdf = f.bdf, vendor = f.vendor, device = f.device, msix = f.msix, msi = f.msi }
  local dyn = f.sparse and d:can_alloc_dyn()
  local want = (f.sparse and not dyn) and f.last + 1 or f.nvec -- no dynamic MSI-X: all of them
  local n, err = d:alloc_vectors{ min = want, max = want, type = f.msix and "msix" or "msi",
                                  affinity = f.affinity }
  if msikit.expect(n == want, f.bdf .. ": " .. want .. " vectors " .. tostring(err or ""))
     and (not dyn or alloc_sparse(f, d)) then
    for index = 0, (f.last or f.nvec - 1) do
      local v = f.vectors[index]
      if v and v[1] ~= "" then
        msikit.expect(d:request(index, v[1]), f.bdf .. " vector " .. index .. " requested")
      end
    end
    devs[i] = d
  end
end

-- Where the platform put the managed queues (nothing moves them afterwards).
local placed = irq_rows()
for i, f in ipairs(functions) do
  for index = 0, (f.last or f.nvec - 1) do
    local v, d = f.vectors[index], devs[i]
    if d and v and v.managed and v.aff then
      local here = table.concat(placed[d:virq(index)].affinity, ",")
      if here ~= table.concat(cpus(v.aff), ",") then
        note("%s vector %d (%s, managed): spread over CPUs {%s} here, %s on the real machine",
             f.bdf, index, v[1], here, v.aff)
      end
    end
  end
end

-- Steer, raise, run: one vector at a time, one CPU at a time, ending where it was.
local landed = {} -- ["bdf/index"][the kernel's CPU] = this platform's, for managed queues
local function replay(f, d, index, v)
  local virq, key = d:virq(index), f.bdf .. "/" .. index
  local order = {}
  for c = 0, CPUS - 1 do
    if v.counts and v.counts[c] and c ~= v.eff then order[#order + 1] = c end
  end
  if v.counts and v.eff and v.counts[v.eff] then order[#order + 1] = v.eff end
  if v[1] == "" and #order > 0 then d:request(index, "(replay)") end
  for _, cpu in ipairs(order) do
    if v.managed then
      local at = placed[virq].effective_cpu
      if at ~= cpu then
        landed[key] = landed[key] or {}
        landed[key][cpu] = at
        note("%s vector %d (%s, managed): the kernel delivered %d interrupts to CPU %d, "
             .. "this platform to CPU %s", f.bdf, index, v[1], v.counts[cpu], cpu, tostring(at))
      end
    else
      local ok, err = m:set_affinity(virq, { cpu })
      msikit.expect(ok, key .. " steered to CPU " .. cpu .. " " .. tostring(err or ""))
    end
    -- RAISE false (import's own check): one interrupt each, enough for a move to complete
    d:raise(index, RAISE and v.counts[cpu] or 1, { every = 1 })
    m:run()
  end
  if v[1] == "" and #order > 0 then d:free_irq(index) end
  if v.aff and not v.managed then
    local ok, err = m:set_affinity(virq, cpus(v.aff))
    msikit.expect(ok, key .. " affinity " .. v.aff .. " " .. tostring(err or ""))
  end
end
for i, f in ipairs(functions) do
  for index = 0, (f.last or f.nvec - 1) do
    if devs[i] and f.vectors[index] then replay(f, devs[i], index, f.vectors[index]) end
  end
end
m:run()

-- Where each vector with a handler ends up, against where the kernel had it.
local final = irq_rows()
for i, f in ipairs(functions) do
  for index = 0, (f.last or f.nvec - 1) do
    local v, d = f.vectors[index], devs[i]
    local at = d and v and final[d:virq(index)].effective_cpu
    if v and v[1] ~= "" and v.eff and d and at ~= v.eff and not landed[f.bdf .. "/" .. index] then
      note("%s vector %d (%s): delivered to CPU %s here, CPU %d on the real machine",
           f.bdf, index, v[1], tostring(at), v.eff)
    end
  end
end
for _, n in ipairs(notes) do print("import: " .. n) end
