#!/usr/bin/env bats
# SquashFS images: `save --format squashfs` writes an image's root as one
# file, `run FILE.sqsh` mounts it with squashfuse under a writable layer.
# The reference is the same image run from the store: the file must show
# the same tree (owners, modes, types, sizes, link targets, hard links) and
# behave the same (its config), for a user with subordinate IDs and for one
# without.

load helpers
load images_helpers

setup() {
	fresh_store
	SQ_DIR=$(user_tmpdir)
	chmod 0777 "$SQ_DIR"
}
teardown() { common_teardown; }

# the tree a container shows, one line an entry: path, owner, mode, type,
# size (none for directories, whose size is the filesystem's), symlink
# target, and "=FIRST" where the entry is a hard link of an earlier one
# (the same device and inode)
MANIFEST='find / -xdev -exec stat -c "%n %u:%g %a %F %s %N %d:%i" {} +'
manifest_of() {
	sort | awk '{ ino = $NF; $NF = ""; if ($4 == "directory") $5 = "-"
		if (ino in first) print $0 "=" first[ino]; else { first[ino] = $1; print } }'
}

# no_sqsh_procs USER: no squashfuse_ll process of USER is left (bounded
# wait: each ends after its container)
no_sqsh_procs() {
	local i
	for ((i = 0; i < 100; i++)); do
		pgrep -u "$1" squashfuse_ll >/dev/null || return 0
		sleep 0.1
	done
	pgrep -a -u "$1" squashfuse_ll >&2
	return 1
}

# containers in the store: record or writable-layer directories
store_containers() { find "$1/containers" -mindepth 1 -maxdepth 1 ! -name names 2>/dev/null | wc -l; }

@test "save --format squashfs then run FILE shows the image's tree, as the user with ranges" {
	warren_s pull -q "$REG/warren/layers"
	run warren_s save --format squashfs -o "$SQ_DIR/layers.sqsh" "$REG/warren/layers"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	warren_s run --rm "$REG/warren/layers" sh -c "$MANIFEST" | manifest_of >"$SQ_DIR/image.txt"
	warren_s run --rm "$SQ_DIR/layers.sqsh" sh -c "$MANIFEST" | manifest_of >"$SQ_DIR/sqsh.txt"
	# the fixture's varied entries are there, so the comparison means something
	grep -qx '/data/replaced 65534:65534 600 regular file 3 /data/replaced ' "$SQ_DIR/image.txt"
	grep -q '^/data/newdir/f .*=/data/hl3$' "$SQ_DIR/image.txt"
	grep -q "^/data/link .* -> 'replaced'" "$SQ_DIR/image.txt"
	! grep -q '^/data/gone ' "$SQ_DIR/image.txt"
	diff "$SQ_DIR/image.txt" "$SQ_DIR/sqsh.txt"
	# the same under warren-overlay, the driver where the kernel's overlay
	# cannot be mounted over squashfuse
	warren_s --storage-driver fuse-overlay run --rm "$SQ_DIR/layers.sqsh" sh -c "$MANIFEST" |
		manifest_of >"$SQ_DIR/sqsh-fuse.txt"
	diff "$SQ_DIR/image.txt" "$SQ_DIR/sqsh-fuse.txt"
	# the file's content, as cat reads it, and the writable layer on top
	run warren_s run --rm "$SQ_DIR/layers.sqsh" sh -c 'cat /data/hl1 /data/replaced; echo new >/data/keep; cat /data/keep'
	[ "$status" -eq 0 ]
	[ "$output" = $'changed\nv2\nnew' ]
	[ "$(store_containers "$STORE")" -eq 0 ]
	no_sqsh_procs "$TEST_USER"
}

