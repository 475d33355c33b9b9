#!/bin/bash
# The whole suite, as root on a Debian 12 machine (README's second command):
# installs what it needs, prepares the test users and fixtures, builds each
# build (release with -Werror, and AddressSanitizer+UBSan) and installs it
# under $WARREN_TEST_ROOT/<build>, then runs the lanes at once: per build its
# C unit tests and the bats suite, and for a full run the images suite again
# on the release build with --storage-driver fuse-overlay. The bats tests
# mostly wait (on containers, registries, timeouts), so lanes side by side
# take about the time of the longest one. Each lane has its own unprivileged
# users, fixtures, registries, ports and temporary directories (lane_env in
# tests/env.sh); its TAP output is printed whole once it ended, lanes in
# order. Ends with "tests: N passed, N failed, N skipped" (all lanes and the
# clang-format check summed) and exits non-zero on any failure.
#   tests/run.sh                   everything
#   WARREN_BUILDS=release tests/run.sh tests/bats/run.bats   one build, one file
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/env.sh"
[ "$(id -u)" = 0 ] || { echo "tests/run.sh must run as root (it creates the test users)" >&2; exit 1; }

builds=${WARREN_BUILDS:-release asan}
build_root=${WARREN_BUILD_ROOT:-$top/build}
install_root=$WARREN_TEST_ROOT
bats_files=("$@")
full=0
[ ${#bats_files[@]} -eq 0 ] && full=1 && bats_files=("$here"/bats/*.bats)
passed=0 failed=0 skipped=0
log=$(mktemp -d /tmp/warren-suite.XXXXXX)

# the lanes, numbered from 1: the build each tests, and what it runs ("all":
# the unit tests and the bats files; "fuse": the images suite on fuse-overlay)
lane_build=() lane_kind=()
for b in $builds; do
	case $b in
	release | asan) ;;
	*) echo "unknown build $b" >&2; exit 1 ;;
	esac
	lane_build+=("$b") lane_kind+=(all)
	# issue 4: the images suite again, every container on warren-overlay
	[ "$b" = release ] && [ "$full" = 1 ] && lane_build+=(release) lane_kind+=(fuse)
done
lanes=${#lane_build[@]}

"$top/scripts/deps.sh" --test || exit 1
WARREN_LANES=$lanes "$here/setup.sh" || { echo "tests: 0 passed, 1 failed"; exit 1; }

count_fail() { failed=$((failed + 1)); echo "FAILED: $1"; }

# build_install NAME MESON-ARGS...: build dir $build_root/suite-NAME, installed
# (as root, so the ID-map helpers are setuid root) under $install_root/NAME
build_install() {
	local name=$1 dir=$build_root/suite-$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$top" --prefix="$install_root/$name" "$@" >"$log/setup-$name" 2>&1 ||
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

# run_bats BUILD FILES...: TAP, counted line by line
run_bats() {
	local line b=$1
	shift
	while IFS= read -r line; do
		echo "$line"
		case "$line" in
		"ok "*"# skip"*) skipped=$((skipped + 1)) ;;
		"ok "*) passed=$((passed + 1)) ;;
		"not ok "*) failed=$((failed + 1)) ;;
		esac
	done < <(WARREN_PREFIX="$install_root/$b" bats --tap --timing "$@" 2>&1)
}

# run_lane N: lane N with its own names and places; its output goes to
# $log/lane-N.out, its counts to $log/lane-N.counts
run_lane() {
	local n=$1 b=${lane_build[$1 - 1]} kind=${lane_kind[$1 - 1]} start=$SECONDS
	lane_env "$n"
	passed=0 failed=0 skipped=0
	if [ "$b" = asan ]; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=125
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=125
	fi
	if [ "$kind" = fuse ]; then
		echo "=== lane $n: images suite on --storage-driver fuse-overlay ($b, $WARREN_TEST_USER)"
		WARREN_STORAGE_DRIVER=fuse-overlay run_bats "$b" "$here"/bats/images.bats "$here"/bats/archive.bats
	else
		echo "=== lane $n: build $b ($WARREN_TEST_USER)"
		run_unit "$b"
		run_bats "$b" "${bats_files[@]}"
	fi
	echo "=== lane $n: $((SECONDS - start)) s"
	echo "$passed $failed $skipped" >"$log/lane-$n.counts"
}

# the builds one after the other (each already uses every core)
built=" "
for b in $builds; do
	case $b in
	release) args=(-Dbuildtype=release -Dwerror=true) ;;
	asan) args=(-Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false) ;;
	esac
	if build_install "$b" "${args[@]}"; then
		built+="$b "
	else
		count_fail "build $b"
	fi
done

# the lanes at once; each one's output whole, in lane order, once it ended
pids=()
for ((n = 1; n <= lanes; n++)); do
	[[ "$built" == *" ${lane_build[n - 1]} "* ]] || continue
	run_lane "$n" >"$log/lane-$n.out" 2>&1 &
	pids[n]=$!
done
for ((n = 1; n <= lanes; n++)); do
	[ -n "${pids[n]:-}" ] || continue
	wait "${pids[n]}"
	cat "$log/lane-$n.out"
	if read -r p f s <"$log/lane-$n.counts"; then
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		count_fail "lane $n ended before its counts"
	fi
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
