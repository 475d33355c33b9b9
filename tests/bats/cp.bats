#!/usr/bin/env bats
# cp, export and diff as the unprivileged test user: both cp directions on
# running and stopped containers (--rootfs and image ones), owners, "-"
# streams, paths that try to leave the container's root, export round
# trips through import, diff's A/C/D lines.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() {
	lc_setup
	HOSTDIR=$(user_tmpdir)
	chown "$TEST_USER:$TEST_GID" "$HOSTDIR"
}
teardown() { lc_teardown; }

# host_file PATH TEXT: a file the test user owns
host_file() {
	mkdir -p "$(dirname "$1")"
	printf '%s\n' "$2" > "$1"
	chown -R "$TEST_USER:$TEST_GID" "$HOSTDIR"
}

# --- out of a container ------------------------------------------------------

@test "cp out of a running container: a file and a directory, owned by the caller" {
	warren run -d --name c --rootfs "$ROOTFS" sh -c 'mkdir -p /data/sub; echo inside > /data/sub/f; sleep infinity'
	sleep 0.3
	warren cp c:/etc/passwd "$HOSTDIR/passwd"
	cmp "$ROOTFS/etc/passwd" "$HOSTDIR/passwd"
	[ "$(stat -c %U "$HOSTDIR/passwd")" = "$TEST_USER" ]
	warren cp c:/data "$HOSTDIR/copy"
	[ "$(cat "$HOSTDIR/copy/sub/f")" = inside ]
	[ "$(stat -c %U "$HOSTDIR/copy/sub/f")" = "$TEST_USER" ]
	# into an existing directory: under its own name
	warren cp c:/data "$HOSTDIR/copy"
	[ "$(cat "$HOSTDIR/copy/data/sub/f")" = inside ]
	# SRC/. copies what is inside
	mkdir "$HOSTDIR/contents" && chown "$TEST_USER" "$HOSTDIR/contents"
	warren cp c:/data/. "$HOSTDIR/contents"
	[ "$(cat "$HOSTDIR/contents/sub/f")" = inside ]
}

@test "cp out of a stopped container, and to stdout as a tar stream" {
	warren run --name c --rootfs "$ROOTFS" sh -c 'mkdir /data; echo kept > /data/f; ln -s f /data/l'
	[ "$(state c)" = exited ]
	warren cp c:/data/f "$HOSTDIR/f"
	[ "$(cat "$HOSTDIR/f")" = kept ]
	run --separate-stderr as_user sh -c "'$WARREN' cp c:/data - | tar -tvf -"
	[ "$status" -eq 0 ]
	[[ "$output" == *" data/"* ]]
	[[ "$output" == *" data/f"* ]]
	[[ "$output" == *"data/l -> f"* ]]
	run as_user sh -c "'$WARREN' cp c:/data/f - | tar -xOf -"
	[ "$output" = kept ]
}

@test "cp -L follows a symlink given as the source; without it the link is copied" {
	warren run --name c --rootfs "$ROOTFS" sh -c 'echo target > /t; ln -s /t /link'
	warren cp c:/link "$HOSTDIR/nofollow"
	[ -L "$HOSTDIR/nofollow" ]
	[ "$(readlink "$HOSTDIR/nofollow")" = /t ]
	warren cp -L c:/link "$HOSTDIR/follow"
	[ ! -L "$HOSTDIR/follow" ]
	[ "$(cat "$HOSTDIR/follow")" = target ]
	# into a directory: the target under the link's name
	mkdir "$HOSTDIR/into" && chown "$TEST_USER" "$HOSTDIR/into"
	warren cp -L c:/link "$HOSTDIR/into"
	[ "$(cat "$HOSTDIR/into/link")" = target ]
	[ ! -e "$HOSTDIR/into/t" ]
	# and from the host into the container
	host_file "$HOSTDIR/hosttarget" fromhost
	ln -s hosttarget "$HOSTDIR/hostlink"
	warren cp -L "$HOSTDIR/hostlink" c:/tmp/
	warren cp "$HOSTDIR/hostlink" c:/
	[ "$(cat "$ROOTFS/tmp/hostlink")" = fromhost ]
	[ "$(readlink "$ROOTFS/hostlink")" = hosttarget ]
}

