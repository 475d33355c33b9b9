#!/usr/bin/env bats
# Layer unpacking as the unprivileged test user, through warren-unpack-test
# (tests/unit/unpack_tool.c, built next to the unit tests): owners on the host
# are the subordinate IDs, a layer stack unpacked for the kernel overlay
# mounts and shows the merged tree, copy mode gives the same tree, hostile
# layers are refused without writing outside, and the result matches GNU tar
# unpacking in the same user namespace.

load helpers

setup() {
	local top build
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	build=${WARREN_BUILD_ROOT:-$top/build}/suite-$(basename "$WARREN_PREFIX")
	TOOL_SRC=${WARREN_UNPACK_TEST:-$build/tests/unit/warren-unpack-test}
	[ -x "$TOOL_SRC" ] || skip "warren-unpack-test not built ($TOOL_SRC)"
	T=$(user_tmpdir)
	cp "$TOOL_SRC" "$T/tool"
	chmod 0755 "$T/tool"
	python3 "$FIXTURES/tar/mklayers.py" "$T/tars"
	chmod -R a+rX "$T/tars"
	mkdir -p "$T/outside" && echo keep >"$T/outside/file"
	chown -R "$TEST_USER:$(id -g "$TEST_USER")" "$T"
}

teardown() {
	common_teardown
}

# tool ARGS...: the driver as the test user, warren's setuid helpers first in PATH
tool() {
	as_user env PATH="$WARREN_PREFIX/bin:/usr/bin:/bin" "$T/tool" "$@"
}

# unpack_stack MODE-FLAGS DIR...: l1, l2 (and l3) into one dir each, or all into $1
unpack_layer() {
	local dir=$1 tar=$2
	shift 2
	as_user mkdir -p "$dir"
	tool "$@" "$dir" <"$T/tars/$tar"
}

@test "unpacked files are owned on the host by the mapped subordinate IDs" {
	run unpack_layer "$T/L1" l1.tar --userns
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[[ "$output" == *"skipped_devices=1"* ]]
	[ "$(stat -c %u:%g "$T/L1/etc/passwd")" = "$TEST_UID:$TEST_GID" ]
	[ "$(stat -c %u:%g "$T/L1/etc/shadow")" = "$TEST_UID:$((TEST_SUBUID_START + 41))" ]
	[ "$(stat -c %u:%g "$T/L1/home/user/file")" = "$((TEST_SUBUID_START + 999)):$((TEST_SUBUID_START + 999))" ]
	[ "$(stat -c %u:%g "$T/L1/nobody")" = "$((TEST_SUBUID_START + 65533)):$((TEST_SUBUID_START + 65533))" ]
	[ "$(stat -c %a "$T/L1/bin/su")" = 4755 ]
	[ "$(stat -c %a:%g "$T/L1/bin/wall")" = "2755:$((TEST_SUBUID_START + 4))" ]
	[ "$(stat -c %a "$T/L1/home/user")" = 700 ]
	[ "$(stat -c %i "$T/L1/bin/link")" = "$(stat -c %i "$T/L1/bin/busybox")" ]
	[ "$(readlink "$T/L1/bin/sh")" = busybox ]
	[ "$(stat -c %Y "$T/L1/etc/passwd")" = 1000000000 ]
	[ "$(stat -c %Y "$T/L1/etc")" = 1000000000 ]
	[ ! -e "$T/L1/dev/null" ]
}

@test "a layer stack unpacked for overlay mounts as a kernel overlay and shows the merged tree" {
	local lowers="$T/L2:$T/L1"
	unpack_layer "$T/L1" l1.tar --userns
	unpack_layer "$T/L2" l2.tar.gz --userns
	if [ -e "$T/tars/l3.tar.zst" ]; then
		unpack_layer "$T/L3" l3.tar.zst --userns
		lowers="$T/L3:$lowers"
	fi
	[ "$(stat -c %t:%T "$T/L2/gone")" = 0:0 ] # whiteouts are 0/0 devices
	run tool --list-overlay "$lowers"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	local got expected
	got=$(echo "$output" | sort)
	expected=$(sort <<-EOF
		/bin 40755 0:0
		/bin/busybox 100755 0:0 16
		/bin/link 100755 0:0 16
		/bin/sh 120777 0:0 -> busybox
		/bin/su 104755 0:0 3
		/data 40755 0:0
		/data/a 100644 0:0 7
		/data/b 100644 0:0 7
		/dev 40755 0:0
		/dir2file 100644 0:0 11
		/etc 40755 0:0
		/etc/passwd 100644 0:0 26
		/etc/shadow 100640 0:42 15
		/file2dir 40755 0:0
		/file2dir/inside 100644 0:0 7
		/home 40755 0:0
		/home/user 40700 1000:1000
		/home/user/file 100600 1000:1000 6
		/home/user/file2 100644 1000:1000 4
		/nobody 100644 65534:65534 2
		/opq 40755 0:0
		/opq/new 100644 0:0 4
		/replaced 100644 0:0 3
	EOF
	)
	if [ -e "$T/tars/l3.tar.zst" ]; then
		expected=$( (echo "$expected" | grep -v '^/bin/wall'; echo "/bin/new3 100644 0:0 6") | sort)
	else
		expected=$( (echo "$expected"; echo "/bin/wall 102755 0:5 5") | sort)
	fi
	diff <(echo "$expected") <(echo "$got")
}

