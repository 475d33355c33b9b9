#!/bin/bash
# Slurm for slurm.bats (as root, idempotent): a single-node cluster of this
# lane's own on 127.0.0.1 under $WARREN_TEST_ROOT/slurm: a munged with its
# own key and socket, a slurmctld and a slurmd (node "warren-<lane user>")
# on two ports at the top of the lane's range ($WARREN_PORT_BASE+998, +999;
# free_port never picks a port in use), slurm.conf with this machine's CPU
# count and memory. proctrack/cgroup, as sites run it: on this cgroup v1
# host without systemd, Slurm's cgroup/v1 plugin makes its own hierarchy
# per node, /sys/fs/cgroup/freezer/slurm_NODE/uid_U/job_J/step_S (the node
# is named for the lane, so lanes never share one), and removes each step's
# when it ends; with proctrack/linuxproc (parentage only) a recorded
# container's monitor, which leaves the task's process tree, would escape
# the step. Nothing else is touched: other lanes' clusters, and the host's
# /etc/slurm and /etc/munge, stay as they are. plugstack.conf is written by slurm.bats
# (the plugin of the build under test). srun and scontrol read
# $d/slurm.conf through SLURM_CONF.
set -euo pipefail
shopt -s extglob
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/env.sh"
command -v slurmctld >/dev/null && command -v munged >/dev/null || {
	echo "60-slurm: slurmctld or munged missing (scripts/packages/test-slurm.txt)" >&2
	exit 1
}
d=$WARREN_TEST_ROOT/slurm
node=warren-$WARREN_TEST_USER
ctl_port=$((WARREN_PORT_BASE + 998))
slurmd_port=$((WARREN_PORT_BASE + 999))
mkdir -p "$d/munge" "$d/state" "$d/spool" "$d/log"
chmod 0755 "$d" "$d/munge" "$d/log"
chmod 0700 "$d/state" "$d/spool"
[ -f "$d/plugstack.conf" ] || : >"$d/plugstack.conf"
chmod 0644 "$d/plugstack.conf"

# munge: a key of this lane's own; srun (the test user) reaches the socket
if [ ! -f "$d/munge/munge.key" ]; then
	dd if=/dev/urandom of="$d/munge/munge.key.tmp" bs=1024 count=1 status=none
	chmod 0400 "$d/munge/munge.key.tmp"
	mv "$d/munge/munge.key.tmp" "$d/munge/munge.key"
fi
sock=$d/munge/munge.socket
# alive PIDFILE: its process runs (and is the daemon, not a reused PID)
alive() {
	local p
	p=$(cat "$1" 2>/dev/null) || return 1
	[[ "$(cat "/proc/$p/comm" 2>/dev/null)" == @(munged|slurmctld|slurmd) ]]
}
if ! alive "$d/munge/munged.pid"; then
	rm -f "$sock" "$sock.lock"
	munged --force --key-file="$d/munge/munge.key" --socket="$sock" \
		--pid-file="$d/munge/munged.pid" --log-file="$d/log/munged.log" \
		--seed-file="$d/munge/munge.seed"
fi

cpus=$(nproc)
mem=$(awk '/^MemTotal:/ {print int($2 / 1024) - 512}' /proc/meminfo)
cat >"$d/slurm.conf.new" <<CONF
# written by tests/setup.d/60-slurm.sh
ClusterName=${node//[^a-z0-9]/}
SlurmctldHost=$(hostname -s)(127.0.0.1)
MailProg=/bin/true
SlurmctldPort=$ctl_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
PlugStackConfig=$d/plugstack.conf
ProctrackType=proctrack/cgroup
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
KillWait=10
InactiveLimit=0
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
# cgroup.conf, next to slurm.conf: only the freezer proctrack uses (no limits)
cat >"$d/cgroup.conf.new" <<CONF
CgroupPlugin=cgroup/v1
CgroupMountpoint=/sys/fs/cgroup
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no
CONF
changed=0
for f in slurm.conf cgroup.conf; do
	cmp -s "$d/$f.new" "$d/$f" || changed=1
	mv "$d/$f.new" "$d/$f"
	chmod 0644 "$d/$f"
done
export SLURM_CONF=$d/slurm.conf

# stop DAEMON: a changed slurm.conf restarts this lane's daemons (by pid file)
stop() {
	local p i
	alive "$d/$1.pid" || return 0
	p=$(cat "$d/$1.pid")
	kill "$p"
	for ((i = 0; i < 100; i++)); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null || true
}
if [ "$changed" = 1 ]; then
	stop slurmd
	stop slurmctld
fi
alive "$d/slurmctld.pid" || slurmctld -i
alive "$d/slurmd.pid" || slurmd -N "$node"

# ready when the node takes jobs (a node a restart left down is resumed)
for ((i = 0; i < 150; i++)); do
	state=$(timeout 5 sinfo -h -n "$node" -o %T 2>/dev/null || true)
	case $state in
	idle* | mixed* | allocated*) exit 0 ;;
	down* | drain*) scontrol update nodename="$node" state=resume 2>/dev/null || true ;;
	esac
	sleep 0.2
done
echo "60-slurm: node $node not ready (state '${state:-none}'; see $d/log)" >&2
exit 1