# --- into a container --------------------------------------------------------

@test "cp into a running container: files belong to the container's root, -a keeps the owner" {
	host_file "$HOSTDIR/src/f" hello
	host_file "$HOSTDIR/src/dir/sub/g" deep
	warren run -d --name c --rootfs "$ROOTFS" sleep infinity
	warren cp "$HOSTDIR/src/f" c:/tmp/
	warren cp "$HOSTDIR/src/f" c:/tmp/renamed
	warren cp "$HOSTDIR/src/dir" c:/tmp/
	warren cp "$HOSTDIR/src/dir" c:/tmp/newdir
	warren cp -a "$HOSTDIR/src/f" c:/tmp/archived
	run warren exec c cat /tmp/f /tmp/renamed /tmp/dir/sub/g /tmp/newdir/sub/g
	[ "$output" = "$(printf 'hello\nhello\ndeep\ndeep')" ]
	run warren exec c stat -c '%u:%g' /tmp/f /tmp/dir/sub /tmp/dir/sub/g /tmp/newdir
	[ "$output" = "$(printf '0:0\n0:0\n0:0\n0:0')" ]
	run warren exec c stat -c '%u:%g' /tmp/archived
	[ "$output" = "$TEST_UID:$TEST_GID" ]
	# the container's root is the test user on the host; -a's owner a subordinate ID
	[ "$(stat -c %u "$ROOTFS/tmp/f")" = "$TEST_UID" ]
	[ "$(stat -c %u "$ROOTFS/tmp/archived")" = "$((TEST_SUBUID_START + TEST_UID - 1))" ]
}

@test "cp into a stopped container; the file is there when it starts" {
	host_file "$HOSTDIR/f" offline
	warren create --name c --rootfs "$ROOTFS" cat /f
	warren cp "$HOSTDIR/f" c:/f
	[ "$(state c)" = created ]
	run warren start -a c
	[ "$output" = offline ]
}

@test "cp - extracts a tar stream from stdin into a directory; a file destination is refused" {
	host_file "$HOSTDIR/tree/a/b" streamed
	warren run -d --name c --rootfs "$ROOTFS" sleep infinity
	as_user sh -c "tar -C '$HOSTDIR/tree' -cf - a | '$WARREN' cp - c:/root"
	run warren exec c sh -c 'cat /root/a/b; stat -c %u /root/a/b'
	[ "$output" = "$(printf 'streamed\n0')" ]
	run --separate-stderr as_user sh -c "tar -C '$HOSTDIR/tree' -cf - a | '$WARREN' cp - c:/etc/passwd"
	one_line_err
	[[ "$stderr" == *"must be a directory"* ]]
	cmp "$ROOTFS_PRISTINE/etc/passwd" "$ROOTFS/etc/passwd"
}

@test "cp follows Docker's rules: a directory onto a file or into a missing directory is refused" {
	host_file "$HOSTDIR/dir/f" x
	warren create --name c --rootfs "$ROOTFS" true
	run --separate-stderr warren cp "$HOSTDIR/dir" c:/etc/passwd
	one_line_err
	[[ "$stderr" == *"cannot copy a directory to a file"* ]]
	run --separate-stderr warren cp "$HOSTDIR/dir/f" c:/nowhere/
	one_line_err
	run --separate-stderr warren cp c:/etc "$HOSTDIR/dir/f"
	one_line_err
	[ "$(cat "$HOSTDIR/dir/f")" = x ]
	[ ! -e "$ROOTFS/nowhere" ]
	cmp "$ROOTFS_PRISTINE/etc/passwd" "$ROOTFS/etc/passwd"
}

# --- paths that try to leave the container's root ----------------------------

