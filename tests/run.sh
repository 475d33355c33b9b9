#!/bin/bash
# The whole suite, as root on a Debian 12 machine (README's second command):
# installs what it needs, prepares the test users and fixtures, builds each
# build (release with -Werror, and AddressSanitizer+UBSan) and installs it
# under $WARREN_TEST_ROOT/<build>, then runs the work: per build its C unit
# tests and each bats file, and for a full run the images suite again on the
# release build with --storage-driver fuse-overlay and the network suite
# again with socket switching off (warren.conf's slirp-options); the "fuzz" build is the
# libFuzzer targets (clang), each run $WARREN_FUZZ_SECONDS (default 20) from
# its seeds as a test user, one test each. $WARREN_LANES lanes
# (default 4) take the pieces of work from one queue, longest first, each
# the next as it finishes, so they end together. Each lane has its own
# unprivileged users, fixtures, registries, ports and temporary directories
# (lane_env in tests/env.sh). Each piece's TAP output is printed whole, in
# queue order, at the end; then the source checks (tests/check/*.sh) and
# the clang-format check run, on every run, also one with BATS-FILEs. Ends
# with "tests: N passed, N failed, N skipped" (everything, each check script
# and the clang-format check summed) and exits non-zero on any failure.
#   tests/run.sh                   everything
#   WARREN_BUILDS=release tests/run.sh tests/bats/run.bats   one build, one file
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/env.sh"
[ "$(id -u)" = 0 ] || { echo "tests/run.sh must run as root (it creates the test users)" >&2; exit 1; }

builds=${WARREN_BUILDS:-release asan fuzz}
build_root=${WARREN_BUILD_ROOT:-$top/build}
install_root=$WARREN_TEST_ROOT
bats_files=("$@")
full=0
[ ${#bats_files[@]} -eq 0 ] && full=1 && bats_files=("$here"/bats/*.bats)
passed=0 failed=0 skipped=0
log=$(mktemp -d /tmp/warren-suite.XXXXXX)

for b in $builds; do
	case $b in
	release | asan | fuzz) ;;
	*) echo "unknown build $b" >&2; exit 1 ;;
	esac
done
lanes=${WARREN_LANES:-4}

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

# fuzz_install: the libFuzzer targets (clang) and their seeds under
# $install_root/fuzz, where the test users can run them
fuzz_install() {
	FUZZ_BUILD=$build_root/suite-fuzz "$top/scripts/fuzz.sh" --install "$install_root/fuzz" \
		>"$log/build-fuzz" 2>&1 || { tail -50 "$log/build-fuzz"; return 1; }
}

# run_fuzz TARGET: TARGET for $WARREN_FUZZ_SECONDS (default 20) as the lane's
# test user, from its seeds; one test, failed by a crash or a leak
run_fuzz() {
	local f=$install_root/fuzz work
	work=$(mktemp -d "$WARREN_BATS_TMP.fuzz-XXXXXX")
	mkdir -p "$work/corpus"
	chown -R "$WARREN_TEST_USER" "$work"
	if (cd "$work" && runuser -u "$WARREN_TEST_USER" -- "$f/bin/$1" \
		-max_total_time="${WARREN_FUZZ_SECONDS:-20}" -print_final_stats=1 \
		"$work/corpus" "$f/seeds/${1#fuzz_}" >"$work/log" 2>&1); then
		echo "ok - $1: $(grep -E '^#[0-9]+.*DONE' "$work/log" | sed 's/ *DONE */ /')"
		passed=$((passed + 1))
	else
		tail -40 "$work/log"
		echo "not ok - $1 failed (its input is in $work)"
		failed=$((failed + 1))
		return
	fi
	rm -rf "$work"
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

# the files that take longest (measured: tests/run.sh prints each test's
# time), to start first; the others follow in name order
slow_first="conformance build_conformance docs network_names overlay net run_flags lifecycle build run cp filters
	pkg_install networks network_egress squashfs slurm
	build_mount build_sources images pull_errors uidmap image_containers interop run_docker build_drivers
	build_cachefrom top_stats storage cgroups build_interop build_cache faults archive build_history"

# files whose ASan run goes last, when their release run (at the front of
# the queue) has filled the cache of podman's results they share
asan_late="build_conformance"

# queue_work: the pieces of work, one line each ("KIND BUILD FILE"), longest
# first: each slow file under ASan, then in release; the rest; unit tests
queue_work() {
	local f b name seen=" " late=()
	for name in $slow_first; do
		for f in "${bats_files[@]}"; do
			[ "$(basename "$f" .bats)" = "$name" ] || continue
			seen+="$f "
			for b in asan release; do
				[[ " $builds " == *" $b "* ]] || continue
				if [ "$b" = asan ] && [[ " $asan_late " == *" $name "* ]]; then
					late+=("bats $b $f")
				else
					echo "bats $b $f"
				fi
			done
			# issue 4: the images suite again, every container on warren-overlay
			[ "$full" = 1 ] && [[ " $builds " == *" release "* ]] &&
				[[ "$name" == images || "$name" == archive ]] && echo "fuse release $f"
			# issue 25: the network suite again with socket switching off
			[ "$full" = 1 ] && [[ " $builds " == *" release "* ]] &&
				[ "$name" = net ] && echo "nobypass release $f"
		done
	done
	for f in "${bats_files[@]}"; do
		[[ "$seen" == *" $f "* ]] && continue
		for b in asan release; do
			[[ " $builds " == *" $b "* ]] && echo "bats $b $f"
		done
	done
	for b in $builds; do
		case $b in
		fuzz) for f in "$top"/tests/fuzz/fuzz_*.c; do echo "fuzz fuzz $(basename "$f" .c)"; done ;;
		*) echo "unit $b -" ;;
		esac
	done
	[ ${#late[@]} -eq 0 ] || printf '%s\n' "${late[@]}"
}

# next_work: the first piece of work left, taken off the queue
next_work() {
	(
		flock 9
		head -n 1 "$log/queue"
		sed -i 1d "$log/queue"
	) 9>"$log/queue.lock"
}

# run_work N KIND BUILD FILE: one piece in lane N; output to $log/work-K.out
run_work() {
	local n=$1 kind=$2 b=$3 f=$4 start=$SECONDS
	passed=0 failed=0 skipped=0
	if [ "$b" = asan ]; then
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=125
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=125
	else
		unset ASAN_OPTIONS UBSAN_OPTIONS
	fi
	case $kind in
	unit)
		echo "=== $b: unit tests (lane $n)"
		run_unit "$b"
		;;
	fuse)
		echo "=== $b, --storage-driver fuse-overlay: $(basename "$f") (lane $n, $WARREN_TEST_USER)"
		WARREN_STORAGE_DRIVER=fuse-overlay run_bats "$b" "$f"
		;;
	nobypass)
		echo "=== $b, slirp-options = bypass=false: $(basename "$f") (lane $n, $WARREN_TEST_USER)"
		local conf
		conf=$(mktemp -d /tmp/warren-conf.XXXXXX)
		mkdir "$conf/warren"
		echo "slirp-options = bypass=false" >"$conf/warren/warren.conf"
		chmod 0755 "$conf" "$conf/warren"
		chmod 0644 "$conf/warren/warren.conf"
		WARREN_TEST_CONFIG_HOME=$conf run_bats "$b" "$f"
		rm -rf "$conf"
		;;
	bats)
		echo "=== $b: $(basename "$f") (lane $n, $WARREN_TEST_USER)"
		run_bats "$b" "$f"
		;;
	fuzz)
		echo "=== fuzz: $f (lane $n, $WARREN_TEST_USER)"
		run_fuzz "$f"
		;;
	esac
	echo "=== $((SECONDS - start)) s"
}

