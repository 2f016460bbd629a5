local want = {}
for _, e in ipairs(expected) do
  local key = e[1] .. "/" .. e[2]
  local cpu = landed[key] and landed[key][e[3]] or e[3]
  want[key] = want[key] or {}
  want[key][cpu] = (want[key][cpu] or 0) + e[4]
end
local got = {}
for _, r in pairs(final) do
  if r.device and r.index then got[r.device .. "/" .. r.index] = r.counts end
end
for _, f in ipairs(functions) do
  for index = 0, RAISE and (f.last or f.nvec - 1) or -1 do
    local key = f.bdf .. "/" .. index
    if f.vectors[index] then
      local counts, w = got[key] or {}, want[key] or {}
      for cpu = 0, CPUS - 1 do
        local have, need = counts[cpu + 1] or -1, w[cpu] or 0
        if need > 0 or have ~= 0 then
          msikit.expect(have == need, string.format("%s (%s) CPU %d: %d interrupts, %d expected",
                                                    key, f.vectors[index][1], cpu, have, need))
        end
      end
    end
  end
end
local ledger = m:ledger()
msikit.expect(ledger.lost == 0, ledger.lost .. " interrupts lost")
msikit.expect(ledger.delivered == ledger.raised, "every interrupt replayed was delivered")
