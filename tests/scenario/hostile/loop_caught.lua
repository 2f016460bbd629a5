-- expect: instruction limit \(1000000\) reached; raise it with --max-instructions
-- line: 6
-- args: --max-instructions 1000000
-- Catching the limit's error buys no time.
while true do
  pcall(function() while true do end end)
end
