# Shared by the lifecycle bats files (lifecycle, exec, tty, faults): a clean
# store and runtime directory per test, and small waits on container state.

load helpers

STORE=/home/$TEST_USER/.local/share/warren
# rundir: the test user's runtime directory now
rundir() { rundir_of "$TEST_USER"; }

lc_setup() {
	pkill -KILL -u "$TEST_USER" 2>/dev/null || true
	rundir_rm "$TEST_USER"
	rm -rf "$STORE"
	make_rootfs
}

lc_teardown() {
	common_teardown
	rundir_rm "$TEST_USER"
	rm -rf "$STORE"
}

# state NAME: the container's State.Status
state() { warren inspect --format '{{.State.Status}}' "$1"; }

# wait_state NAME STATUS [SECONDS]
wait_state() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		[ "$(state "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1 to be $2 (it is $(state "$1"))" >&2
	return 1
}

# wait_log NAME TEXT [SECONDS]
wait_log() {
	local i
	for ((i = 0; i < ${3:-10} * 20; i++)); do
		warren logs "$1" 2>&1 | grep -qF -- "$2" && return 0
		sleep 0.05
	done
	echo "timed out waiting for '$2' in the log of $1" >&2
	return 1
}

# live processes of the test user (zombies left to a non-reaping init do not count)
live_procs() { ps -u "$TEST_USER" -o stat=,pid=,args= | awk '$1 !~ /^Z/'; }

# base_image: the busybox rootfs imported as base:1
base_image() {
	local d
	d=$(user_tmpdir)
	tar -C "$ROOTFS_PRISTINE" -czf "$d/rootfs.tgz" .
	chown "$TEST_USER" "$d/rootfs.tgz"
	warren import "$d/rootfs.tgz" base:1 >/dev/null
}

# one_line_err: the last `run` of a command other than run, create, exec and
# build failed with one line on stderr and exit 1 (Docker's CLI's code)
one_line_err() {
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == warren:* ]]
}

# one_line_125: the last `run` (of run, create, exec or build) failed with
# one line on stderr and exit 125
one_line_125() {
	[ "$status" -eq 125 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == warren:* ]]
}