@test "cp refuses ../ that climbs above the container's root, both ways, and changes nothing" {
	host_file "$HOSTDIR/f" intruder
	warren run -d --name c --rootfs "$ROOTFS" sleep infinity
	run --separate-stderr warren cp c:../../etc/passwd "$HOSTDIR/out"
	one_line_err
	[[ "$stderr" == *"leaves the container's root"* ]]
	[ ! -e "$HOSTDIR/out" ]
	run --separate-stderr warren cp c:/tmp/../../../etc/shadow "$HOSTDIR/out"
	one_line_err
	run --separate-stderr warren cp "$HOSTDIR/f" c:../../../../../tmp/escaped
	one_line_err
	[ ! -e /tmp/escaped ]
	[ -z "$(find "$WARREN_BATS_TMP" -name escaped)" ]
}

@test "cp resolves symlinks as if the container's root were /: /etc is the container's, ../.. out is refused" {
	warren run -d --name c --rootfs "$ROOTFS" sh -c \
		'echo CONTAINER > /etc/marker; ln -s /etc /abs; mkdir -p /a/b; ln -s ../../../../.. /a/b/up; sleep infinity'
	sleep 0.3
	echo HOST > "$HOSTDIR/marker"
	run as_user sh -c "'$WARREN' cp c:/abs/marker - | tar -xOf -"
	[ "$output" = CONTAINER ]
	# an absolute symlink as the destination lands inside the container too
	host_file "$HOSTDIR/in" via-link
	warren cp "$HOSTDIR/in" c:/abs/in
	[ "$(cat "$ROOTFS/etc/in")" = via-link ]
	run --separate-stderr warren cp c:/a/b/up/etc/passwd "$HOSTDIR/out"
	one_line_err
	[[ "$stderr" == *"leaves the container's root"* ]]
	[ ! -e "$HOSTDIR/out" ]
	run --separate-stderr warren cp "$HOSTDIR/in" c:/a/b/up/tmp/escaped
	one_line_err
	[ -z "$(find "$WARREN_BATS_TMP" /tmp -maxdepth 4 -name escaped 2>/dev/null)" ]
}

@test "cp of a directory holding a symlink to / writes the link, never through it" {
	warren run --name c --rootfs "$ROOTFS" sh -c 'mkdir /d; ln -s / /d/root; ln -s /etc /d/etc'
	warren cp c:/d "$HOSTDIR/d"
	[ "$(readlink "$HOSTDIR/d/root")" = / ]
	[ "$(readlink "$HOSTDIR/d/etc")" = /etc ]
}

@test "cp: unknown container, two containers, no container: one line, exit 1" {
	run --separate-stderr warren cp nosuch:/etc "$HOSTDIR/x"
	one_line_err
	[[ "$stderr" == *nosuch* ]]
	run --separate-stderr warren cp a:/x b:/y
	one_line_err
	[[ "$stderr" == *"between containers"* ]]
	run --separate-stderr warren cp "$HOSTDIR/a" "$HOSTDIR/b"
	one_line_err
	warren create --name c --rootfs "$ROOTFS" true
	run --separate-stderr warren cp c:/no/such/file "$HOSTDIR/x"
	one_line_err
	[[ "$stderr" == *"no such file or directory"* ]]
}

# --- image containers ----------------------------------------------------------

@test "cp in and out of an image container, running and stopped; its writable layer keeps the files" {
	base_image
	host_file "$HOSTDIR/f" layered
	warren run -d --name c base:1 sleep infinity
	warren cp "$HOSTDIR/f" c:/etc/
	run warren exec c sh -c 'cat /etc/f; stat -c %u:%g /etc/f'
	[ "$output" = "$(printf 'layered\n0:0')" ]
	warren stop -t 0 c
	warren cp c:/etc/f "$HOSTDIR/back"
	[ "$(cat "$HOSTDIR/back")" = layered ]
	host_file "$HOSTDIR/g" stopped
	warren cp "$HOSTDIR/g" c:/g
	warren start c
	run warren exec c cat /g /etc/f
	[ "$output" = "$(printf 'stopped\nlayered')" ]
	# the image itself is unchanged
	run warren run --rm base:1 ls /g /etc/f
	[ "$status" -ne 0 ]
}

