#!/usr/bin/env bats
# `warren events`: the store's event journal read and followed as Docker's
# `docker events` shows it (actions, attributes, line format, --since,
# --until, --filter, --format), with no daemon. The expected sequences are
# Docker's documented ones (podman names several actions differently:
# remove, died, cleanup).

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() {
	lc_setup
	T0=$(date +%s)
}
teardown() { lc_teardown; }

# past [ARGS...]: the events since the test began, up to now
past() { warren events --since "$T0" --until 0s "$@"; }

# wait_in FILE TEXT: poll FILE (a follower's output) for TEXT
wait_in() {
	local i
	for ((i = 0; i < 200; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for '$2' in $1:" >&2
	cat "$1" >&2
	return 1
}

@test "a container's life: create, start, kill, die with its exit code, destroy" {
	id=$(warren run -d --name e1 --label team=blue --rootfs "$ROOTFS" sleep infinity)
	warren kill e1 >/dev/null
	wait_state e1 exited
	warren rm e1 >/dev/null
	run past --format '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}'
	[ "$status" -eq 0 ]
	[ "$output" = "container create $id e1
container start $id e1
container kill $id e1
container die $id e1
container destroy $id e1" ]
	# the attributes Docker gives: the signal, the exit code, labels, image
	[ "$(past --filter event=kill --format '{{.Actor.Attributes.signal}}')" = 9 ]
	[ "$(past --filter event=die --format '{{.Actor.Attributes.exitCode}}')" = 137 ]
	[ "$(past --filter event=create --format '{{.Actor.Attributes.team}} {{.Actor.Attributes.image}}')" = "blue $ROOTFS" ]
}

@test "stop is kill, die, stop; a foreground --rm run is create, start, die, destroy" {
	warren run -d --name e2 --rootfs "$ROOTFS" sh -c 'trap "exit 5" TERM; sleep infinity & wait'
	warren stop e2 >/dev/null
	[ "$(past --format '{{.Action}}' | tr '\n' ' ')" = "create start kill die stop " ]
	[ "$(past --filter event=kill --format '{{.Actor.Attributes.signal}}')" = 15 ]
	[ "$(past --filter event=die --format '{{.Actor.Attributes.exitCode}}')" = 5 ]
	T0=$(date +%s)
	run warren run --rm --name e3 --rootfs "$ROOTFS" sh -c 'exit 3'
	[ "$status" -eq 3 ]
	[ "$(past --filter container=e3 --format '{{.Action}}' | tr '\n' ' ')" = "create start die destroy " ]
	[ "$(past --filter container=e3 --filter event=die --format '{{.Actor.Attributes.exitCode}}')" = 3 ]
}

@test "exec is exec_start with the command, as Docker names it" {
	warren run -d --name e4 --rootfs "$ROOTFS" sleep infinity >/dev/null
	warren exec e4 echo hi >/dev/null
	run past --filter event=exec_start --format '{{.Action}}'
	[ "$output" = "exec_start: echo hi" ]
}

@test "the default line is Docker's: time with nanoseconds, type, action, ID, sorted attributes" {
	id=$(warren run -d --name e5 --label zz=last --label aa=first --rootfs "$ROOTFS" sleep infinity)
	run past --filter event=start
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\ container\ start\ $id\ \(aa=first,\ image=$ROOTFS,\ name=e5,\ zz=last\)$ ]]
	# {{json .}} is Docker's message with its wire names
	run past --filter event=start --format '{{json .}}'
	[ "$(echo "$output" | jq -r '[.status, .id, .Type, .Action, .Actor.ID, .scope] | join(" ")')" = "start $id container start $id local" ]
	[ "$(echo "$output" | jq -r '(.timeNano / 1000000000 | floor) == .time')" = true ]
	# Docker's documented template fields
	run past --filter event=start --format 'Type={{.Type}} Status={{.Status}} ID={{.ID}}'
	[ "$output" = "Type=container Status=start ID=$id" ]
}

@test "filters: same key OR, different keys AND; an unknown key is one line, exit 1" {
	warren run -d --name fa --rootfs "$ROOTFS" sleep infinity >/dev/null
	warren run -d --name fb --label keep=1 --rootfs "$ROOTFS" sleep infinity >/dev/null
	warren volume create fv >/dev/null
	run past --filter container=fa --filter container=fb --filter event=start --format '{{.Actor.Attributes.name}}'
	[ "$output" = "fa
fb" ]
	run past --filter label=keep=1 --format '{{.Action}} {{.Actor.Attributes.name}}'
	[ "$output" = "create fb
start fb" ]
	run past --filter type=volume --format '{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.driver}}'
	[ "$output" = "volume create fv local" ]
	warren volume rm fv >/dev/null
	[ "$(past --filter volume=fv --format '{{.Action}}' | tr '\n' ' ')" = "create destroy " ]
	run --separate-stderr warren events --filter colour=red
	one_line_err
	[[ "$stderr" == *colour* ]]
	run --separate-stderr warren events --filter type=planet
	one_line_err
	run --separate-stderr warren events --since yesterday
	one_line_err
	[[ "$stderr" == *"--since"* ]]
}

@test "image events: tag, untag and delete name the image" {
	base_image
	T0=$(date +%s)
	id=$(warren images --no-trunc -q base:1)
	warren tag base:1 other:2
	warren rmi other:2 >/dev/null
	warren rmi base:1 >/dev/null
	run past --filter type=image --format '{{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}'
	echo "$output"
	[ "$output" = "tag $id other:2
untag $id other:2
untag $id base:1
delete $id $id" ]
	run past --filter image=base:1 --format '{{.Action}}'
	[ "$output" = "untag" ]
}

@test "events follows the journal as it grows, and ends at --until" {
	out=$(user_tmpdir)/follow
	as_user "$WARREN" events --filter type=volume >"$out" 3>&- &
	# the follower starts at the journal's end: create until it sees one
	for ((i = 0; i < 100; i++)); do
		warren volume create "v$i" >/dev/null
		grep -q "volume create" "$out" 2>/dev/null && break
		sleep 0.1
	done
	warren volume create last >/dev/null
	wait_in "$out" "volume create last (driver=local)"
	pkill -u "$TEST_USER" -f "events --filter type=volume"
	# --until in the future: it streams, then exits 0 by itself
	until=$(($(date +%s) + 2))
	run as_user timeout 30 "$WARREN" events --since "$T0" --until "$until" --filter volume=last
	[ "$status" -eq 0 ]
	[[ "$output" == *"volume create last"* ]]
	[ "$(date +%s)" -ge "$until" ]
}

@test "a full journal moves to events.log.1; --since reads both" {
	warren volume create first >/dev/null
	# fill the journal past 1 MiB with old events
	as_user python3 -c '
import json, sys
line = json.dumps({"Type": "volume", "Action": "create", "Actor": {"ID": "old", "Attributes": {}},
                   "scope": "local", "time": 1, "timeNano": 1000000000}) + "\n"
with open(sys.argv[1], "a") as f:
    f.write(line * (1048576 // len(line) + 1))' "$STORE/events.log"
	warren volume create second >/dev/null
	[ -f "$STORE/events.log.1" ]
	[ "$(stat -c %s "$STORE/events.log")" -lt 4096 ]
	run past --filter type=volume --format '{{.Actor.ID}}'
	[ "$output" = "first
second" ]
	[ "$(stat -c %a "$STORE/events.log")" = 600 ]
}
