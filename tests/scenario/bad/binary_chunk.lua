-- expect: attempt to load a binary chunk
-- Lua does not verify bytecode: scenarios load text only.
local f = assert(load(string.dump(function() return 1 end)))
f()
