-- expect: io.open: mode "w": a scenario opens files for reading only
-- line: 4
-- The default sandbox: no file opened for writing.
local f = io.open("/tmp/msikit-hostile-should-not-exist", "w")
