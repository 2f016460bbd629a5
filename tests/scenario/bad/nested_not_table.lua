-- expect: machine\{\}\.its must be a table like \{key = value\}, got number
local m = msikit.machine{ arch = "test", its = 5 }
