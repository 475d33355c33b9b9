#!/usr/bin/env bats
# Storage drivers: the kernel overlay, warren-overlay (fuse-overlay) and a
# private copy (vfs) each run an image; the choice comes from
# --storage-driver, the config file or what works here, and `warren info`
# says which and why.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	STORE=$(user_tmpdir)
	chown "$TEST_USER" "$STORE"
	tar -C "$ROOTFS_PRISTINE" --numeric-owner -cf "$STORE/bb.tar" .
	chmod 644 "$STORE/bb.tar"
	export WARREN_ROOT=$STORE/store AS_USER_ENV=WARREN_ROOT
	warren import "$STORE/bb.tar" bb >/dev/null
}

teardown() {
	rm -rf "/home/$TEST_USER/.config/warren"
	common_teardown
}

# the filesystem type of the container's / and a write to it
ROOT_CHECK='awk "\$2 == \"/\" {print \$3}" /proc/mounts | tail -1; echo data > /new && cat /new'

@test "each storage driver runs an image with a writable root that leaves the image as it was" {
	# warren-overlay's mount has its subtype, as fuse-overlayfs's under podman
	# (fuse.fuse-overlayfs)
	for d in overlay:overlay fuse-overlay:fuse.warren-overlay vfs:ext4; do
		run warren --storage-driver "${d%%:*}" run --rm --network none bb sh -c "$ROOT_CHECK"
		echo "$d: $output"
		[ "$status" -eq 0 ]
		[ "$(echo "$output" | sed -n 1p)" = "${d#*:}" ] || [ "${d%%:*}" = vfs ]
		[ "$(echo "$output" | tail -1)" = data ]
		run warren --storage-driver "${d%%:*}" run --rm --network none bb ls /new
		[ "$status" -ne 0 ]
	done
	# vfs: no overlay of either kind
	run warren --storage-driver vfs run --rm --network none bb sh -c "$ROOT_CHECK"
	[[ "$(echo "$output" | sed -n 1p)" != overlay && "$(echo "$output" | sed -n 1p)" != fuse* ]]
}

# fuse_ctr_ready CMD [BEFORE]: a --rm container on fuse-overlay in the
# background ($bg, its output in $STORE/out) that runs BEFORE, touches
# /ready, then runs CMD; returns once /ready is in its layer
fuse_ctr_ready() {
	as_user "$WARREN" --storage-driver fuse-overlay run --rm --network none bb sh -c \
		"${2:-} touch /ready; $1" > "$STORE/out" 2>&1 &
	bg=$!
	for _ in $(seq 200); do ls "$WARREN_ROOT"/containers/*/upper/ready >/dev/null 2>&1 && break; sleep 0.05; done
}

@test "fuse-overlay: warren-overlay serves the container and is gone with it, and so is the container's layer" {
	as_user "$WARREN" --storage-driver fuse-overlay run --rm --network none bb sh -c 'touch /ready; sleep 30' &
	bg=$!
	for _ in $(seq 100); do pgrep -u "$TEST_USER" -f "warren-overlay --mount-fd" >/dev/null && break; sleep 0.05; done
	pgrep -u "$TEST_USER" -f "warren-overlay --mount-fd"
	# the server is up before the container's command: wait for its sleep
	for _ in $(seq 200); do pgrep -u "$TEST_USER" -x sleep >/dev/null && break; sleep 0.05; done
	# the sleep is the container's PID 1 (sh execs its last command): only
	# SIGKILL reaches it from outside
	pkill -KILL -u "$TEST_USER" -x sleep
	wait "$bg" || true
	for _ in $(seq 100); do pgrep -u "$TEST_USER" -f warren-overlay >/dev/null || break; sleep 0.05; done
	! pgrep -u "$TEST_USER" -f warren-overlay
	[ -z "$(ls -A "$WARREN_ROOT/containers")" ]
}

@test "fuse-overlay: data written in the container is in its layer while it runs" {
	fuse_ctr_ready 'sleep 30' 'echo kept > /kept; sync;'
	[ "$(cat "$WARREN_ROOT"/containers/*/upper/kept)" = kept ]
	pkill -KILL -u "$TEST_USER" -x sleep
	wait "$bg" || true
}

