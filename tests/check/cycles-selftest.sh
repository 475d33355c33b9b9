#!/bin/bash
# tests/check/cycles-selftest.sh - cycles.sh finds what it is for: builds
# tiny two-file C programs in a temporary directory (a call loop, an include
# loop, and the same program without either) and asserts that
# cycles_check_program fails on the loops, naming them, and passes the
# acyclic one. Needs cc and nm; writes only below its temporary directory.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/cycles.sh
CYCLES_LIB=1 . "$here/cycles.sh"

tmp=$(mktemp -d /tmp/cycles-selftest.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
failed=0

# prog DIR: write a.c and b.c (b.c calls a's a_helper when LOOP=1) and the
# headers (b.h includes a.h back when HLOOP=1) into DIR, compile them
prog() {
	local d=$1 hinc="" decl="" call=0
	[ "${HLOOP:-0}" = 1 ] && hinc='#include "a.h"'
	[ "${LOOP:-0}" = 1 ] && decl='int a_helper(void);' && call='a_helper()'
	mkdir -p "$d"
	printf '#ifndef A_H\n#define A_H\n#include "b.h"\nint a_helper(void);\n#endif\n' >"$d/a.h"
	printf '#ifndef B_H\n#define B_H\n%s\nint b_work(void);\n#endif\n' "$hinc" >"$d/b.h"
	printf '#include "a.h"\nint a_helper(void) { return 1; }\nint main(void) { return b_work(); }\n' \
		>"$d/a.c"
	printf '#include "b.h"\n%s\nint b_work(void) { return %s; }\n' "$decl" "$call" >"$d/b.c"
	(cd "$d" && cc -c a.c -o a.c.o && cc -c b.c -o b.c.o)
}

# expect WANT NAME DIR: run the check on DIR's program; WANT pass or fail
expect() {
	local want=$1 name=$2 d=$3 out rc
	out=$(cycles_check_program "$name" "$d" "" "a.c b.c" "$d/a.c.o" "$d/b.c.o")
	rc=$?
	if { [ "$want" = pass ] && [ $rc -eq 0 ]; } ||
		{ [ "$want" = fail ] && [ $rc -eq 1 ] && [[ $out == *"$4"* ]]; }; then
		return 0
	fi
	echo "cycles-selftest: $name: wanted $want${4:+ with \"$4\"}, got rc $rc: $out"
	failed=$((failed + 1))
}

prog "$tmp/clean" || exit 1
LOOP=1 prog "$tmp/calls" || exit 1
HLOOP=1 prog "$tmp/includes" || exit 1
expect pass clean "$tmp/clean"
expect fail calls "$tmp/calls" "call cycle: a.c -> b.c (b_work) -> a.c (a_helper)"
expect fail includes "$tmp/includes" "include cycle: a.h -> b.h -> a.h"

if [ $failed -eq 0 ]; then
	echo "cycles-selftest: 3 passed (a call loop and an include loop found, none in a clean program)"
	exit 0
fi
echo "cycles-selftest: $failed of 3 failed"
exit 1
