#!/usr/bin/env bats
# `run` as Docker's CLI has it (issue 18): a foreground run without --rm is
# kept as an exited container; volumes get the image's content first and go
# with --rm or rm -v when anonymous; --mount with Docker's keys;
# --volumes-from; TERM under -t. Side by side with rootless podman where it
# agrees with Docker's documentation.

bats_require_minimum_version 1.5.0

load helpers
load images_helpers
load lifecycle_helpers

setup() {
	lc_setup
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
}

teardown() { lc_teardown; }

# vol_image: $IMG_TAR, the busybox rootfs with /data (owned 1234:2345, mode
# 0750) holding f (0640) and sub/g (owned 0:0), imported as vol:1 with
# VOLUME /data
vol_image() {
	local d
	d=$(user_tmpdir)
	cp -a "$ROOTFS_PRISTINE" "$d/root"
	mkdir -p "$d/root/data/sub"
	echo from-image > "$d/root/data/f"
	echo nested > "$d/root/data/sub/g"
	chown -R 1234:2345 "$d/root/data"
	chown 0:0 "$d/root/data/sub/g"
	chmod 0750 "$d/root/data"
	chmod 0640 "$d/root/data/f"
	IMG_TAR=$d/vol.tar
	tar -C "$d/root" --numeric-owner -cf "$IMG_TAR" .
	chmod 0644 "$IMG_TAR"
	warren import --change "VOLUME /data" "$IMG_TAR" vol:1 >/dev/null
}

