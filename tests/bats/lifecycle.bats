#!/usr/bin/env bats
# Detached containers and their records: run -d, create/start, ps, logs,
# stop/kill/restart/wait, rm, prune, rename, --rm, --restart, as the
# unprivileged test user.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() { lc_setup; }
teardown() { lc_teardown; }

# --- run -d, names, the monitor ----------------------------------------------

@test "run -d prints the full ID and returns while the container runs" {
	run --separate-stderr warren run -d --rootfs "$ROOTFS" sleep infinity
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	[ "$(state "$output")" = running ]
	[ -f "$STORE/containers/$output/config.json" ]
	[ -f "$STORE/containers/$output/state.json" ]
}

@test "the monitor is in a session of its own, not a child of the CLI; the container is its child" {
	id=$(warren run -d --name mon --rootfs "$ROOTFS" sleep infinity)
	pid=$(warren inspect --format '{{.State.Pid}}' mon)
	mon=$(ps -o ppid= -p "$pid" | tr -d ' ')
	[ "$(ps -o sid= -p "$mon" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ]
	# double-forked: not the session leader, so it can never get a terminal
	[ "$(ps -o sid= -p "$mon" | tr -d ' ')" != "$mon" ]
	[ "$(ps -o ppid= -p "$mon" | tr -d ' ')" != "$$" ]
	[[ "$(ps -o args= -p "$mon")" == *warren* ]]
	[ "$(cat /proc/$pid/cmdline | tr '\0' ' ')" = "sleep infinity " ]
}

@test "the idle monitor is the small warren-monitor, with none of warren's libraries; the exit is still recorded and cleaned up" {
	id=$(warren run -d -i --name small --log-opt max-size=1k --rootfs "$ROOTFS" sh -c 'read x; echo got-$x; i=0; while [ $i -lt 100 ]; do echo line-$i; i=$((i+1)); done; exit 7')
	pid=$(warren inspect --format '{{.State.Pid}}' small)
	mon=$(ps -o ppid= -p "$pid" | tr -d ' ')
	[ "$(basename "$(readlink /proc/$mon/exe)")" = warren-monitor ]
	! grep -E 'jansson|seccomp|libcap|libcrypto' "/proc/$mon/maps"
	[ "$(warren inspect --format '{{.State.Status}}' small)" = running ]
	echo hello | warren attach small > "$BATS_TEST_TMPDIR/out" || true
	grep -qx got-hello "$BATS_TEST_TMPDIR/out"
	# back in warren for the cleanup: the exit recorded, the log rotated,
	# the runtime directory and every helper process gone
	[ "$(warren wait small)" = 7 ]
	[ "$(state small)" = exited ]
	[ "$(stat -c %s "$STORE/containers/$id/ctr.log")" -le 1024 ]
	[ "$(warren logs --tail 1 small)" = line-99 ]
	for i in $(seq 50); do [ -z "$(live_procs)" ] && break; sleep 0.1; done
	[ -z "$(live_procs)" ]
	[ ! -e "$(rundir)/containers/$id" ]
}

@test "State.Pid is the host PID of the container's first process, PID 1 inside" {
	warren run -d --name p1 --rootfs "$ROOTFS" sh -c 'echo $$ > /tmp/inner; sleep infinity'
	wait_for_file "$ROOTFS/tmp/inner"
	pid=$(warren inspect --format '{{.State.Pid}}' p1)
	[ "$(cat "$ROOTFS/tmp/inner")" = 1 ]
	[ "$(stat -c %U /proc/$pid)" = "$TEST_USER" ]
	grep -q "^NSpid:.*[[:space:]]1$" /proc/$pid/status
}

@test "--name names the container; a name in use is refused with one line and exit 125" {
	warren run -d --name web --rootfs "$ROOTFS" sleep infinity
	run --separate-stderr warren run -d --name web --rootfs "$ROOTFS" sleep infinity
	[ "$status" -eq 125 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *'name "web" is already in use'* ]]
	[ "$(warren ps -aq | wc -l)" -eq 1 ]
}

