#!/usr/bin/env bats
# warren exec and inspect: a process joins every namespace of a running
# container with its capabilities, no_new_privs and seccomp filter.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() {
	lc_setup
	warren run -d --name box --rootfs "$ROOTFS" sh -c 'echo $$ > /tmp/pid1; hostname > /tmp/host; while :; do sleep 0.1; done' >/dev/null
	wait_for_file "$ROOTFS/tmp/pid1"
}
teardown() { lc_teardown; }

ns_of() { readlink "/proc/$1/ns/$2"; }

@test "exec joins every namespace of the container, the user namespace included" {
	warren exec -d box sh -c 'sleep infinity'
	pid1=$(warren inspect --format '{{.State.Pid}}' box)
	for i in $(seq 50); do epid=$(pgrep -u "$TEST_UID" -f '^sleep infinity$' | head -1); [ -n "$epid" ] && break; sleep 0.1; done
	[ -n "$epid" ]
	for ns in user mnt pid uts ipc net cgroup; do
		[ "$(ns_of "$epid" $ns)" = "$(ns_of "$pid1" $ns)" ]
	done
	[ "$(ns_of "$epid" user)" != "$(ns_of $$ user)" ]
}

@test "exec sees the container's processes, hostname and files" {
	run warren exec box sh -c 'cat /tmp/pid1; hostname; ps -o pid | grep -c .'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = "$(cat "$ROOTFS/tmp/host")" ]
}

@test "exec has the container's capabilities, no_new_privs and seccomp filter" {
	want=$(grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/$(warren inspect --format '{{.State.Pid}}' box)/status)
	run warren exec box grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$output" == *"Seccomp:	2"* ]]
	run warren exec box unshare -U true
	[ "$status" -ne 0 ]
}

@test "exec -e, -w and -u set the environment, directory and user" {
	run warren exec -e FOO=bar -w /tmp -u 1000:1000 box sh -c 'echo $FOO; pwd; id -u; id -g'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'bar\n/tmp\n1000\n1000')" ]
}

@test "exec -i passes stdin; without -i stdin is empty" {
	run warren_stdin "typed" exec -i box cat
	[ "$output" = typed ]
	run warren_stdin "typed" exec box cat
	[ "$output" = "" ]
}

@test "exec returns the command's exit code, 127 and 126 for commands that cannot run" {
	run warren exec box sh -c 'exit 42'
	[ "$status" -eq 42 ]
	run --separate-stderr warren exec box nosuchcmd
	[ "$status" -eq 127 ]
	[[ "$stderr" == *"executable file not found"* ]]
	run --separate-stderr warren exec box /etc
	[ "$status" -eq 126 ]
}

@test "exec -d returns at once and leaves the command running" {
	run warren exec -d box sh -c 'sleep 0.5; touch /tmp/done-d'
	[ "$status" -eq 0 ]
	[ ! -e "$ROOTFS/tmp/done-d" ]
	wait_for_file "$ROOTFS/tmp/done-d"
}

@test "exec in a stopped or unknown container: one line, exit 125" {
	warren kill box
	wait_state box exited
	run --separate-stderr warren exec box true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"is not running"* ]]
	run --separate-stderr warren exec nosuch true
	[ "$status" -eq 125 ]
	[ "$stderr" = "warren: no such container: nosuch" ]
}

@test "inspect is Docker-shaped JSON with State.Pid the host PID of the first process" {
	run warren inspect box
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert isinstance(a, list) and len(a) == 1
c = a[0]
for k in ("Id", "Created", "Path", "Args", "State", "Image", "Name", "Config", "HostConfig", "Mounts", "NetworkSettings", "LogPath", "RestartCount"):
    assert k in c, k
s = c["State"]
for k in ("Status", "Running", "Pid", "ExitCode", "StartedAt", "FinishedAt"):
    assert k in s, k
assert s["Status"] == "running" and s["Running"] is True
assert c["Name"] == "/box"
assert "Warren" not in c
open(sys.argv[1], "w").write(str(s["Pid"]))
' "$BATS_TEST_TMPDIR/pid"
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[ "$(cat /proc/$pid/cmdline | tr '\0' ' ' | cut -c1-2)" = "sh" ]
	grep -q "NSpid:.*[[:space:]]1$" /proc/$pid/status
}

@test "inspect of an exited container shows ExitCode and FinishedAt; of nothing, exit 125" {
	warren run --name done --rootfs "$ROOTFS" sh -c 'exit 3' || true
	[ "$(warren inspect --format '{{.State.ExitCode}} {{.State.Running}} {{.State.Pid}}' done)" = "3 false 0" ]
	[[ "$(warren inspect --format '{{.State.FinishedAt}}' done)" =~ ^20 ]]
	run --separate-stderr warren inspect nothing
	[ "$status" -eq 1 ]
}
