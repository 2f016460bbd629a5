-- Events for over a second of wall clock: the progress line's case (cli/progress-tty).
local m = msikit.machine{ arch = "test" }
local d = m:pci{ msix = 1 }
d:alloc_vectors{ max = 1 }
d:request(0, "slow")
local start = os.clock()
while os.clock() - start < 1.5 do
  for _ = 1, 64 do d:raise(0) m:run() end
end
