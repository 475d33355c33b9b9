#!/usr/bin/env bats
# Where the store lives on cluster hosts: a default store on a filesystem
# that cannot hold one (NFS, Lustre, GPFS, CIFS, a FUSE mount without xattrs
# or chown) moves to local disk with one warning; a store the user chose
# stays, with a warning; a store path that cannot be made or written, and an
# /etc/subuid line that overflows, are refused with one line. This kernel has
# no NFS (see /proc/filesystems): the FUSE case stands for the network ones,
# whose statfs magics tests/unit/test_storeplace.c checks.

bats_require_minimum_version 1.5.0

load lifecycle_helpers
load images_helpers

LOCAL_STORE=/var/tmp/warren-$TEST_UID

setup() {
	command -v bindfs >/dev/null || skip "bindfs is not installed (scripts/packages/test-hosts.txt)"
	D=$(user_tmpdir)
	chown "$TEST_USER:$(id -g "$TEST_USER")" "$D"
	as_user mkdir "$D/src" "$D/xdg" "$D/plain"
	rm -rf "$LOCAL_STORE"
	rundir_rm "$TEST_USER"
}

teardown() {
	unset XDG_DATA_HOME XDG_RUNTIME_DIR WARREN_ROOT AS_USER_ENV
	for m in "$D/xdg" "$D/xattr"; do
		mountpoint -q "$m" 2>/dev/null && { fusermount3 -u "$m" 2>/dev/null || umount -l "$m"; }
	done
	rm -rf "$LOCAL_STORE" "/home/$TEST_USER/.config/warren"
	rundir_rm "$TEST_USER"
	common_teardown
}

# fuse_mount DIR [BINDFS-OPTION...]: $D/src mounted over DIR by the test user
# (bindfs, FUSE, not shared with other users, as a user's own mount is)
fuse_mount() {
	local dir=$1
	shift
	as_user mkdir -p "$dir"
	as_user bindfs --no-allow-other "$@" "$D/src" "$dir"
	[ "$(stat -f -c %t "$dir")" = 65735546 ] # FUSE's statfs magic
}

# with_data_home DIR: the test user's default store is DIR/warren
with_data_home() { export XDG_DATA_HOME=$1 AS_USER_ENV=XDG_DATA_HOME; }

@test "a default store on a FUSE mount without xattrs or chown moves to local disk: one warning, pull and run work as on a plain directory" {
	# the same steps with the default store on a plain directory: no warning
	with_data_home "$D/plain"
	run -0 --separate-stderr as_user "$WARREN" pull -q "$REG/warren/layers"
	[ -z "$stderr" ]
	run -0 --separate-stderr as_user "$WARREN" run --rm "$REG/warren/layers" sh -c 'ls /; cat keep'
	[ -z "$stderr" ]
	want=$output
	[ -n "$(ls "$D/plain/warren/images")" ]

	fuse_mount "$D/xdg" --xattr-none --chown-deny
	with_data_home "$D/xdg"
	warning="warren: warning: the default store $D/xdg/warren is on fuse: no extended attributes (Operation not supported): using $LOCAL_STORE on local disk instead (choose with --root, WARREN_ROOT or root = in warren.conf)"
	run -0 --separate-stderr as_user "$WARREN" pull -q "$REG/warren/layers"
	[ "$stderr" = "$warning" ]
	run -0 --separate-stderr as_user "$WARREN" run --rm "$REG/warren/layers" sh -c 'ls /; cat keep'
	[ "$output" = "$want" ]
	[ "$stderr" = "$warning" ]
	# the store is there, 0700 and the user's; nothing went to the FUSE mount
	[ "$(stat -c '%U %a' "$LOCAL_STORE")" = "$TEST_USER 700" ]
	[ -n "$(ls "$LOCAL_STORE/images")" ]
	[ -z "$(ls -A "$D/src")" ]
	run -0 --separate-stderr as_user "$WARREN" images --format '{{.Repository}}'
	[ "$output" = "$REG/warren/layers" ]
	run -0 --separate-stderr as_user "$WARREN" info
	[[ "$output" == *"store:            $LOCAL_STORE"$'\n'"                  moved from $D/xdg/warren (fuse: no extended attributes"* ]]
	# probed once: the verdict is kept in the runtime directory
	[ "$(cat "$(rundir_of "$TEST_USER")"/store-probe-*)" = "0 fuse: no extended attributes (Operation not supported)" ]
}

@test "with XDG_RUNTIME_DIR, the store leaves a FUSE mount for \$XDG_RUNTIME_DIR/warren-store" {
	fuse_mount "$D/xdg" --xattr-none --chown-deny
	as_user mkdir -m 0700 "$D/run"
	export XDG_DATA_HOME=$D/xdg XDG_RUNTIME_DIR=$D/run AS_USER_ENV="XDG_DATA_HOME XDG_RUNTIME_DIR"
	run -0 --separate-stderr as_user "$WARREN" run --rm "$REG/warren/layers" cat keep
	[[ "$stderr" == "warren: warning: the default store $D/xdg/warren is on fuse: "*"using $D/run/warren-store on local disk instead"* ]]
	[ -n "$(ls "$D/run/warren-store/images")" ]
	[ ! -e "$LOCAL_STORE" ]
	unset XDG_RUNTIME_DIR
}

