#!/usr/bin/env bats
# A container's user namespace ID maps are decided once, at create, and kept
# in its record: start, exec and cp use them as they were. A subordinate
# range taken from the user after create is refused with one line, never
# answered with a new map; keep-id stays through start and exec.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

SUBID_SET=$BATS_TEST_DIRNAME/../subid-set.sh
MOVED_START=$((TEST_SUBUID_START + TEST_SUBID_COUNT)) # granted to nobody

setup() { lc_setup; }
teardown() {
	# the test user's range as tests/setup.sh made it, whatever happened
	"$SUBID_SET" "$TEST_USER" "$TEST_SUBUID_START" "$TEST_SUBID_COUNT"
	lc_teardown
}

# owners: what the container's first start made, seen from inside
OWNERS_CMD='test -e /owned || { echo x > /owned; chown 1000:1000 /owned; }; stat -c "%u:%g %n" /owned /bin/busybox'

@test "a range taken from the user after create: start refuses with one line and changes nothing; given back, the same owners" {
	base_image
	id_c=$(warren create --name c base:1 sh -c "$OWNERS_CMD")
	id_fresh=$(warren create --name fresh base:1 sh -c "$OWNERS_CMD")
	run warren start -a c
	[ "$status" -eq 0 ]
	before=$output
	[ "$before" = "$(printf '1000:1000 /owned\n0:0 /bin/busybox')" ]
	state_c=$(warren inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}' c)

	"$SUBID_SET" "$TEST_USER" "$MOVED_START" "$TEST_SUBID_COUNT"
	old="$TEST_SUBUID_START-$((TEST_SUBUID_START + TEST_SUBID_COUNT - 1))"
	now="$MOVED_START-$((MOVED_START + TEST_SUBID_COUNT - 1))"
	why="its user namespace maps host IDs $old, which /etc/subuid no longer grants to $TEST_USER (now: $now); restore the range, or remove the container and create it again"
	run --separate-stderr warren start c
	one_line_err
	[ "$stderr" = "warren: container ${id_c:0:12}: $why" ]
	run --separate-stderr warren start fresh
	one_line_err
	[ "$stderr" = "warren: container ${id_fresh:0:12}: $why" ]
	[ "$(warren inspect --format '{{.State.Status}} {{.State.ExitCode}} {{.State.FinishedAt}}' c)" = "$state_c" ]
	[ "$(state fresh)" = created ]
	# reaching its files (cp, in warren-transfer) is refused the same way
	run --separate-stderr warren cp c:/owned -
	one_line_err
	[ "$stderr" = "warren: container ${id_c:0:12}: $why" ]

	"$SUBID_SET" "$TEST_USER" "$TEST_SUBUID_START" "$TEST_SUBID_COUNT"
	run warren start -a c
	[ "$status" -eq 0 ]
	[ "$output" = "$before" ]
	run warren start -a fresh
	[ "$status" -eq 0 ]
	[ "$output" = "$before" ]
}

@test "a container created with --userns=keep-id keeps the user's own uid and gid on start, exec and restart" {
	base_image
	warren create --name k --userns=keep-id base:1 sh -c 'id -u > /tmp/first; sleep infinity' >/dev/null
	warren start k >/dev/null
	wait_state k running
	[ "$(warren exec k id -u)" = "$TEST_UID" ]
	[ "$(warren exec k id -g)" = "$TEST_GID" ]
	[ "$(warren exec k cat /tmp/first)" = "$TEST_UID" ]
	warren restart -t 0 k >/dev/null
	wait_state k running
	[ "$(warren exec k id -u)" = "$TEST_UID" ]
	[ "$(warren inspect --format '{{.HostConfig.UsernsMode}}' k)" = keep-id ]
}

@test "a record written before the plan was stored still starts, with maps made on load" {
	base_image
	id=$(warren create --name old base:1 id -u)
	cfg=$STORE/containers/$id/config.json
	jq 'del(.Warren.IdMap)' "$cfg" > "$cfg.new" && mv "$cfg.new" "$cfg"
	chown "$TEST_USER:$TEST_GID" "$cfg"
	run warren start -a old
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}