@test "a bad name is refused with exit 125 and nothing is created" {
	run --separate-stderr warren run -d --name 'bad/name' --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"invalid container name"* ]]
	[ -z "$(warren ps -aq)" ]
}

@test "containers without --name get a unique adjective_animal name" {
	warren run -d --rootfs "$ROOTFS" sleep infinity
	warren run -d --rootfs "$ROOTFS" sleep infinity
	run warren ps --format '{{.Names}}'
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^[a-z]+_[a-z]+[0-9]*$ ]]
	[ "${lines[0]}" != "${lines[1]}" ]
}

@test "create makes a container in Created state; start runs it" {
	id=$(warren create --name c1 --rootfs "$ROOTFS" sh -c 'echo started; sleep infinity')
	[[ "$id" =~ ^[0-9a-f]{64}$ ]]
	[ "$(state c1)" = created ]
	run warren ps -a --filter name=c1 --format '{{.Status}}'
	[ "$output" = Created ]
	run warren start c1
	[ "$status" -eq 0 ]
	[ "$output" = c1 ]
	[ "$(state c1)" = running ]
	wait_log c1 started
}

@test "start -a attaches and returns the exit code; start -a -i passes stdin" {
	warren create --name a1 --rootfs "$ROOTFS" sh -c 'echo hello; exit 4'
	run warren start -a a1
	[ "$status" -eq 4 ]
	[ "$output" = hello ]
	warren create -i --name a2 --rootfs "$ROOTFS" sh -c 'read x; echo got-$x'
	run warren_stdin "line" start -a -i a2
	[ "$status" -eq 0 ]
	[ "$output" = got-line ]
}

@test "a stopped container can be started again and keeps its files" {
	warren run --name again --rootfs "$ROOTFS" sh -c 'echo x >> /tmp/count'
	warren start -a again
	[ "$(wc -l < "$ROOTFS/tmp/count")" -eq 2 ]
}

# --- ps --------------------------------------------------------------------------

@test "ps shows Docker's columns; running containers only unless -a" {
	warren run -d --name up1 --rootfs "$ROOTFS" sleep infinity
	run warren run --name down1 --rootfs "$ROOTFS" sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run warren ps
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" =~ ^[0-9a-f]{12}\ +$ROOTFS\ +\"sleep\ infinity\"\ +.*\ ago\ +Up\ .*up1$ ]]
	run warren ps -a
	[ "${#lines[@]}" -eq 3 ]
	[[ "$output" =~ Exited\ \(3\)\ [A-Za-z0-9\ ]+\ ago\ +down1 ]]
}

@test "ps STATUS counts time: Up N seconds and Exited (0) N seconds ago" {
	warren run -d --name t --rootfs "$ROOTFS" sleep infinity
	warren run --name e --rootfs "$ROOTFS" true
	sleep 2.2
	[[ "$(warren ps --format '{{.Status}}' --filter name=t)" =~ ^Up\ ([2-9]|[1-5][0-9])\ seconds$ ]]
	[[ "$(warren ps -a --format '{{.Status}}' --filter name=e)" =~ ^Exited\ \(0\)\ ([2-9]|[1-5][0-9])\ seconds\ ago$ ]]
}

@test "ps -q prints short IDs, --no-trunc full ones; -n and -l take the latest" {
	a=$(warren run -d --rootfs "$ROOTFS" sleep infinity)
	sleep 0.01
	b=$(warren run -d --rootfs "$ROOTFS" sleep infinity)
	run warren ps -q
	[ "${lines[0]}" = "${b:0:12}" ]
	[ "${lines[1]}" = "${a:0:12}" ]
	run warren ps -q --no-trunc
	[ "${lines[0]}" = "$b" ]
	run warren ps -q -n 1
	[ "$output" = "${b:0:12}" ]
	run warren ps -q -l
	[ "$output" = "${b:0:12}" ]
}