# run_lane N: lane N, with its own names and places, takes work until none
# is left; each piece's output and counts go to $log/work-K.*
run_lane() {
	local n=$1 line k kind b f
	lane_env "$n"
	while line=$(next_work) && [ -n "$line" ]; do
		read -r k kind b f <<<"$line"
		run_work "$n" "$kind" "$b" "$f" >"$log/work-$k.out" 2>&1
		echo "$passed $failed $skipped" >"$log/work-$k.counts"
	done
}

# build_one NAME: build NAME (and install it where the tests take it)
build_one() {
	case $1 in
	release) build_install release -Dbuildtype=release -Dwerror=true ;;
	# -O1, as the sanitizers' own documentation advises: -O0 made the
	# FUSE and network servers the slowest part of the suite
	asan) build_install asan -Dbuildtype=debug -Doptimization=1 -Db_sanitize=address,undefined -Db_lundef=false ;;
	fuzz) fuzz_install ;;
	esac
}

# the builds one after the other (each already uses every core)
built=" "
for b in $builds; do
	if build_one "$b"; then
		built+="$b "
	else
		count_fail "build $b"
	fi
done

# the lanes at once, over the work of the builds that built
queue_work | while read -r kind b f; do
	[[ "$built" == *" $b "* ]] && echo "$kind $b $f"
done | nl -w1 -s' ' >"$log/queue"
works=$(wc -l <"$log/queue")
# cpu_ticks: busy and total jiffies of all CPUs so far (/proc/stat)
cpu_ticks() { awk '/^cpu / {b = $2 + $3 + $4 + $7 + $8; print b, b + $5 + $6}' /proc/stat; }
read -r busy0 total0 < <(cpu_ticks)
lanes_start=$SECONDS
pids=()
for ((n = 1; n <= lanes; n++)); do
	run_lane "$n" &
	pids+=($!)
done
wait "${pids[@]}"
read -r busy1 total1 < <(cpu_ticks)
lanes_info="$lanes lanes, $((SECONDS - lanes_start)) s, CPUs $((100 * (busy1 - busy0) / (total1 - total0 + 1)))% busy"
for ((k = 1; k <= works; k++)); do
	cat "$log/work-$k.out" 2>/dev/null
	if read -r p f s <"$log/work-$k.counts"; then
		passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	else
		count_fail "piece $k of the work ended before its counts"
	fi
done

# the source checks (tests/check/*.sh: the include rule, the call cycles,
# their selftests), quick, here in the main process on every run: one
# pass or one fail each, as the clang-format check. cycles.sh reads the
# release build; without one it is skipped.
for c in "$here"/check/*.sh; do
	[ -f "$c" ] || continue
	name=$(basename "$c" .sh)
	args=()
	echo "=== check: $name"
	case $name in
	layers) args=("$top") ;;
	cycles)
		if [[ "$built" != *" release "* ]]; then
			skipped=$((skipped + 1))
			echo "ok check $name # skip no release build"
			continue
		fi
		args=("$build_root/suite-release")
		;;
	esac
	if bash "$c" "${args[@]}" 2>&1; then
		passed=$((passed + 1))
		echo "ok check $name"
	else
		count_fail "check $name (tests/check/$name.sh)"
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
echo "=== the work: ${lanes_info:-not run}"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
