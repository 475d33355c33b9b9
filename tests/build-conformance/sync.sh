#!/bin/bash
# sync.sh: the block of per-case tests in tests/bats/build_conformance.bats
# rewritten from the directories of tests/build-conformance/cases/, one
# test per case in name order (bats 1.8 finds tests only in the file's
# text). Run it after adding or removing a case; the suite's last
# conformance test fails while a case has no test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bats=$here/../bats/build_conformance.bats
block=$(for c in "$here"/cases/*/; do
	n=$(basename "$c")
	printf '@test "build conformance: %s" { check_case %s; }\n' "$n" "$n"
done)
awk -v block="$block" '
	/^# BEGIN CASES/ { print; if (block != "") print block; skip = 1; next }
	/^# END CASES/ { skip = 0 }
	!skip' "$bats" > "$bats.tmp"
mv "$bats.tmp" "$bats"
