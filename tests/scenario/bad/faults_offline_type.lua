-- expect: machine\{\}\.faults: cpu_offline must be true, false or N \(the step it happens at\), got table$
local m = msikit.machine{ arch = "test", faults = { cpu_offline = {} } }