@test "/var/tmp/warren-UID of another user, or a symlink, is never used: /tmp/warren-UID-store instead" {
	fuse_mount "$D/xdg" --xattr-none --chown-deny
	with_data_home "$D/xdg"
	ln -s "$D/plain" "$LOCAL_STORE"
	run -0 --separate-stderr as_user "$WARREN" info
	[[ "$output" == "store:            /tmp/warren-$TEST_UID-store"$'\n'* ]]
	[ -z "$(ls -A "$D/plain")" ]
	rm "$LOCAL_STORE"
	mkdir -m 0700 "$LOCAL_STORE" # root's
	run -0 --separate-stderr as_user "$WARREN" info
	[[ "$output" == "store:            /tmp/warren-$TEST_UID-store"$'\n'* ]]
	[ -z "$(ls -A "$LOCAL_STORE")" ]
	rm -rf "/tmp/warren-$TEST_UID-store"
}

@test "a FUSE mount that keeps xattrs and chown holds the default store: no warning" {
	fuse_mount "$D/xdg"
	with_data_home "$D/xdg"
	run -0 --separate-stderr as_user "$WARREN" info
	[ -z "$stderr" ]
	[[ "$output" == "store:            $D/xdg/warren"$'\n'"                  the default place"$'\n'* ]]
	[ ! -e "$LOCAL_STORE" ]
}

@test "a store chosen with --root, WARREN_ROOT or root = on such a mount stays, with one warning naming the choice" {
	fuse_mount "$D/xdg" --xattr-none --chown-deny
	why="is on fuse: no extended attributes (Operation not supported): containers may fail there (a directory on local disk avoids this)"
	run -0 --separate-stderr as_user "$WARREN" --root "$D/xdg/s" info
	[ "$stderr" = "warren: warning: the store $D/xdg/s (set by --root) $why" ]
	[[ "$output" == "store:            $D/xdg/s"$'\n'* ]]
	export WARREN_ROOT=$D/xdg/s AS_USER_ENV=WARREN_ROOT
	run -0 --separate-stderr as_user "$WARREN" info
	[ "$stderr" = "warren: warning: the store $D/xdg/s (set by \$WARREN_ROOT) $why" ]
	unset WARREN_ROOT AS_USER_ENV
	conf=/home/$TEST_USER/.config/warren/warren.conf
	as_user mkdir -p "${conf%/*}"
	echo "root = $D/xdg/s" | as_user tee "$conf" >/dev/null
	run -0 --separate-stderr as_user "$WARREN" info
	[ "$stderr" = "warren: warning: the store $D/xdg/s (set by $conf:1) $why" ]
	[ ! -e "$LOCAL_STORE" ]
}

@test "a store that does not exist and cannot be made: one line, 125 from run, 1 from images, nothing created" {
	run --separate-stderr as_user "$WARREN" --root /nonexistent/x run --rm "$REG/warren/layers" true
	one_line_125
	[ "$stderr" = "warren: store /nonexistent/x (set by --root) does not exist and cannot be made: / is not writable by you (create it, or choose another store with --root, WARREN_ROOT or root = in warren.conf)" ]
	run --separate-stderr as_user "$WARREN" --root /nonexistent/x images
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[ ! -e /nonexistent ]
}

@test "a store in a directory the user cannot write: one line, 125 from run, 1 from pull, nothing created" {
	mkdir "$D/ro"
	chmod 0555 "$D/ro"
	chown "$TEST_USER" "$D/ro"
	for root in "$D/ro" "$D/ro/store"; do
		run --separate-stderr as_user "$WARREN" --root "$root" run --rm "$REG/warren/layers" true
		one_line_125
		[[ "$stderr" == "warren: store $root (set by --root) "*"not writable by you"* ]]
		run --separate-stderr as_user "$WARREN" --root "$root" pull -q "$REG/warren/layers"
		[ "$status" -eq 1 ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[ -z "$(ls -A "$D/ro")" ]
	done
}

@test "an /etc/subuid line of the user's that overflows: run exits 125 with one line naming the file, the line and the fix" {
	dir=$(user_tmpdir)
	subid_copy "$dir"
	sed -i "/^$TEST_USER:/d" "$dir/subuid"
	printf '# a comment\n%s:4294967290:65536\n' "$TEST_USER" >> "$dir/subuid"
	n=$(grep -n "^$TEST_USER:" "$dir/subuid" | cut -d: -f1)
	fresh_store
	as_user mkdir "$STORE"
	run --separate-stderr run_as_in "$dir" "$TEST_USER" "$WARREN" --root "$STORE" run --rm \
		--network none "$REG/warren/layers" true
	one_line_125
	[[ "$stderr" == "warren: "*"/etc/subuid:$n: the range 4294967290:65536 ends past the last ID 4294967295 (as root, correct the line: START + COUNT must be at most 4294967295)"* ]]
	[ -z "$(ls -A "$STORE/images" 2>/dev/null)" ]
	# another user's overflowing line grants nothing and stops nobody
	subid_copy "$dir"
	echo "someone-else:4294967290:65536" >> "$dir/subuid"
	run -0 --separate-stderr run_as_in "$dir" "$TEST_USER" "$WARREN" --root "$STORE" run --rm \
		--network none "$REG/warren/layers" true
}
