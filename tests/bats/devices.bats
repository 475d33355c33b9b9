#!/usr/bin/env bats
# Devices in containers (issue 24): --device of a host node the user can
# open, --group-add keep-groups, CDI devices from specs written here (JSON
# and YAML: device nodes under other names, a mount, variables, a hook),
# --gpus, and --ipc/--pid host. There is no GPU on these machines: the CDI
# specs name /dev/null and /dev/zero. --device side by side with rootless
# podman; bad input is one line, exit 125, and nothing created.

bats_require_minimum_version 1.5.0

load helpers
load lifecycle_helpers

setup() {
	lc_setup
	D=$(user_tmpdir)
	CDI=$D/cdi
	mkdir -p "$CDI" "$D/share"
	echo shared-by-cdi > "$D/share/file"
	printf '#!/bin/sh\ncat > "$HOOK_OUT.state"\necho "$1" > "$HOOK_OUT"\n' > "$D/hook.sh"
	chmod 0755 "$D/hook.sh"
	chown -R "$TEST_USER" "$D"
	chmod 0777 "$D"
	AS_USER_ENV=WARREN_CDI_SPEC_DIRS
	export WARREN_CDI_SPEC_DIRS=$CDI
}

teardown() {
	lc_teardown
	rm -f "/dev/shm/warren-$TEST_USER-ipc"
}

# json_spec FILE: the test.example/fake spec as JSON: device "one" is
# /dev/null as /dev/fake-null with a read-only mount, a variable and a
# createContainer hook; "two" is /dev/zero as /dev/fake-zero
json_spec() {
	cat > "$1" <<EOF
{
  "cdiVersion": "0.6.0",
  "kind": "test.example/fake",
  "containerEdits": { "env": ["FAKE_SPEC=1"] },
  "devices": [
    { "name": "one",
      "containerEdits": {
        "deviceNodes": [ { "path": "/dev/fake-null", "hostPath": "/dev/null",
                           "type": "c", "major": 1, "minor": 3, "permissions": "rw" } ],
        "env": [ "FAKE_DEVICE=one" ],
        "mounts": [ { "hostPath": "$D/share", "containerPath": "/opt/fake",
                      "options": ["ro", "bind"] } ],
        "hooks": [ { "hookName": "createContainer", "path": "$D/hook.sh",
                     "args": ["hook.sh", "created"],
                     "env": ["HOOK_OUT=$D/hook.out", "PATH=/usr/bin:/bin"] } ] } },
    { "name": "two",
      "containerEdits": {
        "deviceNodes": [ { "path": "/dev/fake-zero", "hostPath": "/dev/zero" } ],
        "env": [ "FAKE_DEVICE_TWO=two" ] } }
  ]
}
EOF
	chown "$TEST_USER" "$1"
}

# what a container sees of the fake devices, one fact a line
probe='for n in /dev/fake-null /dev/fake-zero; do [ -c $n ] && echo "$n char"; done
echo "spec=$FAKE_SPEC one=$FAKE_DEVICE two=$FAKE_DEVICE_TWO"
[ -c /dev/fake-null ] && echo x > /dev/fake-null && echo "null writable"
[ -c /dev/fake-zero ] && echo "zero $(head -c 3 /dev/fake-zero | od -An -tx1)"
cat /opt/fake/file 2>/dev/null
touch /opt/fake/new 2>/dev/null || echo "mount read-only"'

@test "--device /dev/null:/dev/mydev is a usable node, as under podman, in both ID modes" {
	local cmd='[ -c /dev/mydev ] && echo char; echo data > /dev/mydev && echo wrote; wc -c < /dev/mydev'
	base_image
	want=$(printf 'char\nwrote\n0\n')
	[ "$(warren run --rm --device /dev/null:/dev/mydev base:1 sh -c "$cmd")" = "$want" ]
	local mine=$ROOTFS
	make_rootfs "$NOSUB_USER"
	[ "$(warren_nosub run --rm --device /dev/null:/dev/mydev --rootfs "$ROOTFS" sh -c "$cmd" 2>/dev/null)" = "$want" ]
	ROOTFS=$mine
	# the same path inside when none is given, and :rw permissions
	[ "$(warren run --rm --device /dev/zero:rw --rootfs "$ROOTFS" sh -c 'head -c 2 /dev/zero | od -An -tx1')" = " 00 00" ]
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
	tar -C "$ROOTFS_PRISTINE" -cf "$D/r.tar" .
	chmod 0644 "$D/r.tar"
	podman_u import -q "$D/r.tar" local/only:1 > /dev/null
	[ "$(podman_u run --rm --network none --device /dev/null:/dev/mydev local/only:1 sh -c "$cmd")" = "$want" ]
	# a recorded container keeps it for exec and a restart
	warren run -d --name dev1 --device /dev/null:/dev/mydev base:1 sleep infinity > /dev/null
	[ "$(warren exec dev1 sh -c "$cmd")" = "$want" ]
	warren stop -t 1 dev1 > /dev/null
	warren start dev1 > /dev/null
	[ "$(warren exec dev1 sh -c "$cmd")" = "$want" ]
}

