#!/bin/bash
# `make fuzz` and the suite's fuzz pieces: builds the libFuzzer targets in
# tests/fuzz/ with clang (ASan + UBSan, every library instrumented) in
# $FUZZ_BUILD (default build/fuzz) and runs each for $FUZZ_SECONDS (default
# 60) on its seed corpus, tests/fuzz/seeds/NAME (for fuzz_unpack also the
# layers of tests/fixtures/tar/mklayers.py), keeping what it finds in
# $FUZZ_CORPUS/NAME (default $FUZZ_BUILD/corpus/NAME). Exits non-zero when a
# target finds a crash; the reproducer is left in the corpus' parent folder.
#   scripts/fuzz.sh [TARGET...]      e.g. scripts/fuzz.sh fuzz_subid
#   scripts/fuzz.sh --install DIR    build, then copy the targets to DIR/bin
#                                    and their seeds to DIR/seeds/NAME (the
#                                    suite runs them from there as a test user)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${FUZZ_BUILD:-$top/build/fuzz}
corpus=${FUZZ_CORPUS:-$dir/corpus}
seconds=${FUZZ_SECONDS:-60}
command -v clang >/dev/null || { echo "fuzz: clang missing (scripts/deps.sh --test installs it)" >&2; exit 1; }
[ -f "$dir/build.ninja" ] || CC=clang meson setup "$dir" "$top" -Dfuzz=true -Dbuildtype=debug >/dev/null

# targets: every tests/fuzz/fuzz_*.c; only those are built, not the programs
mapfile -t all < <(cd "$top/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
if ! out=$(ninja -C "$dir" "${all[@]/#/tests/fuzz/}" 2>&1); then
	echo "$out" | grep -E 'error|FAILED' | head -20 >&2
	exit 1
fi

# seeds_to DIR: every target's seeds in DIR/NAME (NAME without fuzz_)
seeds_to() {
	mkdir -p "$1"
	cp -r "$top/tests/fuzz/seeds/." "$1/"
	mkdir -p "$1/unpack"
	python3 "$top/tests/fixtures/tar/mklayers.py" "$1/unpack" >/dev/null
}

if [ "${1:-}" = --install ]; then
	rm -rf "$2"
	mkdir -p "$2/bin"
	for t in "${all[@]}"; do cp "$dir/tests/fuzz/$t" "$2/bin/"; done
	seeds_to "$2/seeds"
	chmod -R a+rX "$2"
	exit 0
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
seeds_to "$corpus/seeds"

rc=0
for t in "${targets[@]}"; do
	mkdir -p "$corpus/$t"
	echo "== $t for ${seconds}s"
	if (cd "$corpus" && "$dir/tests/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 \
		"$corpus/$t" "$corpus/seeds/${t#fuzz_}" 2>"$corpus/$t.log"); then
		grep -E "stat::number_of_executed_units|stat::new_units_added|cov:" "$corpus/$t.log" |
			grep -E "stat::|DONE" | tr '\n' ' '
		echo
	else
		echo "$t: FAILED, see $corpus/$t.log"
		tail -30 "$corpus/$t.log"
		rc=1
	fi
done
exit $rc
