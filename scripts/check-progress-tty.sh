#!/bin/sh
# cli/progress-tty: on a terminal, a run longer than a second draws a progress
# line on stderr; in a pipe it draws none. script(1) gives the command a
# terminal. Usage: check-progress-tty.sh MSIKIT SCENARIO; exit 77: skipped.
set -eu
msikit=$1 scenario=$2
command -v script >/dev/null 2>&1 || { echo "no script(1): skipped"; exit 77; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
script -qec "$msikit run $scenario --quiet" /dev/null >"$out" 2>&1 || true
if ! grep -q "msikit: .*slow_events.lua: step [0-9]*, time [0-9]*, [0-9]* events" "$out"; then
	echo "no progress line on a terminal:"; cat "$out"; exit 1
fi
piped=$("$msikit" run "$scenario" --quiet 2>&1 | cat)
case $piped in
*events*) echo "a progress line in a pipe: $piped"; exit 1 ;;
esac
echo "progress line on a terminal, none in a pipe"
