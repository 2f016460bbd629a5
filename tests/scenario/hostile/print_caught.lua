-- expect: none
-- line: 0
-- exit: 0
-- stdout: ^/.*print_caught.lua:9: caught
-- An error the script catches and prints names the file whole, as the
-- run's own messages do: Lua shortens a chunk name over 60 bytes to
-- ".../tail", which print() maps back (hostile/deep-path/print_caught).
local ok, err = pcall(function()
  error("caught")
end)
assert(not ok)
print(err)