@test "fuse-overlay: killing warren-overlay makes file access fail with an error, not hang" {
	fuse_ctr_ready 'sleep 2; if read x < /etc/os-release; then echo READ-OK; else echo READ-FAILED; fi'
	pkill -KILL -u "$TEST_USER" -f "warren-overlay --mount-fd"
	rc=0
	wait "$bg" || rc=$?
	cat "$STORE/out"
	# the read fails, or the shell itself dies of SIGBUS (its code is on the mount)
	grep -q READ-FAILED "$STORE/out" || [ "$rc" -eq 135 ]
	grep -q "warren-overlay, which served the container's files, was killed (signal 9)" "$STORE/out"
	! pgrep -u "$TEST_USER" -f warren-overlay
	[ -z "$(ls -A "$WARREN_ROOT/containers")" ]
}

@test "fuse-overlay: warren-overlay ends on SIGTERM while the container is idle, and file access then fails" {
	fuse_ctr_ready 'sleep 3; if read x < /etc/os-release; then echo READ-OK; else echo READ-FAILED; fi'
	pkill -TERM -u "$TEST_USER" -f "warren-overlay --mount-fd"
	# the server is gone within a second, long before the container's sleep ends
	for _ in $(seq 20); do pgrep -u "$TEST_USER" -f "warren-overlay --mount-fd" >/dev/null || break; sleep 0.05; done
	! pgrep -u "$TEST_USER" -f "warren-overlay --mount-fd"
	rc=0
	wait "$bg" || rc=$?
	cat "$STORE/out"
	grep -q READ-FAILED "$STORE/out" || [ "$rc" -eq 135 ]
	! grep -q READ-OK "$STORE/out"
	[ -z "$(ls -A "$WARREN_ROOT/containers")" ]
}

# the warren-overlay of the one container running: its PID
ovl_pid() {
	local p
	for _ in $(seq 100); do
		p=$(pgrep -u "$TEST_USER" -f "warren-overlay --mount-fd") && break
		sleep 0.05
	done
	echo "$p"
}

# as a killed monitor shows "monitor lost" and a killed warren-net
# "network lost" (net.bats), a killed warren-overlay is not "Up"
@test "a killed warren-overlay stops its detached container; ps and inspect say the overlay was lost" {
	id=$(warren --storage-driver fuse-overlay run -d --stop-timeout 1 --network none bb sleep infinity)
	ovl=$(ovl_pid)
	[ -n "$ovl" ]
	kill -KILL "$ovl"
	wait_status "$id" exited
	run warren inspect --format '{{.State.Error}}' "$id"
	[[ "$output" == "overlay lost: warren-overlay, which served the container's files, was killed by signal 9;"* ]]
	run warren ps -a --format '{{.Status}}'
	echo "$output"
	[[ "$output" == "Exited ("*") "*" ago (overlay lost)" ]]
	# a new start mounts the files again, and the error goes
	warren --storage-driver fuse-overlay start "$id"
	run warren --storage-driver fuse-overlay exec "$id" cat /etc/passwd
	[ "$status" -eq 0 ]
	run warren ps --format '{{.Status}}'
	[[ "$output" == "Up "* && "$output" != *"lost"* ]]
	warren rm -f "$id"
	for _ in $(seq 100); do pgrep -u "$TEST_USER" -f warren-overlay >/dev/null || break; sleep 0.05; done
	! pgrep -u "$TEST_USER" -f warren-overlay
}