@test "a device the user cannot open is refused with one line and nothing made" {
	mknod "$D/secret" c 1 3
	chmod 0600 "$D/secret"
	for dev in "$D/secret:/dev/secret" "$D/secret:r" "/dev/null:/dev/x:rwz" "$D/share/file" \
		"/dev/no-such-device" "/dev/null:relative"; do
		run --separate-stderr warren create --device "$dev" --rootfs "$ROOTFS" true
		one_line_125
	done
	[[ "$stderr" == *relative* ]]
	run --separate-stderr warren run --rm --device "$D/secret:/dev/secret" --rootfs "$ROOTFS" true
	one_line_125
	[[ "$stderr" == *"$D/secret"* && "$stderr" == *"reading and writing"* ]]
	run --separate-stderr warren run --rm --device-cgroup-rule 'c 1:3 rwm' --rootfs "$ROOTFS" true
	one_line_125
	[ -z "$(warren ps -aq)" ]
}

@test "--group-add keep-groups keeps a group-owned device usable; alone only" {
	# a node only group 4242 may open, and the user in that group
	mknod "$D/grpdev" c 1 3
	chgrp 4242 "$D/grpdev"
	chmod 0660 "$D/grpdev"
	in_group() {
		(cd /tmp && setpriv --reuid="$1" --regid="$(id -g "$1")" --groups=4242 \
			env -i HOME="/home/$1" USER="$1" PATH=/usr/bin:/bin WARREN_CDI_SPEC_DIRS="$CDI" \
			"$WARREN" run --rm --device "$D/grpdev:/dev/grpdev" "${@:2}" --rootfs "$ROOTFS" \
			sh -c 'echo x > /dev/grpdev && echo opened' 2>&1)
	}
	# with ranges, the container's groups are its own: the host's group is gone
	run in_group "$TEST_USER"
	[[ "$output" != *opened* ]]
	[ "$(in_group "$TEST_USER" --group-add keep-groups)" = opened ]
	# single-ID mode cannot drop the groups (setgroups is denied): kept either way
	[ "$(in_group "$NOSUB_USER" --group-add keep-groups | tail -1)" = opened ]
	[ "$(in_group "$NOSUB_USER" | tail -1)" = opened ]
	run --separate-stderr warren run --rm --group-add keep-groups --group-add 10 --rootfs "$ROOTFS" true
	one_line_125
}

@test "a CDI device from a JSON spec: nodes under other names, mount, variables, hook" {
	json_spec "$CDI/fake.json"
	run --separate-stderr warren run --rm --device test.example/fake=one --rootfs "$ROOTFS" sh -c "$probe"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '/dev/fake-null char' 'spec=1 one=one two=' 'null writable' \
		'shared-by-cdi' 'mount read-only')" ]
	# the hook ran as the user, with the container's state on its stdin
	[ "$(cat "$D/hook.out")" = created ]
	[ "$(stat -c %u "$D/hook.out")" = "$TEST_UID" ]
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert len(s["id"]) == 64 and s["pid"] > 1 and s["status"] == "creating", s' "$D/hook.out.state"
	rm -f "$D/hook.out"
	# =all: every device of the kind, the spec's own edits once
	run --separate-stderr warren run --rm --device test.example/fake=all --rootfs "$ROOTFS" sh -c "$probe"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '/dev/fake-null char' '/dev/fake-zero char' \
		'spec=1 one=one two=two' 'null writable' 'zero  00 00 00' 'shared-by-cdi' 'mount read-only')" ]
	[ -f "$D/hook.out" ]
	# single-ID mode, and a recorded container whose start runs the hook again
	rm -f "$D/hook.out"
	[ "$(warren_nosub run --rm --device test.example/fake=two --rootfs "$ROOTFS" sh -c 'echo $FAKE_DEVICE_TWO; [ -c /dev/fake-zero ] && echo char' 2>/dev/null)" = "$(printf 'two\nchar')" ]
	warren create --name cdi1 --device test.example/fake=one --rootfs "$ROOTFS" sh -c 'echo $FAKE_DEVICE' > /dev/null
	[ ! -e "$D/hook.out" ]
	[ "$(warren start -a cdi1)" = one ]
	[ "$(cat "$D/hook.out")" = created ]
}

