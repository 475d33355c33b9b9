#!/bin/bash
# cgroups for cgroups.bats (as root, idempotent), what pam_cgfs does at an
# unprivileged user's login on a cgroup v1 host: for $WARREN_TEST_USER (not
# $WARREN_NOSUB_USER, the user without delegation) one cgroup per v1
# controller, /sys/fs/cgroup/CTRL/warren-test-USER, chowned to the user
# (the directory, cgroup.procs and tasks), cpuset's CPUs and memory nodes
# copied from its parent. helpers.bash starts the user's commands in them
# (cgroup_enter). And a second mount of the cgroup v2 hierarchy at
# $WARREN_TEST_ROOT/cg2, which delegates nothing, for the v2 refusal. Only
# cgroups named for this lane's test user are ever made here.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/env.sh"
[ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = tmpfs ] || exit 0 # not cgroup v1
user=$WARREN_TEST_USER
for c in memory pids cpu cpuacct cpuset blkio; do
	[ "$(stat -f -c %T "/sys/fs/cgroup/$c" 2>/dev/null)" = cgroupfs ] || continue
	d=/sys/fs/cgroup/$c/warren-test-$user
	mkdir -p "$d"
	if [ "$c" = cpuset ]; then
		cat "/sys/fs/cgroup/cpuset/cpuset.cpus" > "$d/cpuset.cpus"
		cat "/sys/fs/cgroup/cpuset/cpuset.mems" > "$d/cpuset.mems"
	fi
	chown "$user" "$d" "$d/cgroup.procs" "$d/tasks"
done
cg2=$WARREN_TEST_ROOT/cg2
mkdir -p "$cg2"
mountpoint -q "$cg2" || mount -t cgroup2 none "$cg2"
