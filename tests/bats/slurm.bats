#!/usr/bin/env bats
# The Slurm SPANK plugin (slurm/spank_warren.c, docs/slurm.md) on this lane's
# single-node cluster (tests/setup.d/60-slurm.sh): srun as the test user
# with pyxis's --container-* options. Each result is compared with the same
# step run on the host, or with `warren run` of the same image by hand.
# plugstack.conf names the plugin of the build under test, whose default
# warren is that build's.

bats_require_minimum_version 1.5.0

load helpers

REG=127.0.0.1:$WARREN_REGISTRY_PORT
IMG=$REG/warren/osrel
export SLURM_CONF=$WARREN_TEST_ROOT/slurm/slurm.conf
AS_USER_ENV=SLURM_CONF

setup_file() {
	local plugin
	plugin=$(find "$WARREN_PREFIX" -name spank_warren.so | head -n 1)
	[ -n "$plugin" ] || {
		echo "no spank_warren.so under $WARREN_PREFIX (is libslurm-dev installed?)" >&2
		return 1
	}
	echo "required $plugin" >"$WARREN_TEST_ROOT/slurm/plugstack.conf"
	export PLUGIN=$plugin
}

teardown() {
	scancel -u "$TEST_USER" 2>/dev/null || true
	scancel -u "$NOSUB_USER" 2>/dev/null || true
	# a failed --container-name test's records, whose names the next would need
	warren rm -f job-0 job-1 >/dev/null 2>&1 || true
	# the plugin's arguments as setup_file left them (a test may add some)
	echo "required $PLUGIN" >"$WARREN_TEST_ROOT/slurm/plugstack.conf"
	common_teardown
}

# srun_u ARGS...: srun as the test user, bounded
srun_u() { as_user timeout 120 srun "$@"; }
srun_nosub() { as_nosub timeout 120 srun "$@"; }

# user_procs: the test user's processes that a container step leaves, if any
user_procs() { pgrep -u "$TEST_USER" -a -f 'warren|sleep infinity' || true; }

# user_mounts: mounts of the host's namespace under the test user's home or
# warren's runtime directory
user_mounts() { grep -E " (/home/$TEST_USER|/tmp/warren-$TEST_UID)[/ ]" /proc/self/mountinfo || true; }

# two_tasks_said WANT: $output holds WANT's lines twice, once from each of
# two tasks (srun interleaves the tasks' lines as they come)
two_tasks_said() {
	echo "the tasks said: [$output]; each should say: [$1]"
	[ "$(sort <<<"$output")" = "$(printf '%s\n%s\n' "$1" "$1" | sort)" ]
}

@test "slurm: srun -n 2 --container-image runs both tasks in the image as the job's user" {
	run -0 --separate-stderr warren run --rm --pull=missing "$IMG" cat /etc/os-release
	want=$output
	[[ "$want" == *warren-slurm-fixture* ]]
	[ "$want" != "$(cat /etc/os-release)" ]

	run -0 --separate-stderr srun_u -n 2 --container-image="$IMG" cat /etc/os-release
	two_tasks_said "$want"

	# the tasks' identity and Slurm variables as on the host; the image's
	# own variables win over the job's (as pyxis)
	cmd='echo $SLURM_PROCID $SLURM_NTASKS $SLURM_STEP_ID $(id -u):$(id -g) $(hostname) $SLURM_FIXTURE'
	run -0 --separate-stderr srun_u -n 2 sh -c "$cmd"
	host=$(echo "$output" | sort)
	run -0 --separate-stderr as_user env SLURM_FIXTURE=job timeout 120 srun -n 2 --container-image="$IMG" sh -c "$cmd"
	[ "$(echo "$output" | sort)" = "$(echo "$host" | sed 's/ *$/ image/')" ]
	[ "$(echo "$output" | wc -l)" = 2 ]
	# --container-env: the job's value wins (as pyxis), for the names given
	run -0 --separate-stderr as_user env SLURM_FIXTURE=job timeout 120 srun -n 2 --container-image="$IMG" \
		--container-env=SLURM_FIXTURE sh -c "$cmd"
	[ "$(echo "$output" | sort)" = "$(echo "$host" | sed 's/ *$/ job/')" ]

	# PMI-2's variables and its socket (an inherited descriptor) too
	cmd='echo $PMI_RANK $PMI_SIZE $(test -S /proc/self/fd/$PMI_FD && echo socket)'
	run -0 --separate-stderr srun_u --mpi=pmi2 -n 2 sh -c "$cmd"
	host=$(echo "$output" | sort)
	[ "$host" = "0 2 socket"$'\n'"1 2 socket" ]
	run -0 --separate-stderr srun_u --mpi=pmi2 -n 2 --container-image="$IMG" sh -c "$cmd"
	[ "$(echo "$output" | sort)" = "$host" ]

	# srun's ulimits reach the container as they reach a host task
	cmd='ulimit -S -n 512; ulimit -S -s 4096; timeout 120 srun -n 2 "$@" sh -c "echo \$(ulimit -n) \$(ulimit -s)"'
	run -0 --separate-stderr as_user sh -c "$cmd" sh
	host=$output
	[[ "$host" == *512* ]]
	run -0 --separate-stderr as_user sh -c "$cmd" sh --container-image="$IMG"
	[ "$output" = "$host" ]
}