@test "ps --filter status=, name=, label= (same key OR-ed, keys AND-ed)" {
	warren run -d --name fa -l tier=web -l team=x --rootfs "$ROOTFS" sleep infinity
	warren run -d --name fb -l tier=db --rootfs "$ROOTFS" sleep infinity
	warren run --name fc -l tier=web --rootfs "$ROOTFS" true
	[ "$(warren ps -a --filter status=exited --format '{{.Names}}')" = fc ]
	[ "$(warren ps -a --filter name=fb --format '{{.Names}}')" = fb ]
	[ "$(warren ps -a --filter label=tier=web --format '{{.Names}}' | sort | tr '\n' ' ')" = "fa fc " ]
	[ "$(warren ps -a --filter label=team --format '{{.Names}}')" = fa ]
	[ "$(warren ps -a --filter label=tier=web --filter status=running --format '{{.Names}}')" = fa ]
	[ "$(warren ps -a --filter status=running --filter status=exited -q | wc -l)" -eq 3 ]
}

@test "ps --format json prints one object per line with Docker's keys" {
	warren run -d --name j1 -l a=b --rootfs "$ROOTFS" sleep infinity
	run warren ps --format json
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 1, rows
r = rows[0]
for k in ("Command", "CreatedAt", "ID", "Image", "Labels", "Names", "Ports", "RunningFor", "State", "Status"):
    assert k in r, k
assert r["Names"] == "j1" and r["State"] == "running" and r["Labels"] == "a=b", r
assert len(r["ID"]) == 64, r
'
}

@test "ps: a bad filter is one line and exit 1, a bad format or flag 125" {
	# Docker's codes: a refused filter is the command's error (1)
	for args in "--filter bogus=1" "--filter status=sleeping"; do
		run --separate-stderr warren ps $args
		[ "$status" -eq 1 ]
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	done
	for args in "--format {{.Names" "-n x"; do
		run --separate-stderr warren ps $args
		[ "$status" -eq 125 ]
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	done
}

# --- logs ------------------------------------------------------------------------

@test "logs keeps stdout and stderr apart" {
	warren run --name lg --rootfs "$ROOTFS" sh -c 'echo to-out; echo to-err >&2; echo more-out'
	warren logs lg >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err"
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf 'to-out\nmore-out')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/err")" = "to-err" ]
}

@test "logs --tail N, --tail all and -t timestamps" {
	warren run --name lt --rootfs "$ROOTFS" sh -c 'for i in 1 2 3 4 5; do echo line$i; done'
	[ "$(warren logs --tail 2 lt)" = "$(printf 'line4\nline5')" ]
	[ "$(warren logs --tail all lt | wc -l)" -eq 5 ]
	[ "$(warren logs -n 0 lt | wc -l)" -eq 0 ]
	run warren logs -t --tail 1 lt
	[[ "$output" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z\ line5$ ]]
}

@test "logs --since and --until select by time" {
	# 5 s apart and 3 s windows: each check has 3 s to run in, even under load
	warren run -d --name ls --rootfs "$ROOTFS" sh -c 'echo early; sleep 5; echo late'
	warren wait ls
	[ "$(warren logs --since 3s ls)" = late ]
	[ "$(warren logs --until 3s ls)" = early ]
	[ -z "$(warren logs --since 2099-01-01T00:00:00Z ls)" ]
	[ "$(warren logs --since 0 ls | wc -l)" -eq 2 ]
}

@test "logs -f follows until the container exits" {
	warren run -d --name lf --rootfs "$ROOTFS" sh -c 'echo one; sleep 1; echo two; sleep 0.5'
	run timeout 10 "$WARREN_PREFIX/bin/warren" --root "$STORE" logs -f lf
	true
	run warren logs -f lf
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'one\ntwo')" ]
}

@test "logs of a partial line keep it whole" {
	warren run --name pl --rootfs "$ROOTFS" sh -c 'printf abc; sleep 0.2; printf "def\n"; printf tail'
	[ "$(warren logs pl)" = "$(printf 'abcdef\ntail')" ]
}

