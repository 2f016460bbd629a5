-- expect: error raised with a table value, not a message
-- line: 6
-- An actor's error() with a non-string.
local m = msikit.machine{ arch = "test" }
m:spawn(function()
  error({})
end)
m:run()