# --- export --------------------------------------------------------------------

@test "export writes the whole filesystem; import of it runs with the changes" {
	warren run -d --name c --rootfs "$ROOTFS" sh -c 'echo exported > /made; sleep infinity'
	sleep 0.3
	warren export -o "$HOSTDIR/c.tar" c
	run tar -tf "$HOSTDIR/c.tar"
	[[ "$output" == *"bin/busybox"* ]]
	[[ "$output" == *"made"* ]]
	# mounts are empty entries: /proc, not the host's processes
	[[ "$output" == *"proc/"* ]]
	! tar -tf "$HOSTDIR/c.tar" | grep -q '^proc/1/'
	warren import "$HOSTDIR/c.tar" exported:1
	run warren run --rm exported:1 cat /made
	[ "$output" = exported ]
}

@test "export of a stopped image container to stdout; an unknown container is refused and no file is left" {
	base_image
	warren run --name c base:1 sh -c 'echo layer > /l; rm /etc/group'
	run as_user sh -c "'$WARREN' export c | tar -tf -"
	[ "$status" -eq 0 ]
	[[ "$output" == *"l"* ]]
	[[ "$output" == *"etc/passwd"* ]]
	[[ "$output" != *"etc/group"* ]]
	run --separate-stderr warren export nosuch
	one_line_err
	run --separate-stderr warren export -o "$HOSTDIR/x.tar" nosuch
	one_line_err
	[ ! -e "$HOSTDIR/x.tar" ]
}

@test "export of a stopped container has what its image holds under a VOLUME, not the volume's files" {
	# Docker's export reference: "If a volume is mounted on top of an existing
	# directory in the container, docker export will export the contents of
	# the underlying directory, not the contents of the volume."
	local d
	d=$(user_tmpdir)
	mkdir -p "$d/root"
	tar -C "$ROOTFS_PRISTINE" -cf - . | tar -C "$d/root" -xf -
	mkdir "$d/root/vol" && echo seed > "$d/root/vol/seed"
	tar -C "$d/root" -czf "$d/rootfs.tgz" .
	chown "$TEST_USER" "$d/rootfs.tgz"
	warren import --change 'VOLUME /vol' "$d/rootfs.tgz" vol:1 > /dev/null
	warren run --name c vol:1 sh -c 'echo in-volume > /vol/written'
	run as_user sh -c "'$WARREN' export c | tar -tf -"
	[ "$status" -eq 0 ]
	[[ "$output" == *"vol/seed"* ]]
	[[ "$output" != *"vol/written"* ]]
}

# --- diff ----------------------------------------------------------------------

@test "diff shows A, C and D, parents of changes as C, running and stopped" {
	base_image
	warren run -d --name c base:1 sleep infinity
	warren exec c sh -c 'echo x > /new; echo y >> /etc/passwd; rm /etc/group; mkdir -p /var/a/b; touch /var/a/b/f'
	run --separate-stderr warren diff c
	[ "$status" -eq 0 ]
	expected='C /etc
D /etc/group
C /etc/passwd
A /new
C /var
A /var/a
A /var/a/b
A /var/a/b/f'
	[ "$output" = "$expected" ]
	warren stop -t 0 c
	run warren diff c
	[ "$output" = "$expected" ]
}

@test "diff of an untouched container is empty; of a --rootfs container one line, exit 1" {
	base_image
	warren create --name c base:1 true
	run warren diff c
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	warren create --name r --rootfs "$ROOTFS" true
	run --separate-stderr warren diff r
	one_line_err
	[[ "$stderr" == *"--rootfs"* ]]
	run --separate-stderr warren diff nosuch
	one_line_err
}

