#!/usr/bin/env bats
# Resource limits (-m, --cpus, --pids-limit, update, stats, OOM) through the
# cgroups this host delegates to the test user (cgroup v1 here:
# tests/setup.d/40-cgroups.sh makes them as pam_cgfs would, and
# helpers.bash starts the user's commands in them), and the refusals where
# nothing is delegated: the second test user, and a cgroup v2 mount that
# offers no controllers. Values are checked against Docker's documented
# ones and read from the kernel's files, as root, on the host side.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

REG=127.0.0.1:$WARREN_REGISTRY_PORT

setup() {
	lc_setup
	[ -d "$(ucg memory)" ] || skip "no cgroup v1 delegated to $TEST_USER (tests/setup.d/40-cgroups.sh)"
}
teardown() {
	lc_teardown
	rmdir "$WARREN_TEST_ROOT/cg2/warren-test-$TEST_USER" 2>/dev/null || true
	# what a failed test left, so that the next one starts clean (its
	# processes were killed: the directories empty within a moment)
	local d i
	for d in $(leftovers); do
		for ((i = 0; i < 100; i++)); do
			rmdir "$d" 2>/dev/null && break
			sleep 0.05
		done
	done
	rm -rf "/home/$NOSUB_USER/.config/warren" "/home/$NOSUB_USER/.local/share/warren"
}

