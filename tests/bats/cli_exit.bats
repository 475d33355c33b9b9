#!/usr/bin/env bats
# Docker's CLI exit codes (docker/cli: a command's error is 1; run, create,
# exec and build fail with 125; a flag its parser refuses is 125 for every
# command, FlagErrorFunc's StatusError), and warren.conf's unknown keys
# (a warning naming the file, line and the key it is close to) and
# malformed lines (an error). Podman exits 125 for all of these, so Docker
# is the reference here.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

CONF_DIR=/home/$TEST_USER/.config/warren

setup() {
	lc_setup
	rm -rf "$CONF_DIR"
}
teardown() {
	rm -rf "$CONF_DIR"
	lc_teardown
}

# code CMD...: the exit code and the one line warren: ... on stderr
expect_code() {
	local want=$1
	shift
	run --separate-stderr warren "$@" </dev/null
	echo "warren $*: exit $status, stderr [$stderr]"
	[ "$status" -eq "$want" ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == warren:* ]]
}

@test "errors of commands other than run, create, exec and build exit 1; theirs 125" {
	warren run -d --name up --rootfs "$ROOTFS" sleep infinity >/dev/null
	ctx=$(user_tmpdir)
	while read -r want args; do
		# shellcheck disable=SC2086
		expect_code "$want" $args
	done <<EOF
1 rm up
1 stop nosuch
1 start nosuch
1 restart nosuch
1 kill nosuch
1 wait nosuch
1 logs nosuch
1 inspect nosuch
1 rename nosuch other
1 port nosuch
1 top nosuch
1 stats --no-stream nosuch
1 pause nosuch
1 rmi nosuch:1
1 tag nosuch:1 other:1
1 history nosuch:1
1 image inspect nosuch:1
1 volume rm nosuch
1 volume inspect nosuch
1 export nosuch
1 diff nosuch
1 commit nosuch
1 events --filter colour=red
1 ps --filter colour=red
1 rm
1 frobnicate
1 container frobnicate
125 stop --frobnicate up
125 rm --frobnicate up
125 run --rootfs /nonexistent true
125 create --rootfs /nonexistent true
125 container run --rootfs /nonexistent true
125 exec nosuch true
125 build $ctx/nosuch
EOF
	# and the running container is still there
	[ "$(state up)" = running ]
}

@test "warren.conf: an unknown key is one warning with file, line and the near key, and the command goes on" {
	mkdir -p "$CONF_DIR"
	printf '# mine\nstorage-drvier = vfs\n\ncolour = blue\n' >"$CONF_DIR/warren.conf"
	chown -R "$TEST_USER" "/home/$TEST_USER/.config"
	run --separate-stderr warren ps -a
	[ "$status" -eq 0 ]
	[ "$stderr" = "warren: warning: $CONF_DIR/warren.conf:2: unknown key \"storage-drvier\" (did you mean \"storage-driver\"?), ignored
warren: warning: $CONF_DIR/warren.conf:4: unknown key \"colour\", ignored" ]
	[[ "${lines[0]}" == "CONTAINER ID "* ]]
	# said once, not again by warren-transfer: one warning line, one error
	run --separate-stderr warren diff nosuch
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | grep -c 'warning:')" -eq 2 ]
	[ "$(printf '%s\n' "$stderr" | grep -vc 'warning:')" -eq 1 ]
	# a known key still works beside them
	printf 'storage-driver = vfs\nstorage-drivr = x\n' >"$CONF_DIR/warren.conf"
	run --separate-stderr warren info --format json
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .storage_driver.name)" = vfs ]
	[[ "$stderr" == *":2: unknown key \"storage-drivr\" (did you mean \"storage-driver\"?)"* ]]
}

@test "warren.conf: a malformed line is an error naming the file and line" {
	mkdir -p "$CONF_DIR"
	printf 'storage-driver = vfs\nstorage-driver vfs\n' >"$CONF_DIR/warren.conf"
	chown -R "$TEST_USER" "/home/$TEST_USER/.config"
	run --separate-stderr warren ps
	[ "$status" -eq 1 ]
	[ "$stderr" = "warren: $CONF_DIR/warren.conf:2: malformed line: write KEY = VALUE (or # a comment)" ]
	run --separate-stderr warren run --rm --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	# --storage-driver does not skip the check: the file is still wrong
	run --separate-stderr warren --storage-driver vfs ps
	[ "$status" -eq 1 ]
}