@test "a foreground run without --rm is kept: ps -a, logs, inspect, start -a, rm" {
	run --separate-stderr warren run --rootfs "$ROOTFS" sh -c 'echo out; echo err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	[ "$stderr" = err ]
	# Docker keeps the exited container, under a generated name
	run warren ps -a --format '{{.Names}}|{{.Status}}'
	[ "${#lines[@]}" -eq 1 ]
	name=${output%%|*}
	[[ "${output#*|}" =~ ^Exited\ \(3\) ]]
	run warren ps --format '{{.Names}}'
	[ -z "$output" ]
	run warren logs "$name"
	[ "$output" = "out
err" ]
	run warren inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name"
	[ "$output" = "exited 3" ]
	# it starts again, with the same command
	run --separate-stderr warren start -a "$name"
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	warren rm "$name"
	[ -z "$(warren ps -aq)" ]
}

@test "run -d --init returns once the container runs; a kept --init run gives its exit code" {
	# the init used to keep the monitor's ready pipe open: run -d waited
	# for the container to end (the bound is generous, not a timing check)
	run as_user timeout 120 "$WARREN" run -d --name in --init --rootfs "$ROOTFS" sleep infinity
	[ "$status" -eq 0 ]
	[ "$(state in)" = running ]
	run warren run --init --rootfs "$ROOTFS" sh -c 'exit 4'
	[ "$status" -eq 4 ]
	[ "$(warren ps -a --filter status=exited -q | wc -l)" -eq 1 ]
}

@test "run --rm leaves no container and no anonymous volume; named volumes stay" {
	run warren run --rm -v /anon -v named:/n --rootfs "$ROOTFS" sh -c 'echo x > /anon/f; echo ok'
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	[ -z "$(warren ps -aq)" ]
	[ "$(warren volume ls -q)" = named ]
	# the same with a recorded --rm run (a name makes one)
	run warren run --rm --name r --mount type=volume,target=/anon2 --rootfs "$ROOTFS" true
	[ "$status" -eq 0 ]
	[ -z "$(warren ps -aq)" ]
	[ "$(warren volume ls -q)" = named ]
}

@test "the image's VOLUME is an anonymous volume: rm keeps it, rm -v and --rm remove it" {
	vol_image
	warren run vol:1 true
	[ "$(warren volume ls -q | wc -l)" -eq 1 ]
	warren rm "$(warren ps -aq)"
	[ "$(warren volume ls -q | wc -l)" -eq 1 ]
	warren volume prune -f >/dev/null
	warren run vol:1 true
	warren rm -v "$(warren ps -aq)"
	[ -z "$(warren volume ls -q)" ]
	run warren run --rm vol:1 cat /data/f
	[ "$output" = from-image ]
	[ -z "$(warren volume ls -q)" ]
}

@test "a new volume gets the image's content with owners and modes, as in podman" {
	vol_image
	run warren run --rm -v nv:/data vol:1 sh -c "$TREE_CMD"
	[ "$status" -eq 0 ]
	warren_tree=$output
	[[ "$warren_tree" == *"./f 1234:2345 640 regular file"* ]]
	[[ "$warren_tree" == *". 1234:2345 750 directory"* ]]
	# the anonymous volume of VOLUME /data and --mount's the same way
	run warren run --rm vol:1 sh -c "$TREE_CMD"
	[ "$output" = "$warren_tree" ]
	run warren run --rm --mount type=volume,source=mv,target=/data vol:1 sh -c "$TREE_CMD"
	[ "$output" = "$warren_tree" ]
	podman_u import -q --change "VOLUME /data" "$IMG_TAR" localhost/vol:1 >/dev/null
	run podman_u run --rm --network none -v pv:/data localhost/vol:1 sh -c "$TREE_CMD"
	[ "$status" -eq 0 ]
	[ "$output" = "$warren_tree" ]
	# a volume that holds something is not filled again
	warren run --rm -v nv:/data vol:1 rm /data/f
	run warren run --rm -v nv:/data vol:1 ls /data
	[ "$output" = sub ]
}

@test "nocopy: -v NAME:DST:nocopy and --mount volume-nocopy leave a new volume empty" {
	vol_image
	run warren run --rm -v nc:/data:nocopy vol:1 ls -A /data
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run warren run --rm --mount type=volume,src=nc2,dst=/data,volume-nocopy vol:1 ls -A /data
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run warren run --rm --mount type=volume,src=nc3,dst=/data,volume-nocopy=false vol:1 ls -A /data
	[ "$output" = "f
sub" ]
}

@test "--mount type=bind, volume and tmpfs with Docker's keys" {
	d=$(user_tmpdir)
	chown "$TEST_USER" "$d"
	echo host > "$d/h"
	run warren run --rm --mount "type=bind,source=$d,target=/b" --rootfs "$ROOTFS" \
		sh -c 'cat /b/h; echo c > /b/c'
	[ "$output" = host ]
	[ "$(cat "$d/c")" = c ]
	run warren run --rm --mount "type=bind,src=$d,dst=/b,readonly" --rootfs "$ROOTFS" \
		sh -c 'echo x > /b/x'
	[ "$status" -ne 0 ]
	[ ! -e "$d/x" ]
	run warren run --rm --mount "type=bind,src=$d,destination=/b,ro=true" --rootfs "$ROOTFS" \
		sh -c 'echo x > /b/x'
	[ "$status" -ne 0 ]
	warren run --rm --mount type=volume,source=mvol,target=/v --rootfs "$ROOTFS" sh -c 'echo kept > /v/k'
	run warren run --rm -v mvol:/w --rootfs "$ROOTFS" cat /w/k
	[ "$output" = kept ]
	run warren run --rm --mount type=tmpfs,destination=/t,tmpfs-size=1m,tmpfs-mode=1770 \
		--rootfs "$ROOTFS" sh -c 'stat -c %a /t; grep " /t " /proc/mounts'
	[ "${lines[0]}" = 1770 ]
	[[ "${lines[1]}" == *tmpfs*size=1024k* ]]
	[[ "${lines[1]}" == *nosuid*nodev*noexec* ]]
}

@test "--mount with a bad or unknown key is one line and exit 125; the store is untouched" {
	for m in "type=bind,source=/tmp,target=/x,bogus=1" "type=nfs,target=/x" "source=v" \
		"type=volume,src=v,dst=/x,readonly=maybe" "type=bind,target=/x" \
		"type=bind,src=/nonexistent-src,dst=/x" "type=tmpfs,dst=/t,tmpfs-size=lots" \
		"type=bind,src=/tmp,dst=/x,volume-nocopy" "type=volume,src=v,dst=/x,tmpfs-mode=700" \
		"type=volume,src=bad/name,dst=/x" "type=volume,dst=rel" "type=volume,dst=/x,nokey"; do
		run --separate-stderr warren run --rm --mount "$m" -v named:/n --rootfs "$ROOTFS" true
		echo "$m: $stderr"
		[ "$status" -eq 125 ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	done
	[[ "$stderr" == *nokey* ]]
	run --separate-stderr warren run --rm --mount type=bind,source=/tmp,target=/x,bogus=1 --rootfs "$ROOTFS" true
	[[ "$stderr" == *'unknown key "bogus"'* ]]
	run --separate-stderr warren create --volumes-from nosuch --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *nosuch* ]]
	run --separate-stderr warren run -v named:/n:bogus --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[ -z "$(warren volume ls -q)" ]
	[ -z "$(warren ps -aq)" ]
}

@test "--volumes-from mounts another container's volumes and binds; :ro makes them read-only" {
	d=$(user_tmpdir)
	chown "$TEST_USER" "$d"
	warren create --name src -v shared:/s -v /anon -v "$d:/h" --tmpfs /t --rootfs "$ROOTFS" true >/dev/null
	run warren run --rm --volumes-from src --rootfs "$ROOTFS" \
		sh -c 'echo 1 > /s/a && echo 2 > /anon/b && echo 3 > /h/c && grep -c " /t " /proc/mounts'
	[ "$output" = 0 ]
	[ "$(cat "$d/c")" = 3 ]
	run warren run --rm --volumes-from src:ro --rootfs "$ROOTFS" sh -c 'cat /s/a /anon/b; echo x > /s/x'
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = 2 ]
	# --rm of the borrower does not take the anonymous volume it borrowed
	[ "$(warren volume ls -q | wc -l)" -eq 2 ]
	warren rm -v src
	[ "$(warren volume ls -q)" = shared ]
}

@test "-t sets TERM=xterm (run and exec -it) unless -e TERM or the image's ENV sets it" {
	# without -t there is no TERM, as in Docker
	run warren run --rm --rootfs "$ROOTFS" sh -c 'echo "T=$TERM"'
	[ "$output" = "T=" ]
	tmux_start "$WARREN run -t --rm --rootfs $ROOTFS sh -c 'echo T1=\$TERM'; $WARREN run -t --rm -e TERM=vt100 --rootfs $ROOTFS sh -c 'echo T2=\$TERM'"
	tmux_wait_for "T1=xterm"
	tmux_wait_for "T2=vt100"
	warren run -d --name e --rootfs "$ROOTFS" sleep infinity >/dev/null
	tmux_start "$WARREN exec -it e sh -c 'echo T3=\$TERM'; $WARREN exec -it -e TERM=linux e sh -c 'echo T4=\$TERM'"
	tmux_wait_for "T3=xterm"
	tmux_wait_for "T4=linux"
	d=$(user_tmpdir)
	tar -C "$ROOTFS_PRISTINE" -cf "$d/t.tar" .
	chmod 0644 "$d/t.tar"
	warren import --change "ENV TERM=dumb" "$d/t.tar" termimg:1 >/dev/null
	tmux_start "$WARREN run -t --rm termimg:1 sh -c 'echo T5=\$TERM'"
	tmux_wait_for "T5=dumb"
}
