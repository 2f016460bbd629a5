#!/bin/sh
# The install as an embedder meets it (a CTest: install/*):
#   check-install.sh SRC BUILD CC WORK
# 1. `cmake --install BUILD --prefix WORK/p`: the files are there, and no
#    installed header, document or man page cites a document not installed;
# 2. examples/*.c built against it with `pkg-config --cflags --libs msikit`
#    (shared) and with the static archive, and run;
# 3. the same with DESTDIR (prefix /opt/msikit staged under WORK/stage):
#    the relocatable msikit.pc finds the staged tree;
# 4. `make install PREFIX=WORK/m` on an already configured BUILD installs
#    there (the prefix is not only the first configure's);
# 5. the installed msikit finds the installed scenarios (any prefix): `msikit demo`.
set -eu
SRC=$1 BUILD=$2 CC=$3 WORK=$4
rm -rf "$WORK"
mkdir -p "$WORK"
fail() { echo "check-install: $*" >&2; exit 1; }

cmake --install "$BUILD" --prefix "$WORK/p" >/dev/null
P=$WORK/p
for f in include/msikit.h include/msikit/machine.h share/doc/msikit/interfaces.md \
	share/doc/msikit/core-api.md share/doc/msikit/README.md share/doc/msikit/examples/demo.c \
	share/man/man3/msikit.3 share/man/man3/msk_machine_create.3 \
	share/man/man3/msk_pci_alloc_irq_vectors.3; do
	[ -f "$P/$f" ] || fail "not installed: $f"
done
PC=$(find "$P" -name msikit.pc | head -n 1)
[ -n "$PC" ] || fail "no msikit.pc under $P"
grep -q '^prefix=${pcfiledir}' "$PC" || fail "$PC: prefix is not relative to the file: $(grep ^prefix= "$PC")"

# Every document cited by an installed file is installed (or is a shipped
# scenario); no citation of the design documents (INTERFACES, ARCHITECTURE ...).
cited=$(cat $(find "$P/include" "$P/share/doc/msikit" "$P/share/man" -type f) | sed 's/\\-/-/g' |
	grep -oE '[A-Za-z0-9_-]+\.md\b' | sort -u)
for d in $cited; do
	[ -f "$P/share/doc/msikit/$d" ] || [ -n "$(find "$P/share" -name "$d" | head -n 1)" ] ||
		fail "an installed file cites $d, which is not installed: $(grep -rlE "\b$d\b" "$P" | head -n 3)"
done
if grep -rnE '\b(INTERFACES|ARCHITECTURE|SEED-STORIES|STYLE)\b|linux-msi\.md|linux-decisions\.md|hw-facts\.md' \
	"$P/include" "$P/share/doc/msikit" "$P/share/man"; then
	fail "installed files cite documents msikit does not ship (above)"
fi

# Build and run every example against an install tree ($1: the pkgconfig dir).
build_examples() {
	pcdir=$1 tag=$2
	libdir=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=libdir msikit)
	[ -f "$libdir/libmsikit.a" ] || fail "$tag: pkg-config's libdir $libdir has no libmsikit.a"
	for ex in "$SRC"/examples/*.c; do
		name=$(basename "$ex" .c)
		# shellcheck disable=SC2046
		"$CC" -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter "$ex" -o "$WORK/$name-$tag-shared" \
			$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs msikit)
		LD_LIBRARY_PATH=$libdir "$WORK/$name-$tag-shared" >"$WORK/$name-$tag-shared.out" ||
			fail "$tag: $name (shared) failed: $(cat "$WORK/$name-$tag-shared.out")"
		libs=$(PKG_CONFIG_PATH=$pcdir pkg-config --static --libs msikit | sed 's/-lmsikit\b/-l:libmsikit.a/')
		# shellcheck disable=SC2046,SC2086
		"$CC" -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter "$ex" -o "$WORK/$name-$tag-static" \
			$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags msikit) $libs
		if ldd "$WORK/$name-$tag-static" | grep -q libmsikit; then
			fail "$tag: $name (static) still needs libmsikit.so"
		fi
		"$WORK/$name-$tag-static" >/dev/null || fail "$tag: $name (static) failed"
		echo "check-install: $tag: examples/$name.c built (shared, static) and ran"
	done
}
build_examples "$(dirname "$PC")" prefix

# DESTDIR: staged under WORK/stage, prefix /opt/msikit.
DESTDIR="$WORK/stage" cmake --install "$BUILD" --prefix /opt/msikit >/dev/null
SPC=$(find "$WORK/stage/opt/msikit" -name msikit.pc | head -n 1)
[ -n "$SPC" ] || fail "DESTDIR: no msikit.pc under $WORK/stage/opt/msikit"
inc=$(PKG_CONFIG_PATH=$(dirname "$SPC") pkg-config --variable=includedir msikit)
[ "$(realpath "$inc")" = "$(realpath "$WORK/stage/opt/msikit/include")" ] ||
	fail "DESTDIR: pkg-config includedir is $inc"
build_examples "$(dirname "$SPC")" destdir

# make install PREFIX=... after the build dir exists (configured with another prefix).
make -s -C "$SRC" install BUILD="$BUILD" PREFIX="$WORK/m" JOBS=1 >"$WORK/make-install.log" 2>&1 ||
	fail "make install: $(tail -n 5 "$WORK/make-install.log")"
[ -n "$(find "$WORK/m" -name msikit.pc | head -n 1)" ] || fail "make install PREFIX=$WORK/m installed elsewhere"
make -s -C "$SRC" install BUILD="$BUILD" PREFIX=/usr DESTDIR="$WORK/d" JOBS=1 >>"$WORK/make-install.log" 2>&1 ||
	fail "make install DESTDIR: $(tail -n 5 "$WORK/make-install.log")"
[ -f "$WORK/d/usr/include/msikit.h" ] || fail "make install DESTDIR=$WORK/d PREFIX=/usr installed elsewhere"
echo "check-install: make install PREFIX= and DESTDIR= honoured"

# The installed command finds the installed scenarios (run with another MSIKIT_SCENARIOS unset).
if [ -x "$P/bin/msikit" ]; then
	out=$(cd / && env -u MSIKIT_SCENARIOS "$P/bin/msikit" demo --json) || fail "installed msikit demo failed"
	case "$out" in *"$P/share/msikit/scenarios/stories/04-vfio-its-expansion.lua"*) ;;
		*) fail "the installed msikit demo did not run the installed stories: $out" ;; esac
	echo "check-install: installed msikit demo ran"
fi
rm -rf "$WORK"
echo "check-install: ok"