@test "a CDI device from a YAML spec, a startContainer hook, and a failing hook stops the start" {
	cat > "$CDI/fake.yaml" <<EOF
cdiVersion: "0.8.0"
kind: test.example/yaml
containerEdits:
  env:
  - FAKE_SPEC=yaml
devices:
- name: "gpu0"
  containerEdits:
    deviceNodes:
    - path: /dev/fake-zero
      hostPath: /dev/zero
      type: c
      major: 1
      minor: 5
    mounts:
    - hostPath: $D/share
      containerPath: /opt/fake
      options: [ro]
    hooks:
    - hookName: startContainer
      path: /bin/sh
      args: [sh, -c, "cat > /started.json"]
- name: bad
  containerEdits:
    hooks:
    - hookName: createContainer
      path: /bin/false
EOF
	chown "$TEST_USER" "$CDI/fake.yaml"
	run --separate-stderr warren run --rm --device test.example/yaml=gpu0 --rootfs "$ROOTFS" sh -c "$probe"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' '/dev/fake-zero char' 'spec=yaml one= two=' \
		'zero  00 00 00' 'shared-by-cdi' 'mount read-only')" ]
	# the probe's write to the missing /dev/fake-null made no file on the host
	[ ! -e "$D/share/new" ]
	# the startContainer hook ran inside the container, before the command
	rm -f "$ROOTFS/started.json"
	run --separate-stderr warren run --rm --device test.example/yaml=gpu0 --rootfs "$ROOTFS" cat /started.json
	[ "$status" -eq 0 ]
	python3 -c 'import json,sys; s=json.loads(sys.argv[1]); assert s["status"] == "created" and s["pid"] > 1, s' "$output"
	run --separate-stderr warren run --rm --device test.example/yaml=bad --rootfs "$ROOTFS" true
	one_line_125
	[[ "$stderr" == *createContainer*/bin/false* ]]
}

@test "unknown and broken CDI specs, and --gpus without a spec: one line each, exit 125" {
	json_spec "$CDI/fake.json"
	run --separate-stderr warren run --rm --device test.example/fake=three --rootfs "$ROOTFS" true
	one_line_125
	[[ "$stderr" == *"unknown CDI device test.example/fake=three"* ]]
	run --separate-stderr warren run --rm --device 'test.example/fake=b@d' --rootfs "$ROOTFS" true
	one_line_125
	printf '{"cdiVersion": "0.6.0", "kind": "test.example/broken",\n  "devices": [ {"name": "x", \n' > "$CDI/broken.json"
	run --separate-stderr warren run --rm --device test.example/broken=x --rootfs "$ROOTFS" true
	one_line_125
	[[ "$stderr" == *"$CDI/broken.json"* && "$stderr" == *line* ]]
	printf 'cdiVersion: "0.9.9"\nkind: test.example/new\ndevices: [{name: x, containerEdits: {}}]\n' > "$CDI/new.yaml"
	run --separate-stderr warren run --rm --device test.example/new=x --rootfs "$ROOTFS" true
	one_line_125
	[[ "$stderr" == *0.9.9* ]]
	# a broken spec does not hide the good ones
	[ "$(warren run --rm --device test.example/fake=two --rootfs "$ROOTFS" sh -c 'echo $FAKE_DEVICE_TWO')" = two ]
	run --separate-stderr warren run --rm --gpus all --rootfs "$ROOTFS" true
	one_line_125
	[[ "$stderr" == *"nvidia-ctk cdi generate"* ]]
	[ -z "$(warren ps -aq)" ]
}

