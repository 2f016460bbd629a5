-- expect: module 'lfs' not found: no field package.preload\['lfs'\]; no file '[^']*/hostile/lfs.lua'
-- line: 7
-- args: --allow-system
-- No C searchers: package.cpath is not looked at, whatever the scenario sets it to.
package.cpath = "/usr/lib/x86_64-linux-gnu/lua/5.4/?.so;/usr/lib/?.so"
package.path = package.path:match("^[^;]*")
require("lfs")
