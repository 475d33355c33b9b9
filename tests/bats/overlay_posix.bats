#!/usr/bin/env bats
# POSIX conformance of warren-overlay (issue 19): tests/overlay/posix.sh runs
# the named checks of tests/overlay/posix.c (link counts, rename over every
# file type, name and path limits, permissions and owners, times, open files
# whose names are gone) on a plain directory, the kernel overlay and
# warren-overlay, in one user namespace, as the unprivileged test user.
# warren-overlay must give the plain directory's result in every check; the
# kernel overlay's differences are reported beside it. The counts go to the
# TAP stream as comments.

bats_require_minimum_version 1.5.0

load helpers

OVL=$WARREN_PREFIX/bin/warren-overlay
SUITE=$(cd "$(dirname "$BATS_TEST_FILENAME")/../overlay" && pwd)

teardown() {
	common_teardown
}

@test "overlay POSIX conformance: warren-overlay as a plain directory in every check" {
	local d
	d=$(user_tmpdir)
	chown "$TEST_USER:$(id -g "$TEST_USER")" "$d"
	run as_user env TMPDIR="$d" "$SUITE/posix.sh" "$OVL"
	echo "$output"
	echo "$output" | grep '^posix:' | sed 's/^/# /' >&3
	[ "$status" -eq 0 ]
	[[ "$output" == *"posix: warren-overlay differs in 0;"* ]]
	# every check ran and gave the plain directory's result
	local n
	n=$(echo "$output" | sed -n 's/^posix: \([0-9]*\) checks.*/\1/p')
	[ "${n:-0}" -gt 0 ]
	[ "$(echo "$output" | grep -c '^ok ')" -eq "$n" ]
}