@test "save --format squashfs then run FILE shows the image's tree, as the single-ID user" {
	local d
	d=$(user_tmpdir)
	chown "$NOSUB_USER" "$d"
	as_nosub "$WARREN" --root "$d/store" pull -q "$REG/warren/layers"
	run as_nosub "$WARREN" --root "$d/store" save --format squashfs -o "$SQ_DIR/nosub.sqsh" "$REG/warren/layers"
	[ "$status" -eq 0 ]
	as_nosub "$WARREN" --root "$d/store" run --rm "$REG/warren/layers" sh -c "$MANIFEST" 2>/dev/null |
		manifest_of >"$SQ_DIR/image.txt"
	as_nosub "$WARREN" --root "$d/store" run --rm "$SQ_DIR/nosub.sqsh" sh -c "$MANIFEST" 2>/dev/null |
		manifest_of >"$SQ_DIR/sqsh.txt"
	grep -q '^/data/newdir/f .*=/data/hl3$' "$SQ_DIR/image.txt"
	diff "$SQ_DIR/image.txt" "$SQ_DIR/sqsh.txt"
	# the file keeps the image's owners although its maker could not map
	# them: the user with ranges sees them as from its own unpacked image
	warren_s pull -q "$REG/warren/layers"
	warren_s run --rm "$REG/warren/layers" sh -c "$MANIFEST" | manifest_of >"$SQ_DIR/image-u.txt"
	warren_s run --rm "$SQ_DIR/nosub.sqsh" sh -c "$MANIFEST" | manifest_of >"$SQ_DIR/sqsh-u.txt"
	diff "$SQ_DIR/image-u.txt" "$SQ_DIR/sqsh-u.txt"
	no_sqsh_procs "$NOSUB_USER"
}

@test "the image's config travels in the file: entrypoint, cmd, user, workdir, env" {
	warren_s pull -q "$REG/warren/config"
	warren_s save --format squashfs -o "$SQ_DIR/config.sqsh" "$REG/warren/config"
	local probe='id; pwd; env | grep -v ^HOSTNAME= | sort' src image file
	for src in "$REG/warren/config" "$SQ_DIR/config.sqsh"; do
		warren_s run --rm "$src"
		warren_s run --rm "$src" more args
		warren_s run --rm --entrypoint /bin/sh "$src" -c "$probe"
	done >"$SQ_DIR/out" 2>&1
	image=$(head -n $(($(wc -l <"$SQ_DIR/out") / 2)) "$SQ_DIR/out")
	file=$(tail -n $(($(wc -l <"$SQ_DIR/out") / 2)) "$SQ_DIR/out")
	echo "image: $image"
	echo "file: $file"
	[ "$image" = "$file" ]
	[[ "$image" == "ep default-arg"$'\n'"ep more args"$'\n'"uid=1000"* ]]
	[[ "$image" == *$'\n'/home/tester/work$'\n'* ]]
	[[ "$image" == *"GREETING=hi there"* ]]
}

@test "two containers of one file at once, detached, with exec; rm leaves no mount" {
	warren_s pull -q "$REG/warren/shared"
	warren_s save --format squashfs -o "$SQ_DIR/s.sqsh" "$REG/warren/shared"
	a=$(warren_s run -d "$SQ_DIR/s.sqsh" sleep 600)
	b=$(warren_s run -d "$SQ_DIR/s.sqsh" sleep 600)
	run warren_s exec "$a" sh -c 'echo a >/mine; cat /shared'
	[ "$status" -eq 0 ]
	[ "$output" = "shared" ]
	run warren_s exec "$b" sh -c 'echo b >/mine; cat /shared'
	[ "$output" = "shared" ]
	[ "$(warren_s exec "$a" cat /mine)" = a ]
	[ "$(warren_s exec "$b" cat /mine)" = b ]
	# each its own mount
	pgrep -a -u "$TEST_USER" squashfuse_ll
	pgrep -u "$TEST_USER" -f "squashfuse_ll .*/containers/$a/sqsh"
	pgrep -u "$TEST_USER" -f "squashfuse_ll .*/containers/$b/sqsh"
	run warren_s ps --format '{{.Image}}'
	[ "${lines[0]}" = "$SQ_DIR/s.sqsh" ]
	warren_s rm -f "$a" "$b"
	no_sqsh_procs "$TEST_USER"
	[ "$(store_containers "$STORE")" -eq 0 ]
	# create and start: the record keeps the file
	warren_s create --name c "$SQ_DIR/s.sqsh" cat /shared
	run warren_s start -a c
	[ "$output" = "shared" ]
	warren_s rm c
	no_sqsh_procs "$TEST_USER"
}

