# bench/common.sh - sourced by the benchmarks: root check, the suite's test
# users and fixtures (tests/setup.sh), a release build of warren installed
# with setuid helpers, and running commands as the unprivileged test user.
set -euo pipefail
bench_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$bench_top/tests/env.sh"
[ "$(id -u)" = 0 ] || { echo "benchmarks run as root (they create the test users; warren runs unprivileged)" >&2; exit 1; }
"$bench_top/scripts/deps.sh" --test
"$bench_top/tests/setup.sh" >/dev/null

BENCH_PREFIX=$WARREN_TEST_ROOT/bench
bench_build() {
	local dir=${WARREN_BUILD_ROOT:-$bench_top/build}/bench
	[ -f "$dir/build.ninja" ] ||
		meson setup "$dir" "$bench_top" --prefix="$BENCH_PREFIX" -Dbuildtype=release >/dev/null
	ninja -C "$dir" >/dev/null
	meson install -C "$dir" --quiet >/dev/null
}
WARREN=$BENCH_PREFIX/bin/warren

# as_user CMD...: CMD as the test user with a clean environment
as_user() {
	(cd /tmp && setpriv --reuid="$WARREN_TEST_USER" --regid="$(id -g "$WARREN_TEST_USER")" \
		--init-groups env -i HOME="/home/$WARREN_TEST_USER" USER="$WARREN_TEST_USER" \
		PATH=/usr/local/bin:/usr/bin:/bin "$@")
}

# user_copy SRC: a copy of SRC owned by the test user; prints its path
user_copy() {
	local d
	d=$(mktemp -d /tmp/warren-bench.XXXXXX)
	chmod 0755 "$d"
	cp -a "$1" "$d/copy"
	chown -R "$WARREN_TEST_USER:" "$d/copy"
	echo "$d/copy"
}

# median_ms JSON: the median of hyperfine's --export-json results, in ms, one per command
median_ms() {
	python3 -c 'import json,sys; [print("%.2f" % (r["median"] * 1000)) for r in json.load(open(sys.argv[1]))["results"]]' "$1"
}
