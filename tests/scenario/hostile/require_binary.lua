-- expect: error loading module 'lib.binmod' from file '[^']*/hostile/lib/binmod.lua':[^;]* attempt to load a binary chunk \(mode is 't'\)
-- line: 5
-- args: --allow-system
-- require loads text only, in every mode (a crafted binary chunk can crash the Lua VM).
require("lib.binmod")