@test "slurm: --container-image=FILE.sqsh runs the tasks in that SquashFS image" {
	d=$(user_tmpdir)
	chown "$TEST_USER" "$d"
	run -0 warren pull -q "$IMG"
	run -0 --separate-stderr warren run --rm "$IMG" cat /etc/os-release
	want=$output
	run -0 warren save --format squashfs -o "$d/osrel.sqsh" "$IMG"
	# the file, not the store, is what the step runs: the image is gone
	run -0 warren rmi "$IMG"
	run -0 --separate-stderr srun_u -n 2 --container-image="$d/osrel.sqsh" cat /etc/os-release
	two_tasks_said "$want"
	run -0 --separate-stderr srun_u -n 2 --container-image="$d/osrel.sqsh" sh -c 'echo $SLURM_PROCID $(id -u)'
	[ "$(echo "$output" | sort)" = "0 $TEST_UID"$'\n'"1 $TEST_UID" ]
	run -1 warren image inspect "$IMG"
	# the step's mounts of the file are gone with it
	for ((i = 0; i < 100; i++)); do
		pgrep -u "$TEST_USER" squashfuse >/dev/null || break
		sleep 0.1
	done
	run -1 pgrep -u "$TEST_USER" -a squashfuse
}

@test "slurm: the step's Slurm, PMI, PMIx and Open MPI variables reach the container as a host task's" {
	# one name and value a line; digits stand for the job's and step's
	# numbers, which differ from step to step. PMI-2 is Slurm's own (this
	# cluster's mpi/pmix plugin hangs slurmstepd, docs/slurm.md); the
	# PMIX_ and OMPI_ variables are the job's.
	cmd='env | grep -E "^(SLURM|PMIX|PMI|OMPI)_" | grep -vE "^(SLURM_FIXTURE|OMPI_MCA_btl_vader_single_copy_mechanism)=" |
		sed -E "s/[0-9]+/N/g" | sort'
	jobenv=(env OMPI_MCA_fixture=from-job PMIX_MCA_fixture=from-job)
	run -0 --separate-stderr as_user "${jobenv[@]}" timeout 120 srun --mpi=pmi2 -n 2 sh -c "$cmd"
	host=$(echo "$output" | sort)
	[[ "$host" == *PMI_RANK=N* && "$host" == *SLURM_STEP_ID=N* ]]
	[[ "$host" == *OMPI_MCA_fixture=from-job* && "$host" == *PMIX_MCA_fixture=from-job* ]]
	run -0 --separate-stderr as_user "${jobenv[@]}" timeout 120 srun --mpi=pmi2 -n 2 \
		--container-image="$IMG" sh -c "$cmd"
	[ "$(echo "$output" | sort)" = "$host" ]
	# each task its own rank, as on the host
	run -0 --separate-stderr srun_u --mpi=pmi2 -n 2 --container-image="$IMG" sh -c 'echo $PMI_RANK=$SLURM_PROCID'
	[ "$(echo "$output" | sort)" = "0=0"$'\n'"1=1" ]
}

