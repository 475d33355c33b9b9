#!/usr/bin/env bats
# warren unshare: a command as root of a user namespace with the ID maps a
# container gets (Podman's unshare), e.g. to remove the store that a plain
# rm -rf cannot, its directories being owned by subordinate IDs; and
# warren system reset (Podman's), which removes the whole store that way.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() { lc_setup; }
teardown() { lc_teardown; }

@test "unshare runs as root with the same ID maps as a container" {
	base_image
	in_ctr=$(warren run --rm base:1 cat /proc/self/uid_map /proc/self/gid_map)
	run warren unshare sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[ "$(printf '%s\n' "${lines[@]:1}")" = "$in_ctr" ]
}

@test "the store a plain rm -rf cannot remove goes with unshare rm -rf" {
	base_image
	warren run --name owned base:1 sh -c 'mkdir -p /d/e && chown -R 1000:1000 /d && chmod 0700 /d' >/dev/null
	# the container's files belong to subordinate IDs: the user alone cannot remove them
	run as_user rm -rf "$STORE"
	[ "$status" -ne 0 ]
	[ -d "$STORE" ]
	run warren unshare rm -rf "$STORE"
	[ "$status" -eq 0 ]
	[ ! -e "$STORE" ]
}

@test "unshare passes the command's exit status; a missing command is 126 or 127" {
	run warren unshare sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run warren unshare /nonexistent/cmd
	[ "$status" -eq 127 ]
	[[ "$output" == *"/nonexistent/cmd"* ]]
}

@test "unshare without subordinate IDs maps only the user's own ID" {
	run warren_nosub unshare cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" =~ ^\ +0\ +$NOSUB_UID\ +1$ ]]
}

@test "system reset asks first; n keeps everything" {
	base_image
	warren create --name keep base:1 true >/dev/null
	run warren_stdin n system reset
	[ "$status" -eq 0 ]
	[[ "$output" == "WARNING! This will remove:"*" - the store: $STORE"*"[y/N]"* ]]
	[ "$(warren ps -aq | wc -l)" -eq 1 ]
	[ -n "$(warren images -q)" ]
}

@test "system reset -f kills and removes every container and the whole store" {
	base_image
	warren run -d --name r base:1 sleep infinity >/dev/null
	pid=$(warren inspect --format '{{.State.Pid}}' r)
	warren run --name owned base:1 sh -c 'mkdir -p /d && chown 1000:1000 /d' >/dev/null
	warren volume create v >/dev/null
	run warren system reset -f
	[ "$status" -eq 0 ]
	[ ! -e "$STORE" ]
	! kill -0 "$pid" 2>/dev/null
	[ -z "$(warren ps -aq)" ]
	[ -z "$(warren images -q)" ]
	[ -z "$(warren volume ls -q)" ]
	# and warren works on a fresh store afterwards
	base_image
	[ "$(warren run --rm base:1 echo again)" = again ]
}

@test "system reset refuses a --root that is not a store and removes nothing" {
	d=$(user_tmpdir)
	echo precious > "$d/file"
	chown -R "$TEST_USER" "$d"
	run warren --root "$d" system reset -f
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"does not look like a warren store"* ]]
	[ "$(cat "$d/file")" = precious ]
}
