-- expect: os.execute is not available to a scenario \(msikit run --allow-system\)
-- line: 4
-- The default sandbox: no commands.
os.execute("true")