@test "slurm: a step's tasks share the node's IPC namespace and /dev/shm, as host tasks do" {
	cmd='readlink /proc/self/ns/ipc'
	run -0 --separate-stderr srun_u -n 2 sh -c "$cmd"
	host=$output
	[ "$host" = "$(readlink /proc/self/ns/ipc)"$'\n'"$(readlink /proc/self/ns/ipc)" ]
	run -0 --separate-stderr srun_u -n 2 --container-image="$IMG" sh -c "$cmd"
	[ "$output" = "$host" ]
	# a file one task leaves in /dev/shm is the node's
	f=/dev/shm/warren-slurm-$TEST_USER
	rm -f "$f"
	run -0 srun_u -n 1 --container-image="$IMG" sh -c "echo from-task >$f"
	[ "$(cat "$f")" = from-task ]
	rm -f "$f"
	# vader copies through the segment between the tasks' user namespaces,
	# unless the job says otherwise (as warren run --hpc)
	cmd='echo $OMPI_MCA_btl_vader_single_copy_mechanism'
	run -0 --separate-stderr srun_u -n 1 --container-image="$IMG" sh -c "$cmd"
	[ "$output" = none ]
	run -0 --separate-stderr as_user env OMPI_MCA_btl_vader_single_copy_mechanism=cma timeout 120 \
		srun -n 1 --container-image="$IMG" sh -c "$cmd"
	[ "$output" = cma ]
}

@test "slurm: a CDI device of plugstack.conf reaches every container of a step, as run --device" {
	d=$(user_tmpdir)
	mkdir "$d/cdi"
	# a fake GPU: /dev/null under another name, with the variable its
	# vendor's spec would set (no GPU on these machines)
	cat >"$d/cdi/gpu.json" <<EOF
{ "cdiVersion": "0.6.0", "kind": "test.example/gpu",
  "devices": [ { "name": "0", "containerEdits": {
      "deviceNodes": [ { "path": "/dev/fake-gpu0", "hostPath": "/dev/null" } ],
      "env": [ "FAKE_GPU_VISIBLE=0" ] } } ] }
EOF
	chown -R "$TEST_USER" "$d"
	probe='[ -c /dev/fake-gpu0 ] && echo x >/dev/fake-gpu0 && echo gpu0-usable; echo "visible=$FAKE_GPU_VISIBLE"; echo "dirs=$WARREN_CDI_SPEC_DIRS"'
	run -0 --separate-stderr as_user env WARREN_CDI_SPEC_DIRS="$d/cdi" "$WARREN" run --rm \
		--device test.example/gpu=0 "$IMG" sh -c "$probe"
	want=$output
	[ "$want" = $'gpu0-usable\nvisible=0\ndirs=' ]
	echo "required $PLUGIN device=test.example/gpu=0 cdi-spec-dirs=$d/cdi" >"$WARREN_TEST_ROOT/slurm/plugstack.conf"
	run -0 --separate-stderr srun_u -n 2 --container-image="$IMG" sh -c "$probe"
	two_tasks_said "$want"
	# a step on the host is not given it
	run -0 --separate-stderr srun_u -n 1 sh -c 'test -e /dev/fake-gpu0 || echo none'
	[ "$output" = none ]
	# a device no spec declares fails the step's tasks with warren's line
	echo "required $PLUGIN device=test.example/gpu=7 cdi-spec-dirs=$d/cdi" >"$WARREN_TEST_ROOT/slurm/plugstack.conf"
	run srun_u -n 1 --container-image="$IMG" true
	[ "$status" -ne 0 ]
	[ "$(echo "$output" | grep -c 'unknown CDI device test.example/gpu=7')" = 1 ]
	# and a malformed argument stops srun with one line naming it
	echo "required $PLUGIN device=gpu0" >"$WARREN_TEST_ROOT/slurm/plugstack.conf"
	run srun_u -n 1 true
	[ "$status" -ne 0 ]
	[ "$(echo "$output" | grep -c 'device=gpu0')" -ge 1 ]
}

