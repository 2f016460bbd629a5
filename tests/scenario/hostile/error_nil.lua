-- expect: error raised without a message \(error\(\) with nil\)
-- line: 4
-- error() with no value.
error()
