#!/usr/bin/env bats
# warren-overlay: every behaviour runs on a plain directory holding the merged
# tree (the reference), on warren-overlay and on the kernel overlay, as the
# unprivileged test user in its own user namespace (tests/overlay/suite.sh).
# warren-overlay must match the plain directory; the kernel's differences are
# printed beside it (bats shows them with --verbose-run or on failure).

bats_require_minimum_version 1.5.0

load helpers

OVL=$WARREN_PREFIX/bin/warren-overlay
SUITE=$(cd "$(dirname "$BATS_TEST_FILENAME")/../overlay" && pwd)

teardown() {
	common_teardown
}

# ovl_tmpdir: a fresh directory the test user owns
ovl_tmpdir() {
	local d
	d=$(user_tmpdir)
	chown "$TEST_USER:$(id -g "$TEST_USER")" "$d"
	echo "$d"
}

# suite STEP: the three-way comparison of one step, as the test user
suite() {
	local d
	d=$(ovl_tmpdir)
	run as_user env TMPDIR="$d" "$SUITE/suite.sh" "$OVL" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"warren-overlay: same as the plain directory"* ]]
}

check() {
	local d
	d=$(ovl_tmpdir)
	run as_user env TMPDIR="$d" "$SUITE/mount-checks.sh" "$OVL" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = ok ]
}

@test "overlay: reads lower files, dirs, symlinks and fifos through the layers" { suite read; }
@test "overlay: whiteouts hide lower entries (0/0 char, .wh. file, user.overlay.whiteout)" { suite whiteouts; }
@test "overlay: opaque dirs (user.overlay.opaque, .wh..wh..opq) hide lower content" { suite opaque; }
@test "overlay: a write copies up with data, mode and owner" { suite copyup-write; }
@test "overlay: chmod copies up keeping times and xattrs" { suite copyup-meta; }
@test "overlay: chown of lower files and dirs" { suite chown; }
@test "overlay: utimes on lower files and symlinks" { suite utimes; }
@test "overlay: xattrs set, read and removed on lower files and dirs" { suite xattrs; }
@test "overlay: hard links stay one inode after copy-up" { suite hardlinks; }
@test "overlay: unlink of lower files leaves them gone, recreate works" { suite unlink; }
@test "overlay: rm -rf of a lower dir then mkdir leaves it empty" { suite rmdir; }
@test "overlay: rename of lower files, over existing files" { suite rename-file; }
@test "overlay: rename of lower dirs keeps their content (no EXDEV)" { suite rename-dir; }
@test "overlay: rename over dirs follows rename(2) (ENOTEMPTY, empty target)" { suite rename-over; }
@test "overlay: symlinks, FIFOs, sockets and hard links to them" { suite special; }
@test "overlay: readdir offsets stay stable while entries are removed" { suite readdir; }
@test "overlay: shared writable mmap of lower files" { suite mmap; }
@test "overlay: flock and fcntl locks conflict between openers" { suite locks; }
@test "overlay: fsync and fdatasync of files and directories" { suite fsync; }
@test "overlay: an open file keeps working after its name is removed" { suite open-unlinked; }
@test "overlay: statfs" { suite statfs; }
@test "overlay: truncate and fallocate of lower files" { suite truncate; }
@test "overlay: inode numbers stay the same across copy-up" { suite inodes; }
@test "overlay: names of hard-linked files and FIFOs come and go, the rest keep the file" { suite links-removed; }
@test "overlay: a lower symlink stays reachable after renames and a chown" { suite symlink-rename; }
@test "overlay: a path of PATH_MAX - 1 bytes works in every operation" { suite long-path; }
@test "overlay: NAME_MAX is 255 in statfs and in every operation" { suite name-max; }
@test "overlay: a file or directory removed while open has no links" { suite unlinked-nlink; }
@test "overlay: parallel writers on the same and on different files" { suite concurrent; }
@test "overlay: untar and create/rename/unlink churn match the kernel overlay" { suite churn; }
@test "overlay: readers of lower files in parallel with writers changing them" { suite readwrite; }

@test "overlay: kill -9 gives ENOTCONN without a hang; fsync'd data is in upperdir" {
	local d
	d=$(ovl_tmpdir)
	run as_user env TMPDIR="$d" "$SUITE/suite.sh" "$OVL" fault
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"killed: ENOTCONN without a hang"* ]]
}

@test "overlay: bad options give one clear line and a non-zero exit" { check badopts; }
@test "overlay: an idle warren-overlay sleeps (its workers stop polling after requests)" { check idle; }
@test "overlay: uidmapping/gidmapping present and store owners as fuse-overlayfs does" { check idmap; }
@test "overlay: user.containers.override_stat holds owners and modes (xattr_permissions=2)" { check override; }
@test "overlay: warren-overlay runs under its own seccomp filter" { check confined; }
@test "overlay: unmount makes warren-overlay exit 0 with the data in upperdir" { check unmount; }
@test "overlay: hard links and inode numbers survive copy-up across a remount" { check remount; }
@test "overlay: listings read ahead of a walk show the changes made before it reads them" { check readahead; }
@test "overlay: small files read ahead of a reader show the changes made before it reads them" { check fileahead; }
@test "overlay: the mount answers other requests while a large file is copied up" { check copyup-busy; }
@test "overlay: mknod of a 0/0 character device is refused as by the kernel overlay" { check mknod-whiteout; }
@test "overlay: mount -t fuse.warren-overlay SOURCE DIR and an fstab line mount it" { check mount-helper; }