@test "while a container whose warren-overlay was killed stops, ps and inspect say overlay lost" {
	# PID 1 of its namespace ignores SIGTERM: it stays up for the stop timeout
	id=$(warren --storage-driver fuse-overlay run -d --stop-timeout 600 --network none bb sleep infinity)
	ovl=$(ovl_pid)
	[ -n "$ovl" ]
	kill -KILL "$ovl"
	for ((i = 0; i < 300; i++)); do
		run warren ps --format '{{.Status}}'
		[[ "$output" == *"(overlay lost)"* ]] && break
		sleep 0.1
	done
	echo "$output"
	[[ "$output" == "Up "*" (overlay lost)" ]]
	run warren inspect --format '{{.State.Status}} {{.State.Error}}' "$id"
	[[ "$output" == "running overlay lost: warren-overlay"*"was killed by signal 9;"* ]]
	warren rm -f "$id"
}

@test "a layer that whites out a directory and makes it anew shows only the new one, on every driver" {
	# samewh's second layer: ".wh.a" then "a/", "a/1"; "b/", "b/1" then
	# ".wh.b"; the first layer has a/2, a/sub/3 (and b's). OCI layer.md: a
	# whiteout hides the lower layers only, so a/ and b/ hold 1 and nothing
	# else (what vfs shows, which applies the layers one over the other)
	local reg=127.0.0.1:${WARREN_REGISTRY_PORT:-5000} d listing vfs
	warren pull -q "$reg/warren/samewh" >/dev/null
	for d in vfs overlay fuse-overlay; do
		run warren --storage-driver "$d" run --rm --network none "$reg/warren/samewh" \
			find /a /b -exec stat -c '%n %F %a' {} +
		echo "$d: $output"
		[ "$status" -eq 0 ]
		listing=$(echo "$output" | sort)
		[ "$d" != vfs ] || vfs=$listing
		[ "$listing" = "$vfs" ]
		[ "$listing" = "$(printf '%s\n' '/a directory 750' '/a/1 regular file 644' \
			'/b directory 750' '/b/1 regular file 644')" ]
	done
	# the unpacked layer marks both directories opaque, as the overlays read it
	for d in a b; do
		[ "$(getfattr --absolute-names --only-values -n user.overlay.opaque "$WARREN_ROOT"/layers/*/diff/$d 2>/dev/null)" = y ]
	done
}

@test "an unknown storage driver is refused with one line and exit 125, and nothing is created" {
	run --separate-stderr warren --storage-driver zfs run --rm bb true
	[ "$status" -eq 125 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *'unknown storage driver "zfs"'*"overlay, fuse-overlay or vfs"* ]]
	[ -z "$(ls -A "$WARREN_ROOT/containers" 2>/dev/null)" ]
	run --separate-stderr warren --storage-driver run --rm bb true
	[ "$status" -eq 125 ]
}

@test "warren info names the driver and why; the config file chooses it, the flag wins" {
	run warren info
	[ "$status" -eq 0 ]
	[[ "$output" == *"storage driver:   overlay"* ]]
	[[ "$output" == *"overlayfs mounts in a user namespace"* ]]
	[[ "$output" == *"user namespace:   subordinate ranges"* ]]
	mkdir -p "/home/$TEST_USER/.config/warren"
	echo "storage-driver = vfs" > "/home/$TEST_USER/.config/warren/warren.conf"
	chown -R "$TEST_USER" "/home/$TEST_USER/.config"
	run warren info --format json
	[ "$(echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin)["storage_driver"]; print(d["name"], d["why"])')" = "vfs chosen by /home/$TEST_USER/.config/warren/warren.conf" ]
	run warren --storage-driver fuse-overlay info
	[[ "$output" == *"storage driver:   fuse-overlay"* ]]
	run warren run --rm --network none bb sh -c "$ROOT_CHECK"
	[ "$status" -eq 0 ]
	[[ "$(echo "$output" | sed -n 1p)" != overlay ]]
}

@test "single-ID mode: info says so and how to get ranges" {
	unset WARREN_ROOT
	run warren_nosub info
	[ "$status" -eq 0 ]
	[[ "$output" == *"single-ID"*"usermod --add-subuids"* ]]
}