@test "cp reaches a volume of a running and of a stopped container" {
	mkdir "$HOSTDIR/vol"
	host_file "$HOSTDIR/f" into-volume
	warren run -d --name c -v "$HOSTDIR/vol:/vol" --rootfs "$ROOTFS" sleep infinity
	warren cp "$HOSTDIR/f" c:/vol/running
	[ "$(cat "$HOSTDIR/vol/running")" = into-volume ]
	warren stop -t 0 c
	warren cp "$HOSTDIR/f" c:/vol/stopped
	[ "$(cat "$HOSTDIR/vol/stopped")" = into-volume ]
	[ ! -e "$ROOTFS/vol/stopped" ]
	warren cp c:/vol/running "$HOSTDIR/back"
	[ "$(cat "$HOSTDIR/back")" = into-volume ]
}

@test "diff of a directory removed and made again: what the image had there is D, the new entries A" {
	base_image
	[ -d "$ROOTFS_PRISTINE/home/tester" ]
	warren run --name c base:1 sh -c 'rm -rf /home; mkdir /home; echo x > /home/new'
	run warren diff c
	[ "$output" = "$(printf 'C /home\nD /home/tester\nA /home/new')" ]
	warren run --name d base:1 sh -c 'rm -rf /home; mkdir -p /home/tester'
	run warren diff d
	[ "$output" = "$(printf 'C /home\nA /home/tester')" ]
}

@test "cp, export and diff on each storage driver (overlay, fuse-overlay, vfs)" {
	base_image
	host_file "$HOSTDIR/f" driven
	export AS_USER_ENV=WARREN_STORAGE_DRIVER
	for WARREN_STORAGE_DRIVER in overlay fuse-overlay vfs; do
		export WARREN_STORAGE_DRIVER
		d=$WARREN_STORAGE_DRIVER
		warren run -d --name "$d" base:1 sleep infinity
		warren exec "$d" sh -c 'rm /etc/group; echo n > /n'
		warren cp "$HOSTDIR/f" "$d:/running"
		warren stop -t 0 "$d"
		warren cp "$HOSTDIR/f" "$d:/stopped"
		run as_user sh -c "'$WARREN' cp $d:/n - | tar -xOf -"
		[ "$output" = n ]
		run as_user sh -c "'$WARREN' export $d | tar -tf -"
		[[ "$output" == *stopped* ]]
		[[ "$output" != *etc/group* ]]
		# vfs: the container's full copy compared with the image, as Docker's vfs driver
		run --separate-stderr warren diff "$d"
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'C /etc\nD /etc/group\nA /n\nA /running\nA /stopped')" ]
		warren start "$d"
		run warren exec "$d" cat /running /stopped
		[ "$output" = "$(printf 'driven\ndriven')" ]
		warren rm -f "$d"
	done
}

# --- hardening (issue 17) ------------------------------------------------------

# tree_of DIR: each entry below DIR (path, type, mode), then the checksum
# of each regular file, for comparing two trees
tree_of() {
	(cd "$1" && find . -mindepth 1 -printf '%p %y %m\n' | LC_ALL=C sort &&
		find . -type f -exec md5sum {} + | LC_ALL=C sort -k2)
}

# wh_tree DIR: files whose names an image layer would read as whiteouts, a
# FIFO and a setgid directory, owned by the test user
wh_tree() {
	mkdir -p "$1/sub" "$1/g"
	echo w1 > "$1/.wh.keep"
	echo w2 > "$1/sub/.wh..wh..opq"
	echo w3 > "$1/.wh..wh..opq"
	echo y > "$1/sub/y"
	mkfifo -m 0606 "$1/sub/p"
	chmod 2750 "$1/g"
	chown -R "$TEST_USER:$TEST_GID" "$1"
}

# pre_tree DIR: what the destination holds before the copy
pre_tree() {
	mkdir -p "$1/sub"
	echo k > "$1/keep"
	echo x > "$1/sub/x"
	chown -R "$TEST_USER:$TEST_GID" "$1"
}