@test "slurm: a single-ID user's tasks run in the image as that user" {
	run -0 --separate-stderr srun_nosub -n 2 sh -c 'echo $SLURM_PROCID $(id -u):$(id -g)'
	host=$(echo "$output" | sort)
	run -0 --separate-stderr srun_nosub -n 2 --container-image="$IMG" \
		sh -c 'echo $SLURM_PROCID $(id -u):$(id -g) $(grep ^ID= /etc/os-release)'
	[ "$(echo "$output" | sort)" = "$(echo "$host" | sed 's/$/ ID=warren-slurm-fixture/')" ]
}

@test "slurm: srun's stdin reaches the container as it reaches a host task" {
	run -0 --separate-stderr as_user sh -c 'echo from-stdin | timeout 120 srun -n 2 sh -c "echo \$SLURM_PROCID \$(cat)"'
	host=$(echo "$output" | sort)
	[[ "$host" == *"0 from-stdin"* ]]
	run -0 --separate-stderr as_user sh -c 'echo from-stdin | timeout 120 srun -n 2 --container-image="$1" sh -c "echo \$SLURM_PROCID \$(cat)"' sh "$IMG"
	[ "$(echo "$output" | sort)" = "$host" ]
}

@test "slurm: a step without --container-image runs on the host" {
	run -0 --separate-stderr srun_u -n 2 cat /etc/os-release
	[ "$output" = "$(cat /etc/os-release)"$'\n'"$(cat /etc/os-release)" ]
	run -0 --separate-stderr srun_u -n 1 stat -c %i /
	[ "$output" = "$(stat -c %i /)" ]
}

@test "slurm: --container-mounts binds host directories, :ro read-only" {
	d=$(user_tmpdir)
	mkdir "$d/rw" "$d/ro"
	echo from-host >"$d/ro/file"
	chown -R "$TEST_USER" "$d/rw" "$d/ro"
	run -0 --separate-stderr srun_u --container-image="$IMG" --container-mounts="$d/ro:/data:ro,$d/rw:/out" \
		sh -c 'cat /data/file; echo written >/out/new; if echo x 2>/dev/null >/data/file; then echo WROTE; else echo REFUSED; fi'
	[ "${lines[0]}" = from-host ]
	[ "${lines[-1]}" = REFUSED ]
	[ "$(cat "$d/rw/new")" = written ]
	[ "$(cat "$d/ro/file")" = from-host ]
	# the same refusal as warren run -v ...:ro by hand
	run warren run --rm -v "$d/ro:/data:ro" "$IMG" sh -c 'echo x >/data/file'
	hand=$status
	run srun_u --container-image="$IMG" --container-mounts="$d/ro:/data:ro" sh -c 'echo x >/data/file'
	[ "$status" -ne 0 ] && [ "$hand" -ne 0 ]
}

@test "slurm: --container-workdir sets the tasks' working directory" {
	run -0 --separate-stderr warren run --rm -w /home/tester "$IMG" pwd
	want=$output
	run -0 --separate-stderr srun_u -n 2 --container-image="$IMG" --container-workdir=/home/tester pwd
	two_tasks_said "$want"
	run -0 --separate-stderr srun_u --container-image="$IMG" pwd
	[ "$output" = "$(warren run --rm "$IMG" pwd)" ]
}

