#!/bin/sh
# The whole test suite from a deep clone path (more than 200 characters):
# nothing may depend on where the tree is (file names in messages, chunk
# names, paths compiled in). A Release build of a `git clone` of this
# repository's HEAD, then every CTest test.
#   scripts/check-deep-clone.sh [JOBS]
set -eu
jobs=${1:-2}
src=$(cd "$(dirname "$0")/.." && pwd)
top=$(mktemp -d)
trap 'rm -rf "$top"' EXIT
deep=$top
while [ ${#deep} -le 200 ]; do
	deep=$deep/a-rather-long-directory-name-for-msikit
done
mkdir -p "$deep"
git clone -q "$src" "$deep/msikit"
echo "deep-clone: ${#deep}-character path: $deep/msikit"
cmake -S "$deep/msikit" -B "$deep/msikit/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$deep/msikit/build" -j "$jobs" >/dev/null
cd "$deep/msikit/build"
ctest --output-on-failure -j "$jobs"