@test "cp copies .wh. names literally, DIR into a volume and - into the root: the tree tar -x makes" {
	wh_tree "$HOSTDIR/src"
	pre_tree "$HOSTDIR/vol"
	pre_tree "$ROOTFS/dst"
	pre_tree "$HOSTDIR/plain"
	tar -C "$HOSTDIR/src" -cf - . | tar -C "$HOSTDIR/plain" -xf -
	warren run -d --name c -v "$HOSTDIR/vol:/vol" --rootfs "$ROOTFS" sleep infinity
	# a .wh. name must not delete the host's files behind the volume
	warren cp "$HOSTDIR/src/." c:/vol
	diff <(tree_of "$HOSTDIR/plain") <(tree_of "$HOSTDIR/vol")
	as_user sh -c "tar -C '$HOSTDIR/src' -cf - . | '$WARREN' cp - c:/dst"
	diff <(tree_of "$HOSTDIR/plain") <(tree_of "$ROOTFS/dst")
	[ "$(cat "$HOSTDIR/vol/keep" "$ROOTFS/dst/sub/x")" = "$(printf 'k\nx')" ]
}

@test "cp of FIFOs into a running container that swaps them for symlinks leaves host files alone" {
	host_file "$HOSTDIR/secret" key
	chmod 0600 "$HOSTDIR/secret"
	# one name again and again: each entry is made anew where the container
	# keeps putting a symlink to the host file
	python3 - "$HOSTDIR/fifos.tar" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT) as t:
    for _ in range(3000):
        e = tarfile.TarInfo("p")
        e.type, e.mode = tarfile.FIFOTYPE, 0o606
        t.addfile(e)
PY
	chown "$TEST_USER" "$HOSTDIR/fifos.tar"
	warren run -d --name c --rootfs "$ROOTFS" \
		sh -c "mkdir /dst; while :; do ln -sfn '$HOSTDIR/secret' /dst/p; done"
	# the swapping has begun (ln -sfn leaves no name for a moment: look once)
	swapping=0
	for ((i = 0; i < 600; i++)); do
		[ -L "$ROOTFS/dst/p" ] && swapping=1 && break
		sleep 0.05
	done
	[ "$swapping" = 1 ]
	# a copy may fail (its node was replaced), the host file must not change
	for ((i = 0; i < 40; i++)); do
		as_user sh -c "'$WARREN' cp - c:/dst < '$HOSTDIR/fifos.tar'" 2> /dev/null || true
		[ "$(stat -c %a "$HOSTDIR/secret")" = 600 ] || break
	done
	[ "$(stat -c %a "$HOSTDIR/secret")" = 600 ]
	[ "$(cat "$HOSTDIR/secret")" = key ]
}

@test "cp out drops setuid and setgid, even with the caller's uid in the container; -a keeps them" {
	warren run -d --name c --rootfs "$ROOTFS" sleep infinity
	warren exec c sh -c "mkdir /d && echo u > /d/mine && chown $TEST_UID:$TEST_GID /d/mine &&
		echo r > /d/root && chmod 6755 /d/mine /d/root && chmod 2755 /d"
	warren cp c:/d/mine "$HOSTDIR/mine"
	warren cp c:/d "$HOSTDIR/d"
	run stat -c '%a %U' "$HOSTDIR/mine" "$HOSTDIR/d/mine" "$HOSTDIR/d/root"
	[ "$output" = "$(printf '755 %s\n755 %s\n755 %s' "$TEST_USER" "$TEST_USER" "$TEST_USER")" ]
	# -a: the container's mode, as Docker's cp keeps it
	warren cp -a c:/d "$HOSTDIR/a"
	run stat -c '%a %U' "$HOSTDIR/a/mine" "$HOSTDIR/a/root"
	[ "$output" = "$(printf '6755 %s\n6755 %s' "$TEST_USER" "$TEST_USER")" ]
	[ "$(stat -c %a "$HOSTDIR/d" "$HOSTDIR/a")" = "$(printf '755\n2755')" ]
}
