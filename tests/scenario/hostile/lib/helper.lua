-- A Lua module required by sandbox_reads.lua (not a test itself).
return { answer = 42 }