@test "slurm: scancel of a running step leaves no container process and no mount" {
	run -0 warren pull -q "$IMG"
	store=$(as_user sh -c 'echo ${XDG_DATA_HOME:-$HOME/.local/share}/warren')
	before=$(ls "$store" "$store"/* 2>/dev/null | sort)
	mounts_before=$(user_mounts)
	log=$(user_tmpdir)/srun.log
	as_user timeout 300 srun --container-image="$IMG" sleep infinity >"$log" 2>&1 &
	srun_pid=$!
	for ((i = 0; i < 600; i++)); do
		pgrep -u "$TEST_USER" -x sleep >/dev/null && break
		sleep 0.1
	done
	pgrep -u "$TEST_USER" -x sleep
	# the container's sleep is in the image: its root is not the host's
	[ "$(stat -L -c %i "/proc/$(pgrep -u "$TEST_USER" -x sleep | head -n 1)/root/etc/os-release")" != \
		"$(stat -c %i /etc/os-release)" ]
	step=$(squeue -s -h -u "$TEST_USER" -o %i | grep -v extern | head -n 1)
	[ -n "$step" ]
	# in the cgroups Slurm put the task in (the step's, proctrack/cgroup):
	# warren made none of its own
	# (each lane has a cluster of its own, numbering its steps alike: the
	# step's slurmstepd is the one whose child is this lane's user's)
	task=
	for stepd in $(pgrep -f "^slurmstepd: \[$step\]"); do
		task=$(pgrep -P "$stepd" -u "$TEST_USER" | head -n 1)
		[ -z "$task" ] || break
	done
	[ -n "$task" ]
	grep -q "step_${step#*.}" "/proc/$task/cgroup"
	[ "$(cat "/proc/$(pgrep -u "$TEST_USER" -x sleep | head -n 1)/cgroup")" = "$(cat "/proc/$task/cgroup")" ]
	scancel "$step"
	for ((i = 0; i < 600; i++)); do
		[ -z "$(user_procs)" ] && ! kill -0 "$srun_pid" 2>/dev/null && break
		sleep 0.1
	done
	[ -z "$(user_procs)" ] || { user_procs; false; }
	[ "$(user_mounts)" = "$mounts_before" ]
	[ "$(ls "$store" "$store"/* 2>/dev/null | sort)" = "$before" ]
}

@test "slurm: --container-name names the tasks' containers; scancel leaves none" {
	run -0 warren pull -q "$IMG"
	# other files' tests in this lane may have left containers of their own
	local before
	before=$(warren ps -a -q | sort)
	as_user timeout 300 srun -n 2 --container-image="$IMG" --container-name=job sleep infinity \
		>/dev/null 2>&1 &
	srun_pid=$!
	for ((i = 0; i < 600; i++)); do
		[ "$(warren ps --format '{{.Names}}' | sort | tr '\n' ' ')" = "job-0 job-1 " ] && break
		sleep 0.1
	done
	[ "$(warren ps --format '{{.Names}}' | sort | tr '\n' ' ')" = "job-0 job-1 " ]
	scancel "$(squeue -s -h -u "$TEST_USER" -o %i | grep -v extern | head -n 1)"
	# the step's end (slurm_spank_exit) removes the records: it may run
	# after srun and the tasks are gone
	for ((i = 0; i < 600; i++)); do
		[ -z "$(user_procs)" ] && ! kill -0 "$srun_pid" 2>/dev/null &&
			[ "$(warren ps -a -q | sort)" = "$before" ] && break
		sleep 0.1
	done
	[ -z "$(user_procs)" ] || { user_procs; false; }
	warren ps -a
	run -0 warren ps -a -q
	[ "$(sort <<<"$output")" = "$before" ]
}

@test "slurm: an image that does not exist fails the step with one line" {
	run srun_u -n 2 --container-image="$REG/warren/no-such-image" true
	[ "$status" -ne 0 ]
	echo "$output"
	[ "$(echo "$output" | grep -c 'warren: --container-image=')" = 1 ]
	echo "$output" | grep 'warren: --container-image=' | grep -q no-such-image
}

@test "slurm: malformed option values (mounts, env names, workdir) fail with one line" {
	for spec in relative:/data /tmp /tmp:/data:rx /tmp:/data, /tmp:/a,,/tmp:/b; do
		run srun_u --container-image="$IMG" --container-mounts="$spec" true
		[ "$status" -ne 0 ]
		[ "$(echo "$output" | grep -c 'invalid --container-mounts')" = 1 ]
	done
	run srun_u --container-image="$IMG" --container-env=A=1 true
	[ "$status" -ne 0 ]
	[ "$(echo "$output" | grep -c 'invalid --container-env')" = 1 ]
	run srun_u --container-image="$IMG" --container-workdir=relative true
	[ "$status" -ne 0 ]
	[ "$(echo "$output" | grep -c 'invalid --container-workdir')" = 1 ]
}