@test "--gpus all, N, count=N and \"device=ID,ID\" pick GPUs by Docker's syntax, through CDI" {
	# two fake GPUs as nvidia-ctk cdi generate names them (0, 1): /dev/null
	# and /dev/zero under other names
	cat > "$CDI/nvidia.yaml" <<EOF
cdiVersion: "0.5.0"
kind: nvidia.com/gpu
devices:
  - name: "0"
    containerEdits:
      deviceNodes: [{path: /dev/fake-gpu0, hostPath: /dev/null}]
  - name: "1"
    containerEdits:
      deviceNodes: [{path: /dev/fake-gpu1, hostPath: /dev/zero}]
containerEdits:
  env: [FAKE_DRIVER=yes]
EOF
	chown "$TEST_USER" "$CDI/nvidia.yaml"
	local gpus='echo $(ls /dev | grep fake-gpu) ${FAKE_DRIVER:-none}'
	# what each form gives, as docker run --gpus documents it: a bare or
	# count= number is the first N GPUs, device= (quoted, one CSV field)
	# the ones named, capabilities= changes nothing the spec does not say
	for pair in 'all|fake-gpu0 fake-gpu1 yes' '1|fake-gpu0 yes' '2|fake-gpu0 fake-gpu1 yes' \
		'count=1|fake-gpu0 yes' '"device=1"|fake-gpu1 yes' 'device=0|fake-gpu0 yes' \
		'"device=1,0"|fake-gpu0 fake-gpu1 yes' 'all,"capabilities=compute,utility"|fake-gpu0 fake-gpu1 yes' \
		'count=all,driver=nvidia|fake-gpu0 fake-gpu1 yes' '0|none'; do
		run --separate-stderr warren run --rm --gpus "${pair%%|*}" --rootfs "$ROOTFS" sh -c "$gpus"
		[ "$status" -eq 0 ] || { echo "--gpus ${pair%%|*}: $stderr"; false; }
		[ "$output" = "${pair#*|}" ] || { echo "--gpus ${pair%%|*}: $output"; false; }
	done
	# the same through the CDI names, as --device takes them
	[ "$(warren run --rm --device nvidia.com/gpu=1 --rootfs "$ROOTFS" sh -c "$gpus")" = "fake-gpu1 yes" ]
	# more GPUs than the spec has: one line naming the missing one and the fix
	run --separate-stderr warren run --rm --gpus 3 --rootfs "$ROOTFS" true
	one_line_125
	[[ "$stderr" == *nvidia.com/gpu=2* && "$stderr" == *"nvidia-ctk cdi"* ]]
	# Docker's refusals: a count with device= (the unquoted list reads as
	# device=0 and a count of 1), an unknown key, a bad count, a twice-given
	# count (an unquoted capability list's second word reads as one)
	for bad in device=0,1 'foo=1' 'two' '-1' '1,2' 'all,capabilities=compute,utility' 'driver=amd' '"device=0' ''; do
		run --separate-stderr warren run --rm --gpus "$bad" --rootfs "$ROOTFS" true
		one_line_125
		[[ "$stderr" == *--gpus* ]]
	done
	[ -z "$(warren ps -aq)" ]
}

@test "--ipc host and --pid host share the host's namespaces, /dev/shm and /proc" {
	local host_ipc host_pid
	host_ipc=$(as_user readlink /proc/self/ns/ipc)
	host_pid=$(as_user readlink /proc/self/ns/pid)
	[ "$(warren run --rm --rootfs "$ROOTFS" readlink /proc/self/ns/ipc)" != "$host_ipc" ]
	[ "$(warren run --rm --ipc host --rootfs "$ROOTFS" sh -c "readlink /proc/self/ns/ipc; touch /dev/shm/warren-$TEST_USER-ipc")" = "$host_ipc" ]
	[ -f "/dev/shm/warren-$TEST_USER-ipc" ]
	[ "$(warren run --rm --pid host --rootfs "$ROOTFS" sh -c 'readlink /proc/self/ns/pid; [ $$ -ne 1 ] && echo not-pid-1')" = "$(printf '%s\nnot-pid-1' "$host_pid")" ]
	[ "$(warren_nosub run --rm --pid host --ipc host --rootfs "$ROOTFS" readlink /proc/self/ns/pid 2>/dev/null)" = "$(as_nosub readlink /proc/self/ns/pid)" ]
	# exec joins the same namespaces; inspect names the modes
	warren run -d --name ns1 --ipc host --pid host --rootfs "$ROOTFS" sleep infinity > /dev/null
	[ "$(warren exec ns1 readlink /proc/self/ns/pid)" = "$host_pid" ]
	[ "$(warren inspect --format '{{.HostConfig.IpcMode}} {{.HostConfig.PidMode}}' ns1)" = "host host" ]
	for bad in "--ipc container:ns1" "--pid container:ns1" "--pid nope"; do
		run --separate-stderr warren run --rm $bad --rootfs "$ROOTFS" true
		one_line_125
		[[ "$bad" != *container:* || "$stderr" == *"use ${bad%% *} host"* ]]
	done
}

@test "--hpc: your uid, home and working directory, the host's network, IPC and PIDs" {
	local work=/home/$TEST_USER/hpc-work
	as_user mkdir -p "$work"
	out=$(cd "$work" && setpriv --reuid="$TEST_USER" --regid="$TEST_GID" --init-groups \
		env -i HOME="/home/$TEST_USER" PATH=/usr/bin:/bin OMPI_COMM_WORLD_RANK=3 UNRELATED=1 \
		"$WARREN" run --rm --hpc --rootfs "$ROOTFS" sh -c \
		'id -u; pwd; echo "$OMPI_COMM_WORLD_RANK/$UNRELATED/$HOME"; for n in net ipc pid; do readlink /proc/self/ns/$n; done; touch made-inside; hostname')
	[ "$out" = "$(printf '%s\n' "$TEST_UID" "$work" "3///home/$TEST_USER" \
		"$(as_user sh -c 'for n in net ipc pid; do readlink /proc/self/ns/$n; done')" \
		"$(hostname)")" ]
	[ "$(stat -c %u "$work/made-inside")" = "$TEST_UID" ]
	rm -rf "$work"
}