@test "--log-opt max-size rotates the log; logs still ends with the latest lines" {
	warren run --name rot --log-opt max-size=2k --rootfs "$ROOTFS" sh -c 'i=0; while [ $i -lt 400 ]; do echo line-$i; i=$((i+1)); done'
	size=$(stat -c %s "$STORE/containers/$(warren inspect --format '{{.Id}}' rot)/ctr.log")
	[ "$size" -le 2048 ]
	[ "$(warren logs --tail 1 rot)" = line-399 ]
	run --separate-stderr warren run --log-opt max-size=lots --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"invalid --log-opt"* ]]
}

@test "bad --since, bad --tail: one line, exit 125 (refused by the option parser); extra operands 1" {
	warren run --name bl --rootfs "$ROOTFS" true
	for args in "--since yesterday" "--tail -5x"; do
		run --separate-stderr warren logs $args bl
		[ "$status" -eq 125 ]
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	done
	# two operands: the command's error, Docker's 1
	run --separate-stderr warren logs --until 3 parsecs bl
	[ "$status" -eq 1 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
}

# --- stop, kill, restart, wait ---------------------------------------------------

@test "stop sends SIGTERM and records exit code and time" {
	warren run -d --name st --rootfs "$ROOTFS" sh -c 'trap "echo bye; exit 0" TERM; while :; do sleep 0.1; done'
	sleep 0.3
	run warren stop st
	[ "$status" -eq 0 ]
	[ "$output" = st ]
	[ "$(state st)" = exited ]
	[ "$(warren inspect --format '{{.State.ExitCode}}' st)" = 0 ]
	[[ "$(warren inspect --format '{{.State.FinishedAt}}' st)" =~ ^20[0-9-]+T ]]
	[ "$(warren logs st)" = bye ]
}

@test "stop -t waits that long, then SIGKILL: exit code 137" {
	warren run -d --name sk --rootfs "$ROOTFS" sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done'
	wait_log sk ready
	start=$(date +%s%N)
	warren stop -t 1 sk
	took=$(( ($(date +%s%N) - start) / 1000000 ))
	[ "$took" -ge 900 ]
	# not the default 10 seconds
	[ "$took" -lt 9500 ]
	[ "$(warren inspect --format '{{.State.ExitCode}}' sk)" = 137 ]
}

@test "--stop-signal and stop -s choose the signal" {
	warren run -d --name ss --stop-signal USR1 --rootfs "$ROOTFS" sh -c 'trap "exit 11" USR1; trap "exit 12" HUP; echo ready; while :; do sleep 0.1; done'
	wait_log ss ready
	warren stop ss
	[ "$(warren inspect --format '{{.State.ExitCode}}' ss)" = 11 ]
	warren start ss
	# the traps are set once the second run has said so too (the log is kept)
	for _ in $(seq 200); do [ "$(warren logs ss | grep -c ready)" -ge 2 ] && break; sleep 0.05; done
	warren stop -s HUP ss
	warren logs ss
	warren inspect --format '{{.State.ExitCode}} {{.State.Status}}' ss
	[ "$(warren inspect --format '{{.State.ExitCode}}' ss)" = 12 ]
}

@test "kill sends SIGKILL by default and -s another signal" {
	warren run -d --name k1 --rootfs "$ROOTFS" sh -c 'trap "echo usr2; exit 5" USR2; while :; do sleep 0.1; done'
	sleep 0.3
	warren kill -s SIGUSR2 k1
	wait_state k1 exited
	[ "$(warren inspect --format '{{.State.ExitCode}}' k1)" = 5 ]
	warren start k1
	warren kill k1
	wait_state k1 exited
	[ "$(warren inspect --format '{{.State.ExitCode}}' k1)" = 137 ]
}

@test "kill of a stopped container, a bad signal: one line, exit 1" {
	warren run --name kx --rootfs "$ROOTFS" true
	run --separate-stderr warren kill kx
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"is not running"* ]]
	warren run -d --name ky --rootfs "$ROOTFS" sleep infinity
	for s in NOPE 0 99 SIG; do
		run --separate-stderr warren kill -s $s ky
		[ "$status" -eq 125 ]
		[[ "$stderr" == *"invalid signal"* ]]
	done
	[ "$(state ky)" = running ]
	run --separate-stderr warren run -d --stop-signal BOGUS --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
}