# ucg CTRL: the test user's delegated cgroup in controller CTRL
ucg() { echo "/sys/fs/cgroup/$1/warren-test-$TEST_USER"; }
# ccg CTRL NAME: the cgroup of container NAME in controller CTRL
ccg() { echo "$(ucg "$1")/warren-$(warren inspect --format '{{.Id}}' "$2")"; }
# leftovers: the containers' cgroups under the test user's, one a line
leftovers() { ls -d /sys/fs/cgroup/*/warren-test-"$TEST_USER"/warren-* 2>/dev/null || true; }

@test "run -m makes the container a cgroup of its own with the limit; rm removes it" {
	warren run -d --name m -m 32m --rootfs "$ROOTFS" sleep infinity > /dev/null
	d=$(ccg memory m)
	[ "$(cat "$d/memory.limit_in_bytes")" = 33554432 ]
	# Docker's default swap limit: as much swap as memory
	[ "$(cat "$d/memory.memsw.limit_in_bytes")" = 67108864 ]
	[ "$(warren inspect --format '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' m)" = "33554432 67108864" ]
	pid=$(warren inspect --format '{{.State.Pid}}' m)
	grep -qx "$pid" "$d/cgroup.procs"
	# every controller delegated, so that stats has them
	for c in cpu cpuacct cpuset pids; do grep -qx "$pid" "$(ccg $c m)/cgroup.procs"; done
	# its cgroup is the root of the container's cgroup namespace
	run warren exec m cat /proc/self/cgroup
	[[ "$output" == *"memory:/"$'\n'* ]]
	# an exec'd process is limited too
	warren exec -d m sleep 300
	[ "$(wc -l < "$d/cgroup.procs")" -eq 2 ]
	warren rm -f m > /dev/null
	[ ! -e "$d" ]
	[ -z "$(leftovers)" ]
}

@test "a memory hog under -m 32m is killed: exit 137 and State.OOMKilled" {
	run warren run --name hog -m 32m --rootfs "$ROOTFS" tail /dev/zero
	[ "$status" -eq 137 ]
	[ "$(warren inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}}' hog)" = "true 137" ]
	# the cgroup went with the exit, the record stays
	[ -z "$(leftovers)" ]
	# the same in the foreground, and a container that was not killed says false
	run warren run --rm -m 32m --rootfs "$ROOTFS" tail /dev/zero
	[ "$status" -eq 137 ]
	warren run --name fine -m 32m --rootfs "$ROOTFS" true
	[ "$(warren inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}}' fine)" = "false 0" ]
	[ -z "$(leftovers)" ]
}

@test "a fork bomb under --pids-limit 20 fails to fork and the container ends" {
	bomb='i=0; while [ $i -lt 40 ]; do sleep 30 & i=$((i+1)); done; echo forked $i'
	run warren run --rm --pids-limit 20 --rootfs "$ROOTFS" sh -c "$bomb"
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$status" -ne 137 ]
	[[ "$output" == *"can't fork"* ]]
	[[ "$output" != *"forked 40"* ]]
	# without the limit the same 40 processes start
	run warren run --rm --rootfs "$ROOTFS" sh -c "$bomb"
	[ "$status" -eq 0 ]
	[[ "$output" == *"forked 40"* ]]
	[ -z "$(leftovers)" ]
}

@test "--cpus 0.5 writes quota/period and a busy loop stays under 0.6 of a core" {
	warren run -d --name busy --cpus 0.5 --rootfs "$ROOTFS" sh -c 'while :; do :; done' > /dev/null
	[ "$(cat "$(ccg cpu busy)/cpu.cfs_quota_us") $(cat "$(ccg cpu busy)/cpu.cfs_period_us")" = "50000 100000" ]
	[ "$(warren inspect --format '{{.HostConfig.NanoCpus}}' busy)" = 500000000 ]
	u=$(ccg cpuacct busy)/cpuacct.usage
	a=$(cat "$u")
	t0=$(date +%s%N)
	sleep 2
	b=$(cat "$u")
	t1=$(date +%s%N)
	share=$(((b - a) * 1000 / (t1 - t0)))
	echo "share of a core: $share/1000"
	[ "$share" -lt 600 ]
	[ "$share" -gt 0 ]
	warren rm -f busy > /dev/null
}

@test "update --memory changes a running container's limit; stats and inspect show it" {
	warren run -d --name up -m 32m --rootfs "$ROOTFS" sleep infinity > /dev/null
	[ "$(warren update -m 64m --pids-limit 50 up)" = up ]
	[ "$(cat "$(ccg memory up)/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "$(ccg pids up)/pids.max")" = 50 ]
	[ "$(warren inspect --format '{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}' up)" = "67108864 50" ]
	# above the old swap limit (twice 64m) too: Docker's default swap follows
	warren update -m 200m up > /dev/null
	[ "$(cat "$(ccg memory up)/memory.limit_in_bytes")" = 209715200 ]
	[ "$(cat "$(ccg memory up)/memory.memsw.limit_in_bytes")" = 419430400 ]
	warren update -m 64m up > /dev/null
	run warren stats --no-stream --format '{{.MemUsage}}|{{.PIDs}}' up
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *" / 64MiB|1" ]]
	run warren stats --no-stream --format json up
	[ "$(jq -r '.MemUsage | sub(".* / "; "")' <<< "$output")" = 64MiB ]
	[ "$(jq -r .PIDs <<< "$output")" = 1 ]
	# a container started without limits gets a cgroup, its processes moved in
	warren run -d --name free --rootfs "$ROOTFS" sleep infinity > /dev/null
	warren update --memory 48m free > /dev/null
	pid=$(warren inspect --format '{{.State.Pid}}' free)
	grep -qx "$pid" "$(ccg memory free)/cgroup.procs"
	[ "$(cat "$(ccg memory free)/memory.limit_in_bytes")" = 50331648 ]
	# a stopped one keeps the new limit for its next start
	warren stop -t 0 up > /dev/null
	warren update -m 40m up > /dev/null
	warren start up > /dev/null
	[ "$(cat "$(ccg memory up)/memory.limit_in_bytes")" = 41943040 ]
	warren rm -f up free > /dev/null
	[ -z "$(leftovers)" ]
}

@test "inspect shows the limits in HostConfig with Docker's names and units" {
	warren create --name lim -m 100m --memory-swap 200m --memory-reservation 50m --cpus 1.5 \
		--cpu-shares 512 --cpuset-cpus 0 --pids-limit 30 --oom-score-adj 500 \
		--rootfs "$ROOTFS" true > /dev/null
	f='{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.MemoryReservation}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.OomScoreAdj}}'
	[ "$(warren inspect --format "$f" lim)" = "104857600 209715200 52428800 1500000000 512 0 30 500" ]
	# created, not started: no cgroup yet
	[ -z "$(leftovers)" ]
	warren run -d --name lim2 --oom-score-adj 500 --cpuset-cpus 0 --rootfs "$ROOTFS" sleep infinity > /dev/null
	pid=$(warren inspect --format '{{.State.Pid}}' lim2)
	[ "$(cat /proc/$pid/oom_score_adj)" = 500 ]
	[ "$(cat "$(ccg cpuset lim2)/cpuset.cpus")" = 0 ]
	grep -q '^Cpus_allowed_list:[[:space:]]*0$' /proc/$pid/status
	# --cgroups=disabled: no cgroup, and no limit with it
	warren run -d --name nocg --cgroups=disabled --rootfs "$ROOTFS" sleep infinity > /dev/null
	[ "$(warren inspect --format '{{.HostConfig.Cgroups}}' nocg)" = disabled ]
	run --separate-stderr warren run --rm --cgroups=disabled -m 32m --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--cgroups=disabled"* ]]
	warren rm -f lim lim2 nocg > /dev/null
	[ -z "$(leftovers)" ]
}

@test "bad limit values: one line each, exit 125, nothing created" {
	for args in "-m 0" "-m 10x" "--cpus -1" "--cpus abc" "--cpuset-cpus 99" \
		"-m 64m --memory-swap 32m" "--pids-limit x" "--blkio-weight 5" "--cgroups split"; do
		# shellcheck disable=SC2086
		run --separate-stderr warren create $args --rootfs "$ROOTFS" true
		echo "$args: $status $stderr"
		[ "$status" -eq 125 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "warren: "* ]]
		[ -z "$output" ]
	done
	[[ "$(warren create --cpuset-cpus 99 --rootfs "$ROOTFS" true 2>&1)" == *"CPUs 0-"* ]]
	[ -z "$(warren ps -aq)" ]
	[ -z "$(leftovers)" ]
	# run and update refuse the same way (a bad flag value: Docker's 125 for update too)
	run warren run --rm -m 10x --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	warren run -d --name u --rootfs "$ROOTFS" sleep infinity > /dev/null
	run --separate-stderr warren update --cpus abc u
	[ "$status" -eq 125 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	# what only the container can tell: Docker's 1
	run --separate-stderr warren update --memory-swap 16m u
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ -z "$(leftovers)" ]
	warren rm -f u > /dev/null
}

@test "a container that cannot start leaves no cgroup" {
	run warren run --rm -m 32m --rootfs "$ROOTFS" /no/such/command
	[ "$status" -eq 127 ]
	[ -z "$(leftovers)" ]
	run warren run --name nf -m 32m --rootfs "$ROOTFS" /no/such/command
	[ "$status" -eq 127 ]
	[ -z "$(leftovers)" ]
	run warren start nf
	[ "$status" -ne 0 ]
	[ -z "$(leftovers)" ]
}

@test "a killed warren leaves no cgroup once the next command has run" {
	# the foreground run's warren killed while its container runs on
	as_user "$WARREN" run --rm -m 32m --rootfs "$ROOTFS" sleep 3 > /dev/null 2>&1 3>&- &
	for ((i = 0; i < 200; i++)); do
		[ -n "$(leftovers)" ] && break
		sleep 0.05
	done
	d=$(leftovers | grep /memory/)
	[ -n "$d" ]
	pkill -KILL -u "$TEST_USER" -x warren
	# its container ends on its own; the next command clears what is left
	for ((i = 0; i < 200; i++)); do
		[ -z "$(cat "$d/cgroup.procs")" ] && break
		sleep 0.05
	done
	[ -z "$(cat "$d/cgroup.procs")" ]
	[ -n "$(leftovers)" ]
	for ((i = 0; i < 100; i++)); do
		warren ps -a > /dev/null
		[ -z "$(leftovers)" ] && break
		sleep 0.05
	done
	[ -z "$(leftovers)" ]
	# a recorded container whose monitor and process were killed
	warren run -d --name k -m 32m --rootfs "$ROOTFS" sleep infinity > /dev/null
	mon=$(warren inspect --format '{{.Id}}' k)
	pkill -KILL -u "$TEST_USER" -f "warren-monitor.*$mon" || pkill -KILL -u "$TEST_USER" -x warren-monitor
	kill -KILL "$(warren inspect --format '{{.State.Pid}}' k)"
	for ((i = 0; i < 100; i++)); do
		warren ps -a > /dev/null
		[ -z "$(leftovers)" ] && break
		sleep 0.05
	done
	[ -z "$(leftovers)" ]
}

@test "without delegation each limit flag is refused with the reason; cgroup-limits = warn runs without" {
	make_rootfs "$NOSUB_USER"
	for args in "-m 32m" "--memory-reservation 16m" "--cpus 0.5" "--cpu-shares 512" \
		"--cpu-period 50000" "--cpu-quota 50000" "--cpuset-cpus 0" "--cpuset-mems 0" \
		"--pids-limit 20" "--blkio-weight 100"; do
		# shellcheck disable=SC2086
		run --separate-stderr warren_nosub run --rm $args --rootfs "$ROOTFS" true
		echo "$args: $status $stderr"
		[ "$status" -eq 125 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		flag=${args%% *}
		[ "$flag" = -m ] && flag=--memory
		[[ "$stderr" == "warren: $flag needs the "*" cgroup controller: "*"not delegated to you"* ]]
		[[ "$stderr" == *"pam_cgfs"* ]]
	done
	[[ "$(warren_nosub info)" == *"cgroups:"*"not delegated"* ]]
	mkdir -p "/home/$NOSUB_USER/.config/warren"
	echo "cgroup-limits = warn" > "/home/$NOSUB_USER/.config/warren/warren.conf"
	chown -R "$NOSUB_USER" "/home/$NOSUB_USER/.config"
	run --separate-stderr warren_nosub run --rm -m 32m --pids-limit 20 --rootfs "$ROOTFS" echo ran
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	[ "$(grep -c 'resource limits' <<< "$stderr")" -eq 1 ]
	[[ "$stderr" == *"warren: warning: --memory and the other resource limits are not applied"*"not delegated to you"* ]]
}

@test "cgroup v2 that offers no controllers: the refusal says v2 and the fix" {
	cg2=$WARREN_TEST_ROOT/cg2
	mountpoint -q "$cg2" || skip "no second cgroup2 mount at $cg2"
	export WARREN_CGROUP_ROOT=$cg2 AS_USER_ENV=WARREN_CGROUP_ROOT
	run --separate-stderr warren run --rm -m 32m --rootfs "$ROOTFS" true
	echo "$stderr"
	[ "$status" -eq 125 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "warren: --memory needs the memory cgroup controller: cgroup v2: "* ]]
	[[ "$stderr" == *"Delegate=yes"* ]]
	[[ "$(warren info)" == *"cgroups:          v2, not delegated"* ]]
	# no limit, no cgroup needed
	[ "$(warren run --rm --rootfs "$ROOTFS" echo ok)" = ok ]
	# a v2 cgroup of the user's own (cgroup_enter puts the user's commands
	# in it) whose parent enables no controller for it
	v2=$cg2/warren-test-$TEST_USER
	mkdir "$v2"
	chown "$TEST_USER" "$v2" "$v2/cgroup.procs"
	run --separate-stderr warren run --rm --pids-limit 5 --rootfs "$ROOTFS" true
	echo "$stderr"
	rmdir "$v2" 2>/dev/null || true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"cgroup v2: the pids controller is not delegated to your cgroup $v2 (its cgroup.controllers lists: "* ]]
	unset WARREN_CGROUP_ROOT AS_USER_ENV
	[[ "$(warren info)" == *"cgroups:          v1-delegated"* ]]
}

@test "build --memory limits the RUN steps: a hog fails the build under -m 32m only" {
	ctx=$(user_tmpdir)
	printf 'FROM %s/warren/shared\nRUN head -c 150000000 /dev/zero | tail > /dev/null\n' "$REG" > "$ctx/Dockerfile"
	chown -R "$TEST_USER" "$ctx"
	run warren build --network none -m 32m --cpus 1 -t hog:1 "$ctx"
	echo "$output"
	[ "$status" -eq 1 ]
	[ -z "$(leftovers)" ]
	run warren build --network none -t hog:1 "$ctx"
	echo "$output"
	[ "$status" -eq 0 ]
}
