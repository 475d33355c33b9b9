#!/usr/bin/env bats
# Volumes, top, stats and pause, as the unprivileged test user.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() { lc_setup; }
teardown() { lc_teardown; }

@test "volume create, ls, inspect, rm" {
	run warren volume create -l k=v data
	[ "$status" -eq 0 ]
	[ "$output" = data ]
	run warren volume ls
	[[ "${lines[0]}" =~ ^DRIVER\ +VOLUME\ NAME$ ]]
	[[ "${lines[1]}" =~ ^local\ +data$ ]]
	run warren volume inspect data
	echo "$output" | python3 -c '
import json, sys
v = json.load(sys.stdin)[0]
assert v["Name"] == "data" and v["Driver"] == "local" and v["Labels"] == {"k": "v"}, v
assert v["Mountpoint"].endswith("/volumes/data/_data"), v
'
	warren volume rm data
	[ -z "$(warren volume ls -q)" ]
}

@test "-v NAME:/path mounts a named volume that outlives the container" {
	warren run --rm -v keep:/data --rootfs "$ROOTFS" sh -c 'echo persisted > /data/f'
	[ "$(warren volume ls -q)" = keep ]
	run warren run --rm -v keep:/data --rootfs "$ROOTFS" cat /data/f
	[ "$output" = persisted ]
}

@test "a volume in use is not removed; rm -v removes anonymous volumes only" {
	warren run -d --name user -v named:/n -v /anon --rootfs "$ROOTFS" sleep infinity
	[ "$(warren volume ls -q | wc -l)" -eq 2 ]
	run --separate-stderr warren volume rm named
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"in use by container user"* ]]
	warren rm -f -v user
	[ "$(warren volume ls -q)" = named ]
}

@test "volume prune removes unused anonymous volumes, -a the named ones too" {
	warren run -v /anon1 --rootfs "$ROOTFS" true
	warren volume create named
	warren rm "$(warren ps -aq)"
	run warren volume prune -f
	[ "$status" -eq 0 ]
	[ "$(warren volume ls -q)" = named ]
	warren volume prune -a -f
	[ -z "$(warren volume ls -q)" ]
}

@test "volume: bad names and unknown volumes are one line, exit 1" {
	for args in "create ../x" "inspect nosuch" "rm nosuch" "frobnicate"; do
		run --separate-stderr warren volume $args
		[ "$status" -eq 1 ]
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	done
	run --separate-stderr warren run -v 'bad/name:/x' --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
}

@test "top lists the container's processes with host PIDs" {
	warren run -d --name tp --rootfs "$ROOTFS" sh -c 'sleep infinity & sleep 200; exit 0'
	sleep 0.3
	run warren top tp
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]]
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" == *"sleep infinity"* ]]
	[[ "$output" == *"sleep 200"* ]]
	pid=$(warren inspect --format '{{.State.Pid}}' tp)
	[[ "$output" =~ [[:space:]]$pid[[:space:]] ]]
}

@test "stats --no-stream shows CPU, memory, PIDs from /proc" {
	warren run -d --name busy --rootfs "$ROOTFS" sh -c 'while :; do :; done'
	warren run -d --name idle --rootfs "$ROOTFS" sh -c 'sleep infinity & sleep infinity; exit 0'
	run warren stats --no-stream
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +NAME\ +CPU\ %\ +MEM\ USAGE\ /\ LIMIT\ +MEM\ %\ +NET\ I/O\ +BLOCK\ I/O\ +PIDS$ ]]
	busy=$(warren stats --no-stream --format '{{.CPUPerc}}' busy)
	[ "${busy%%.*}" -ge 20 ]
	[ "$(warren stats --no-stream --format '{{.PIDs}}' idle)" = 3 ]
	[[ "$(warren stats --no-stream --format '{{.MemUsage}}' idle)" =~ iB\ /\  ]]
	run --separate-stderr warren stats --no-stream nosuch
	[ "$status" -eq 1 ]
}

@test "pause without a delegated cgroup v2 freezer fails with the reason, and the container keeps running" {
	warren run -d --name pz --rootfs "$ROOTFS" sleep infinity
	run --separate-stderr warren pause pz
	[ "$status" -eq 1 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"cgroup"*"freezer"* ]]
	[ "$(state pz)" = running ]
	run --separate-stderr warren unpause pz
	[ "$status" -eq 1 ]
}