@test "stop -t with a bad duration: exit 125, the container keeps running" {
	warren run -d --name bd --rootfs "$ROOTFS" sleep infinity
	run --separate-stderr warren stop -t soon bd
	[ "$status" -eq 125 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[ "$(state bd)" = running ]
	run --separate-stderr warren run -d --stop-timeout x --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
}

@test "restart stops and starts again with a new PID and StartedAt" {
	warren run -d --name rs --rootfs "$ROOTFS" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	pid1=$(warren inspect --format '{{.State.Pid}}' rs)
	t1=$(warren inspect --format '{{.State.StartedAt}}' rs)
	run warren restart -t 2 rs
	[ "$status" -eq 0 ]
	[ "$(state rs)" = running ]
	[ "$(warren inspect --format '{{.State.Pid}}' rs)" != "$pid1" ]
	[ "$(warren inspect --format '{{.State.StartedAt}}' rs)" != "$t1" ]
}

@test "wait blocks until exit and prints the exit code" {
	warren run -d --name w1 --rootfs "$ROOTFS" sh -c 'sleep 0.5; exit 9'
	run warren wait w1
	[ "$status" -eq 0 ]
	[ "$output" = 9 ]
	[ "$(state w1)" = exited ]
}

# --- rm, prune, rename -------------------------------------------------------------

@test "rm of a running container is refused; rm -f kills and removes it" {
	id=$(warren run -d --name r1 --rootfs "$ROOTFS" sleep infinity)
	pid=$(warren inspect --format '{{.State.Pid}}' r1)
	run --separate-stderr warren rm r1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"is running"*"rm -f"* ]]
	[ "$(state r1)" = running ]
	run warren rm -f r1
	[ "$status" -eq 0 ]
	[ "$output" = r1 ]
	[ ! -e "$STORE/containers/$id" ]
	[ ! -e "/proc/$pid" ]
	[ ! -e "$(rundir)/containers/$id" ]
	[ -z "$(live_procs)" ]
	# the name is free again
	warren run -d --name r1 --rootfs "$ROOTFS" true
}

@test "rm of an unknown container, and of an ambiguous prefix: one line, exit 1" {
	run --separate-stderr warren rm nosuch
	[ "$status" -eq 1 ]
	[ "$stderr" = "warren: no such container: nosuch" ]
	for i in $(seq 20); do warren create --rootfs "$ROOTFS" true >/dev/null; done
	prefix=$(warren ps -aq | cut -c1 | sort | uniq -d | head -1)
	[ -n "$prefix" ]
	run --separate-stderr warren rm "$prefix"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"ambiguous"* ]]
	[ "$(warren ps -aq | wc -l)" -eq 20 ]
}

@test "an ID prefix and the full ID both find a container" {
	id=$(warren run -d --rootfs "$ROOTFS" sleep infinity)
	[ "$(state "${id:0:12}")" = running ]
	[ "$(state "$id")" = running ]
}

@test "container prune removes the stopped containers only" {
	warren run -d --name keep --rootfs "$ROOTFS" sleep infinity
	warren run --name gone1 --rootfs "$ROOTFS" true
	warren create --name gone2 --rootfs "$ROOTFS" true
	run warren container prune -f
	[ "$status" -eq 0 ]
	[ "$(warren ps -a --format '{{.Names}}')" = keep ]
}

