#!/bin/bash
# `make fuzz`: builds the libFuzzer targets in tests/fuzz/ with clang (ASan +
# UBSan) and runs each for $FUZZ_SECONDS (default 60) on its own corpus under
# build/fuzz/corpus/NAME. Not part of CI's time. Exits non-zero when a target
# finds a crash (the reproducer is left in build/fuzz/).
#   scripts/fuzz.sh [TARGET...]     e.g. scripts/fuzz.sh fuzz_subid
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/fuzz
seconds=${FUZZ_SECONDS:-60}
command -v clang >/dev/null || { echo "fuzz: clang missing (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
[ -f "$dir/build.ninja" ] || CC=clang meson setup "$dir" "$top" -Dfuzz=true -Dbuildtype=debug >/dev/null
ninja -C "$dir" >/dev/null
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(find "$dir/tests/fuzz" -maxdepth 1 -type f -name "fuzz_*" -executable -printf "%f\n" | sort)
rc=0
for t in "${targets[@]}"; do
	mkdir -p "$dir/corpus/$t"
	echo "== $t for ${seconds}s"
	if (cd "$dir" && "$dir/tests/fuzz/$t" -max_total_time="$seconds" -print_final_stats=1 \
		"$dir/corpus/$t" 2>"$dir/$t.log"); then
		grep -E "stat::number_of_executed_units|stat::new_units_added" "$dir/$t.log" | tr '\n' ' '
		echo
	else
		echo "$t: FAILED, see $dir/$t.log"
		tail -30 "$dir/$t.log"
		rc=1
	fi
done
exit $rc