@test "copy mode applied layer by layer gives the same tree as the kernel overlay" {
	local lowers="$T/L2:$T/L1"
	unpack_layer "$T/L1" l1.tar --userns
	unpack_layer "$T/L2" l2.tar.gz --userns
	unpack_layer "$T/C" l1.tar --userns --apply
	unpack_layer "$T/C" l2.tar.gz --userns --apply
	if [ -e "$T/tars/l3.tar.zst" ]; then
		unpack_layer "$T/L3" l3.tar.zst --userns
		unpack_layer "$T/C" l3.tar.zst --userns --apply
		lowers="$T/L3:$lowers"
	fi
	run tool --list-overlay "$lowers"
	[ "$status" -eq 0 ]
	local overlay=$output
	run tool --list "$T/C"
	[ "$status" -eq 0 ]
	diff <(echo "$overlay" | sort) <(echo "$output" | sort)
	[ "$(cat "$T/C/replaced")" = v2 ]
	[ ! -e "$T/C/opq/old" ] && [ ! -e "$T/C/gone" ] && [ ! -e "$T/C/gonedir" ]
	[ "$(stat -c %i "$T/C/data/a")" = "$(stat -c %i "$T/C/data/b")" ]
}

@test "hostile layers are refused with the entry named, nothing lands outside" {
	local tar want
	for tar in dotdot absolute symlink-write symlink-abs-write hardlink-out; do
		case $tar in
		dotdot) want="layer entry ../x escapes the layer root" ;;
		absolute) want="layer entry /tmp/warren-unpack-abs escapes the layer root" ;;
		symlink-write) want="layer entry evil/pwned goes through a symlink" ;;
		symlink-abs-write) want="layer entry evil/warren-unpack-abs goes through a symlink" ;;
		hardlink-out) want="layer entry hl: hard link target ../outside/file is outside the layer" ;;
		esac
		run unpack_layer "$T/root-$tar" "$tar.tar" --userns
		echo "$tar: $output"
		[ "$status" -eq 125 ]
		[[ "$output" == *"$want"* ]]
		[ "$(ls -A "$T/outside")" = file ]
		[ "$(cat "$T/outside/file")" = keep ]
		[ "$(stat -c %h "$T/outside/file")" = 1 ]
		[ ! -e /tmp/warren-unpack-abs ]
		[ ! -e "$T/x" ]
	done
}

@test "single-ID mode keeps unmappable owners in user.containers.override_stat" {
	local d
	d=$(user_tmpdir)
	cp "$T/tool" "$d/tool"
	chown -R "$NOSUB_USER" "$d"
	run as_nosub "$d/tool" --userns "$d" <"$T/tars/l1.tar"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ "$(stat -c %u:%g "$d/home/user/file")" = "$NOSUB_UID:$NOSUB_GID" ]
	run python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.containers.override_stat").decode())' "$d/home/user/file"
	[ "$output" = "1000:1000:100600" ]
	run python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.containers.override_stat").decode())' "$d/bin/wall"
	[ "$output" = "0:5:102755" ]
	run python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "user.containers.override_stat").decode())' "$d/home/user"
	[ "$output" = "1000:1000:40700" ]
	[ "$(stat -c %a "$d/bin/su")" = 4755 ]
	[ "$(cat "$d/home/user/file")" = hello ]
}

# tree DIR: every path below DIR (not DIR itself) with type, mode, host
# owner, size, mtime and symlink target
tree() {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %U:%G %s %T@ %l\n' | sort)
}

@test "unpacking gives the same tree as GNU tar in the same user namespace" {
	as_user unshare --map-auto --map-root-user true 2>/dev/null ||
		skip "unshare --map-auto is not available"
	tar -cf "$T/tars/rootfs.tar" -C "$ROOTFS_PRISTINE" .
	chmod a+r "$T/tars/rootfs.tar"
	local tar
	for tar in l1.tar rootfs.tar; do
		as_user mkdir "$T/gnu-$tar" "$T/ours-$tar"
		# GNU tar cannot make dev/null unprivileged either and says so
		as_user unshare --map-auto --map-root-user \
			tar --same-owner -xpf "$T/tars/$tar" -C "$T/gnu-$tar" 2>/dev/null || true
		run unpack_layer "$T/ours-$tar" "$tar" --userns
		[ "$status" -eq 0 ] || { echo "$output"; false; }
		[ "$(tree "$T/ours-$tar" | wc -l)" -gt 20 ]
		diff <(tree "$T/gnu-$tar") <(tree "$T/ours-$tar")
	done
}
