-- expect: io.popen is not available to a scenario
-- line: 4
-- The default sandbox: no pipes.
local p = io.popen("echo hi")