@test "diff and export of a stopped container of a file match the image container's; commit is refused" {
	warren_s pull -q "$REG/warren/layers"
	warren_s save --format squashfs -o "$SQ_DIR/layers.sqsh" "$REG/warren/layers"
	local change='echo x >/data/keep; rm /data/hl1; mkdir /new; ln /data/hl3 /new/hl4'
	warren_s run --name fromimage "$REG/warren/layers" sh -c "$change"
	warren_s run --name fromfile "$SQ_DIR/layers.sqsh" sh -c "$change"
	run warren_s diff fromimage
	[ "$status" -eq 0 ]
	[[ "$output" == *"D /data/hl1"* ]]
	[ "$(warren_s diff fromfile)" = "$output" ]
	warren_s export fromimage | tar -tv --numeric-owner | awk '{ print $1, $2, $3, $6, $7, $8 }' | sort >"$SQ_DIR/image.txt"
	warren_s export fromfile | tar -tv --numeric-owner | awk '{ print $1, $2, $3, $6, $7, $8 }' | sort >"$SQ_DIR/file.txt"
	grep -q ' data/keep ' "$SQ_DIR/image.txt"
	diff "$SQ_DIR/image.txt" "$SQ_DIR/file.txt"
	run warren_s commit fromfile fromfile-img
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"SquashFS file"* ]]
	warren_s rm fromimage fromfile
	no_sqsh_procs "$TEST_USER"
}

@test "a truncated, a non-SquashFS or a missing file: one line, exit 125, nothing left" {
	warren_s pull -q "$REG/warren/shared"
	warren_s save --format squashfs -o "$SQ_DIR/s.sqsh" "$REG/warren/shared"
	head -c $(($(stat -c %s "$SQ_DIR/s.sqsh") / 2)) "$SQ_DIR/s.sqsh" >"$SQ_DIR/half.sqsh"
	head -c 100000 /dev/urandom >"$SQ_DIR/random.img"
	echo hello >"$SQ_DIR/text.sqsh"
	chmod 0644 "$SQ_DIR"/*
	for f in "$SQ_DIR/half.sqsh" "$SQ_DIR/random.img" "$SQ_DIR/text.sqsh" ./missing.sqsh "$SQ_DIR"; do
		for cmd in run create; do
			run warren_s "$cmd" "$f" true
			echo "$cmd $f: $status $output"
			[ "$status" -eq 125 ]
			[ "${#lines[@]}" -eq 1 ]
			[[ "$output" == *"${f##*/}"* ]]
		done
	done
	[[ "$(warren_s run "$SQ_DIR/half.sqsh" true 2>&1)" == *"is truncated"* ]]
	[[ "$(warren_s run "$SQ_DIR/random.img" true 2>&1)" == *"not a SquashFS image"* ]]
	[ "$(store_containers "$STORE")" -eq 0 ]
	[ -z "$(warren_s ps -aq)" ]
	no_sqsh_procs "$TEST_USER"
}

@test "save --format squashfs: an unwritable place, an unknown format, no -o: one line, exit 1, no file" {
	warren_s pull -q "$REG/warren/shared"
	mkdir "$SQ_DIR/ro"
	chmod 0555 "$SQ_DIR/ro"
	run warren_s save --format squashfs -o "$SQ_DIR/ro/x.sqsh" "$REG/warren/shared"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"$SQ_DIR/ro/x.sqsh"*"Permission denied"* ]]
	run warren_s save --format squashfs -o "$SQ_DIR/none/x.sqsh" "$REG/warren/shared"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	run warren_s save --format sqfs -o "$SQ_DIR/x.sqsh" "$REG/warren/shared"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *'invalid --format "sqfs"'*squashfs* ]]
	run warren_s save --format squashfs "$REG/warren/shared"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ -z "$(ls -A "$SQ_DIR/ro")" ]
	[ "$(ls -A "$SQ_DIR")" = ro ]
}
