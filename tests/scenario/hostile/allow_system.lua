-- expect: none
-- line: 0
-- exit: 0
-- args: --allow-system
-- --allow-system: the whole standard library, minus debug, C modules and binary chunks.
local name = os.tmpname()
local f = assert(io.open(name, "w"))
f:write("x")
f:close()
msikit.expect(os.remove(name), "files written and removed")
msikit.expect(debug == nil and package.loadlib == nil, "still no debug, no loadlib")
msikit.expect(load(string.dump(function() end)) == nil, "still no binary chunk")