@test "rename changes the name; the old name is free, a taken one refused" {
	warren run -d --name old --rootfs "$ROOTFS" sleep infinity
	warren run -d --name other --rootfs "$ROOTFS" sleep infinity
	warren rename old new
	[ "$(state new)" = running ]
	run warren inspect old
	[ "$status" -eq 1 ]
	run --separate-stderr warren rename new other
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"already in use"* ]]
	warren run -d --name old --rootfs "$ROOTFS" true
}

@test "--rm removes the container when it exits (detached and foreground)" {
	warren run -d --rm --name gone --rootfs "$ROOTFS" sh -c 'sleep 0.3'
	for i in $(seq 50); do warren inspect gone >/dev/null 2>&1 || break; sleep 0.1; done
	run warren inspect gone
	[ "$status" -eq 1 ]
	run warren run --rm --rootfs "$ROOTFS" sh -c 'echo hi; exit 6'
	[ "$status" -eq 6 ]
	[ "$output" = hi ]
	[ -z "$(warren ps -aq)" ]
}

@test "--restart on-failure:2 restarts a failing container twice, then leaves it exited" {
	warren run -d --name rf --restart on-failure:2 --rootfs "$ROOTFS" sh -c 'echo run; exit 3'
	for i in $(seq 100); do
		[ "$(warren inspect --format '{{.RestartCount}}' rf)" = 2 ] && [ "$(state rf)" = exited ] && break
		sleep 0.1
	done
	[ "$(warren inspect --format '{{.RestartCount}}' rf)" = 2 ]
	[ "$(state rf)" = exited ]
	[ "$(warren logs rf | grep -c run)" -eq 3 ]
}

@test "--restart on-failure does not restart a clean exit; always does until stopped" {
	warren run -d --name ok --restart on-failure --rootfs "$ROOTFS" true
	wait_state ok exited
	sleep 0.5
	[ "$(warren inspect --format '{{.RestartCount}}' ok)" = 0 ]
	warren run -d --name al --restart always --rootfs "$ROOTFS" sh -c 'echo tick; sleep 0.2'
	wait_log al tick
	for i in $(seq 100); do [ "$(warren logs al | grep -c tick)" -ge 3 ] && break; sleep 0.1; done
	[ "$(warren logs al | grep -c tick)" -ge 3 ]
	warren stop -t 1 al
	[ "$(state al)" = exited ]
	n=$(warren logs al | grep -c tick)
	sleep 1
	[ "$(warren logs al | grep -c tick)" -eq "$n" ]
	run --separate-stderr warren run --restart sometimes --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
}

@test "warren container VERB is the same as warren VERB" {
	warren container run -d --name cv --rootfs "$ROOTFS" sleep infinity
	[ "$(warren container ls --format '{{.Names}}')" = cv ]
	warren container rm -f cv
	[ -z "$(warren container ls -aq)" ]
}

# --- what a record holds of networking and images ------------------------------

@test "run -d: warren-net serves the container while it runs and ends with it" {
	warren run -d --name netd --rootfs "$ROOTFS" sh -c 'ls /sys/class/net > /tmp/nets; sleep infinity'
	wait_for_file "$ROOTFS/tmp/nets"
	grep -qx tap0 "$ROOTFS/tmp/nets"
	[ "$(warren inspect --format '{{.HostConfig.NetworkMode}}' netd)" = slirp4netns ]
	sleep 0.5 # still there after the start, not stopped once the container was spawned
	live_procs | awk '$3 ~ /warren-net/' | grep -q .
	warren stop -t 1 netd
	for i in $(seq 50); do live_procs | awk '$3 ~ /warren-net/' | grep -q . || break; sleep 0.1; done
	! live_procs | awk '$3 ~ /warren-net/' | grep .
	warren run -d --name nonet --network none --rootfs "$ROOTFS" sh -c 'ls /sys/class/net > /tmp/nets2'
	wait_for_file "$ROOTFS/tmp/nets2"
	[ "$(cat "$ROOTFS/tmp/nets2")" = lo ]
}

