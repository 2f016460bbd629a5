-- expect: os.remove is not available to a scenario
-- line: 4
-- The default sandbox: nothing removed or renamed.
os.remove("/tmp/msikit-hostile-should-not-exist")
