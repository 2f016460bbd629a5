-- expect: io.output: a scenario opens no file for writing
-- line: 4
-- The default sandbox: io.output takes no file name.
io.output("/tmp/msikit-hostile-should-not-exist")
