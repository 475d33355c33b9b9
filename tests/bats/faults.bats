#!/usr/bin/env bats
# Faults: a killed monitor, a wiped runtime directory (as after a reboot), a
# full disk while logging, a stale lock; and 50 containers started at once
# while ps and rm run in loops.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() { lc_setup; }
teardown() {
	[ -f "$BATS_TEST_TMPDIR/mnt" ] && umount "$(cat "$BATS_TEST_TMPDIR/mnt")" 2>/dev/null || true
	lc_teardown
}

@test "kill -9 of a monitor: ps shows the container with a clear state; rm -f cleans up" {
	warren run -d --name orphan --rootfs "$ROOTFS" sleep infinity
	pid=$(warren inspect --format '{{.State.Pid}}' orphan)
	mon=$(ps -o ppid= -p "$pid" | tr -d ' ')
	kill -9 "$mon"
	sleep 0.2
	run warren ps --format '{{.Names}} {{.Status}}'
	[[ "$output" =~ ^orphan\ Up\ .*\(monitor\ lost\)$ ]]
	[[ "$(warren inspect --format '{{.State.Error}}' orphan)" == *"monitor"*"rm -f"* ]]
	warren rm -f orphan
	# gone, or a zombie of a PID 1 that does not reap: not running either way
	[ ! -e "/proc/$pid" ] || grep -q '^State:.*Z' "/proc/$pid/status"
	[ -z "$(warren ps -aq)" ]
	# warren-net, left without its monitor, ends with the container (its pidfd)
	for i in $(seq 50); do [ -z "$(live_procs)" ] && break; sleep 0.1; done
	live_procs
	[ -z "$(live_procs)" ]
}

@test "a monitor killed after its container died: the container shows exited, exit code unknown" {
	warren run -d --name gone --rootfs "$ROOTFS" sleep infinity
	pid=$(warren inspect --format '{{.State.Pid}}' gone)
	kill -9 "$(ps -o ppid= -p "$pid" | tr -d ' ')" "$pid"
	sleep 0.2
	[ "$(state gone)" = exited ]
	[ "$(warren inspect --format '{{.State.ExitCode}}' gone)" = 255 ]
	[[ "$(warren inspect --format '{{.State.Error}}' gone)" == *"monitor was killed"* ]]
	warren start gone
	[ "$(state gone)" = running ]
}

@test "start right after its monitor and container were killed: not blocked on its own lock" {
	warren run -d --name both --rootfs "$ROOTFS" sleep infinity
	pid=$(warren inspect --format '{{.State.Pid}}' both)
	kill -9 "$(ps -o ppid= -p "$pid" | tr -d ' ')" "$pid"
	sleep 0.2
	# no ps or inspect first: start itself finds the lost monitor (it used
	# to wait forever for the record lock it held itself)
	as_user timeout 20 "$WARREN_PREFIX/bin/warren" start both
	[ "$(state both)" = running ]
	warren rm -f both
}

@test "the runtime directory wiped (as after a reboot): containers show exited and start again" {
	warren run -d --name a --rootfs "$ROOTFS" sleep infinity
	warren run -d --name b --rootfs "$ROOTFS" sleep infinity
	pkill -KILL -u "$TEST_USER"
	rundir_rm "$TEST_USER"
	run warren ps -a --format '{{.Names}} {{.State}}'
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "a exited b exited " ]
	run warren start a b
	[ "$status" -eq 0 ]
	[ "$(state a)" = running ]
	[ "$(state b)" = running ]
	warren stop -t 0 a b
}

@test "a full disk while logging: the container keeps running and warren reports it" {
	full=$(user_tmpdir)/full
	echo "$full" > "$BATS_TEST_TMPDIR/mnt"
	mkdir -p "$full"
	mount -t tmpfs -o size=256k tmpfs "$full"
	chown "$TEST_USER" "$full"
	warren --root "$full" run -d --name noisy --rootfs "$ROOTFS" sh -c 'i=0; while [ $i -lt 20000 ]; do echo line-of-log-output-$i; i=$((i+1)); done; touch /tmp/alive; sleep infinity'
	wait_for_file "$ROOTFS/tmp/alive" 30
	[ "$(warren --root "$full" inspect --format '{{.State.Status}}' noisy)" = running ]
	run --separate-stderr warren --root "$full" logs --tail 1 noisy
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"log of noisy is incomplete"*"No space left on device"* ]]
	warren --root "$full" rm -f noisy
}

@test "a stale lock left by a killed command does not block later ones" {
	id=$(warren run -d --name locked --rootfs "$ROOTFS" sleep infinity)
	as_user flock -o "$STORE/containers/$id/lock" sleep infinity &
	# the lock is held once flock has started its sleep
	for _ in $(seq 200); do
		f=$(pgrep -u "$TEST_USER" -x flock) && pgrep -P "$f" > /dev/null && break
		sleep 0.05
	done
	pkill -KILL -u "$TEST_USER" -x flock
	run timeout 10 "$WARREN_PREFIX/bin/warren" --help
	run warren rm -f locked
	[ "$status" -eq 0 ]
	[ -z "$(warren ps -aq)" ]
}

@test "50 run -d at once while ps and rm loop: no lost, duplicated or half-written records, no orphans" {
	stop=$BATS_TEST_TMPDIR/stop
	( while [ ! -e "$stop" ]; do warren ps -a >/dev/null || echo PS-FAILED; done ) > "$BATS_TEST_TMPDIR/ps.log" 2>&1 &
	psloop=$!
	( while [ ! -e "$stop" ]; do
		victim=$(warren ps -aq --filter name=c1 | head -1)
		[ -n "$victim" ] && warren rm -f "$victim" >/dev/null 2>&1 && echo "$victim"
	done ) > "$BATS_TEST_TMPDIR/removed" &
	rmloop=$!
	for i in $(seq 50); do
		warren run -d --name "c$i" --rootfs "$ROOTFS" sleep infinity > "$BATS_TEST_TMPDIR/id.$i" 2>&1 &
	done
	wait_all=0
	for j in $(jobs -p); do [ "$j" = "$psloop" ] || [ "$j" = "$rmloop" ] || wait "$j" || wait_all=1; done
	touch "$stop"
	wait "$psloop" "$rmloop" || true
	[ "$wait_all" -eq 0 ]
	! grep -q PS-FAILED "$BATS_TEST_TMPDIR/ps.log"
	removed=$(sort -u "$BATS_TEST_TMPDIR/removed" | wc -l)
	left=$(warren ps -aq | wc -l)
	[ $((removed + left)) -eq 50 ]
	# every record whole, unique names, no leftovers of half-done writes
	ls "$STORE/containers" | grep -v -E '^([0-9a-f]{64}|names)$' && false
	for d in "$STORE"/containers/*/; do
		[ "$(basename "$d")" = names ] && continue
		python3 -c 'import json,sys; json.load(open(sys.argv[1])); json.load(open(sys.argv[2]))' "$d/config.json" "$d/state.json"
	done
	[ "$(warren ps -a --format '{{.Names}}' | sort | uniq -d)" = "" ]
	[ "$(warren ps --format '{{.Names}}' | wc -l)" -eq "$left" ]
	warren rm -f $(warren ps -aq)
	# monitors and warren-net processes finish their exit after rm returns
	for i in $(seq 150); do [ -z "$(live_procs)" ] && break; sleep 0.1; done
	live_procs
	[ -z "$(live_procs)" ]
	[ -z "$(ls -A "$(rundir)/containers" 2>/dev/null)" ]
}
