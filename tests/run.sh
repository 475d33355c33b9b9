#!/bin/bash
# The whole suite, as root on a Debian 12 machine (README's second command):
# installs what it needs, prepares the test users and fixtures, then for each
# build (release with -Werror, and AddressSanitizer+UBSan) builds, installs
# under $WARREN_TEST_ROOT/<build>, runs the C unit tests and the bats suite as
# the unprivileged test users. Ends with "tests: N passed, N failed, N skipped"
# and exits non-zero on any failure.
#   tests/run.sh                   everything
#   WARREN_BUILDS=release tests/run.sh tests/bats/run.bats   one build, one file
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/env.sh"
[ "$(id -u)" = 0 ] || { echo "tests/run.sh must run as root (it creates the test users)" >&2; exit 1; }

"$top/scripts/deps.sh" --test || exit 1
"$here/setup.sh" || { echo "tests: 0 passed, 1 failed"; exit 1; }

builds=${WARREN_BUILDS:-release asan}
build_root=${WARREN_BUILD_ROOT:-$top/build}
bats_files=("$@")
full=0
[ ${#bats_files[@]} -eq 0 ] && full=1 && bats_files=("$here"/bats/*.bats)
passed=0 failed=0 skipped=0
log=$(mktemp -d /tmp/warren-suite.XXXXXX)

count_fail() { failed=$((failed + 1)); echo "FAILED: $1"; }

# build_install NAME MESON-ARGS...: build dir $build_root/suite-NAME, installed
# (as root, so the ID-map helpers are setuid root) under $WARREN_TEST_ROOT/NAME
build_install() {
	local name=$1 dir=$build_root/suite-$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$top" --prefix="$WARREN_TEST_ROOT/$name" "$@" >"$log/setup-$name" 2>&1 ||
			{ cat "$log/setup-$name"; return 1; }
	fi
	ninja -C "$dir" >"$log/build-$name" 2>&1 || { tail -50 "$log/build-$name"; return 1; }
	meson install -C "$dir" --quiet >"$log/install-$name" 2>&1 || { cat "$log/install-$name"; return 1; }
}

# unit tests: one meson test each
run_unit() {
	local dir=$build_root/suite-$1 out
	out=$(meson test -C "$dir" --print-errorlogs 2>&1)
	echo "$out" | grep -E '^ *[0-9]+/[0-9]+ ' || true
	local ok fail skip
	ok=$(echo "$out" | awk '/^Ok:/ {print $2}')
	fail=$(echo "$out" | awk '/^(Fail|Unexpected Pass|Timeout):/ {s += $NF} END {print s + 0}')
	skip=$(echo "$out" | awk '/^Skipped:/ {print $2}')
	passed=$((passed + ${ok:-0}))
	failed=$((failed + ${fail:-0}))
	skipped=$((skipped + ${skip:-0}))
	[ -n "$ok" ] || { echo "$out" | tail -20; count_fail "unit tests ($1) did not run"; }
}

# bats: TAP, counted line by line
run_bats() {
	local line
	while IFS= read -r line; do
		echo "$line"
		case "$line" in
		"ok "*"# skip"*) skipped=$((skipped + 1)) ;;
		"ok "*) passed=$((passed + 1)) ;;
		"not ok "*) failed=$((failed + 1)) ;;
		esac
	done < <(WARREN_PREFIX="$WARREN_TEST_ROOT/$1" bats --tap "${bats_files[@]}" 2>&1)
}

for b in $builds; do
	echo "=== build: $b"
	case $b in
	release) args=(-Dbuildtype=release -Dwerror=true) ;;
	asan) args=(-Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false) ;;
	*) echo "unknown build $b" >&2; exit 1 ;;
	esac
	if ! build_install "$b" "${args[@]}"; then
		count_fail "build $b"
		continue
	fi
	if [ "$b" = asan ]; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=125
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=125
	fi
	run_unit "$b"
	run_bats "$b"
	# issue 4: the images suite again, every container on warren-overlay
	if [ "$b" = release ] && [ "$full" = 1 ]; then
		echo "=== images suite on --storage-driver fuse-overlay"
		saved=("${bats_files[@]}")
		bats_files=("$here"/bats/images.bats "$here"/bats/archive.bats)
		WARREN_STORAGE_DRIVER=fuse-overlay run_bats "$b"
		bats_files=("${saved[@]}")
	fi
	unset ASAN_OPTIONS UBSAN_OPTIONS
done

if [ "${WARREN_FORMAT_CHECK:-1}" = 1 ]; then
	echo "=== clang-format"
	if (cd "$top" && git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror) >"$log/format" 2>&1; then
		passed=$((passed + 1))
		echo "ok clang-format"
	else
		head -20 "$log/format"
		count_fail "clang-format (fix with: make format)"
	fi
fi

rm -rf "$log"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
