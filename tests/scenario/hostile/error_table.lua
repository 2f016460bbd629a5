-- expect: error raised with a table value, not a message
-- line: 4
-- error() with a table.
error({ code = 7 })
