#!/bin/bash
# Overlay behaviour suite: the same steps on a plain directory holding the
# merged tree (the reference, POSIX behaviour), on warren-overlay and on the
# kernel overlay (userxattr), in one user namespace, in one run. warren-overlay
# must match the plain directory byte for byte (outputs, exit codes and a
# snapshot of the tree); the kernel's differences are printed beside it.
#   suite.sh WARREN_OVERLAY STEP        one step of the list below
#   suite.sh WARREN_OVERLAY fault|concurrent|churn|readwrite
# Run as an unprivileged user; it enters its own user namespace.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/mounts.sh"
BIN=$1
STEP=$2

if [ "${OVL_SUITE_INNER:-}" != 1 ]; then
	export OVL_SUITE_INNER=1
	if unshare --map-root-user --map-auto -m true 2>/dev/null; then
		exec unshare --map-root-user --map-auto -m "$0" "$@"
	fi
	exec unshare -Urm "$0" "$@"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/ovl-suite.XXXXXX")
trap 'cleanup' EXIT
cleanup() {
	umount "$W/wo/m" 2>/dev/null || umount -l "$W/wo/m" 2>/dev/null
	umount "$W/ko/m" 2>/dev/null
	[ -n "${WPID:-}" ] && kill "$WPID" 2>/dev/null
	rm -rf "$W"
}
gcc -O1 -o "$W/ovltool" "$here/ovltool.c" || exit 1
gcc -O1 -o "$W/snapshot" "$here/snapshot.c" || exit 1
export PATH=$W:$PATH
FIXED=@1600000000

# set_times DIR: fixed mtimes everywhere, so copy-up's preservation shows
set_times() { find "$1" -depth -exec touch -h -d "$FIXED" {} +; }

# the content both views share: lower layer 2 and the plain tree get it
common_tree() {
	local t=$1
	mkdir -p "$t"/d/sub "$t"/ren/inner "$t"/many "$t"/top_only
	echo hello > "$t/a"; ln "$t/a" "$t/a2"
	echo keep > "$t/keep"
	echo f1 > "$t/d/f1"; echo g > "$t/d/sub/g"
	echo r1 > "$t/ren/r1"; echo r3 > "$t/ren/inner/r3"
	echo m > "$t/mode644"; chmod 640 "$t/mode644"; chown 1000:1000 "$t/mode644" 2>/dev/null
	setfattr -n user.test -v v1 "$t/mode644"
	ln -s a "$t/link"; mkfifo "$t/fifo"
	ln -s keep "$t/link2"; mkdir -p "$t/syms"
	for i in $(seq 1 20); do ln -s "target$i" "$t/syms/s$i"; done
	# for readdir: enough long names that a listing takes several getdents calls
	local n=60
	[ "$STEP" = readdir ] && n=1500
	for i in $(seq 1 $n); do echo "$i" > "$t/many/file-with-a-long-name-to-fill-the-buffer-$i"; done
	head -c 200000 /dev/zero | tr '\0' 'z' > "$t/big"
}

make_layers() {
	local l1=$W/l1 l2=$W/l2
	mkdir -p "$l1" "$l2"
	common_tree "$l2"
	echo b2 > "$l2/b"
	for g in gone_chr gone_wh gone_xattr; do echo x > "$l2/$g"; done
	mkdir -p "$l2/gone_dir" "$l2/opq_x" "$l2/opq_w"
	echo f > "$l2/gone_dir/f"; echo old1 > "$l2/opq_x/old1"; echo old2 > "$l2/opq_w/old2"
	echo f2 > "$l2/d/f2"
	# layer 1: new data and every whiteout form over layer 2
	mkdir -p "$l1/d" "$l1/opq_x" "$l1/opq_w" "$l1/top_only"
	echo b1 > "$l1/b"
	echo t > "$l1/top_only/t"
	echo f3 > "$l1/d/f3"
	mknod "$l1/gone_chr" c 0 0
	mknod "$l1/gone_dir" c 0 0
	touch "$l1/.wh.gone_wh" "$l1/d/.wh.f2"
	touch "$l1/gone_xattr"; setfattr -n user.overlay.whiteout -v y "$l1/gone_xattr"
	setfattr -n user.overlay.whiteouts -v y "$l1"
	echo new1 > "$l1/opq_x/new1"; setfattr -n user.overlay.opaque -v y "$l1/opq_x"
	echo new2 > "$l1/opq_w/new2"; touch "$l1/opq_w/.wh..wh..opq"
	set_times "$l1"; set_times "$l2"
}

make_plain() {
	local p=$W/plain/m
	mkdir -p "$p"
	common_tree "$p"
	echo b1 > "$p/b"
	echo t > "$p/top_only/t"
	echo f3 > "$p/d/f3"
	mkdir -p "$p/opq_x" "$p/opq_w"
	echo new1 > "$p/opq_x/new1"; echo new2 > "$p/opq_w/new2"
	set_times "$p"
}

mount_all() {
	mkdir -p "$W"/wo/{u,w,m} "$W"/ko/{u,w,m}
	ovl_mount_both "$W/l1:$W/l2"
}

# snapshot DIR [PATHS [MINDEPTH]]: one line per entry with type, mode,
# owner, size, links, target, a content hash, mtime (the fixture's, or
# "recent"), user xattrs and hard-link groups (by name, not number); see
# snapshot.c. PATHS (below DIR, those that exist) default to the whole tree.
snapshot() {
	local top=() x
	for x in ${2:-}; do [ -e "$1/$x" ] && top+=("$x"); done
	[ -z "${2:-}" ] || [ ${#top[@]} -gt 0 ] || return 0
	"$W/snapshot" "$1" "${3:-1}" "${top[@]}"
}

# the steps: each a shell snippet run with the target as working directory
declare -A STEPS=(
[read]='cat a a2 b keep d/f1 d/f3 d/sub/g top_only/t; ls -A; ls -A d opq_x opq_w; readlink link; stat -c "%F %a" fifo link'
[whiteouts]='for f in gone_chr gone_wh gone_xattr gone_dir d/f2; do [ -e $f ] && echo "$f visible" || echo "$f hidden"; done; ls -A; ls -A d'
[opaque]='ls -A opq_x opq_w; cat opq_x/old1 opq_w/old2'
[copyup-write]='echo more >> keep; cat keep; stat -c "%a %u:%g %s" keep'
[copyup-meta]='chmod 600 mode644; stat -c "%a %u:%g %Y" mode644; getfattr -n user.test --only-values mode644; echo'
[chown]='chown 1001:1002 b; stat -c "%u:%g %a" b; cat b; chown 0:0 d; stat -c "%u:%g" d; ls d'
[utimes]='touch -m -d @1700000000 d/f1; stat -c %Y d/f1; touch -h -d @1700000001 link; stat -c %Y link'
[xattrs]='setfattr -n user.new -v hello d/f3; getfattr -n user.new --only-values d/f3; echo; setfattr -x user.test mode644; getfattr -d mode644; setfattr -n user.dir -v v d; getfattr -n user.dir --only-values d; echo'
[hardlinks]='echo more >> a; cat a2; stat -c %h a a2; ln a a3; stat -c %h a a3; cat a3; [ a -ef a2 ] && echo one-inode; rm a; cat a2 a3; stat -c %h a2; mv a2 a4; cat a4 a3; rm a3; stat -c %h a4'
[unlink]='rm keep d/f1 link fifo; ls -A . d; echo new > keep; cat keep; [ -e d/f1 ] || echo f1-gone'
[rmdir]='rm -rf d; ls -A; mkdir d; ls -A d; echo x > d/f1; ls -A d; rmdir opq_x 2>&1 | sed "s/.*: //"; rm -rf opq_x; mkdir opq_x; ls -A opq_x'
[rename-file]='mv b b_moved; cat b_moved; ls -A; mv top_only/t t_moved; cat t_moved; mv keep a; cat a a2'
[rename-dir]='mv ren ren2; ls -AR ren2; cat ren2/inner/r3; ls -A; mkdir ren; ls -A ren; mv d opq_x/d; ls -AR opq_x'
[rename-over]='mkdir e1 e2; mv -T e1 e2; ls -d e1 e2 2>&1 | sed "s/.*: //"; mv -T d opq_w 2>&1 | sed "s/.*: //"; mv b keep; cat keep'
[special]='ln -s target sl; readlink sl; mkfifo ff; stat -c %F ff; ovltool sock sk; ln fifo fifo2; stat -c "%F %h" fifo2'
[readdir]='ovltool readdir-offsets many; ovltool readdir-unlink many; ls -A many; ovltool readdir-unlink d; ls -A d; mkdir up; for i in $(seq 1 1500); do : > up/new-file-with-a-long-name-$i; done; ovltool readdir-offsets up; ovltool readdir-unlink up'
[mmap]='ovltool mmap-write d/sub/g XY; cat d/sub/g; ovltool mmap-write big QQ; head -c 4 big; echo'
[locks]='ovltool locks keep; flock keep true && echo flock-ok'
[open-unlinked]='ovltool unlinked tmpfile keep; ls -A | grep -c -e tmpfile -e keep'
[fsync]='ovltool fsync synced data; cat synced; ovltool fsync keep replaced; cat keep; mkdir nd; ovltool fsync-dir nd; ovltool fsync-dir .; ovltool fsync-dir d/sub'
[statfs]='ovltool statfs .; ovltool statfs d'
[truncate]='truncate -s 3 big; stat -c %s big; head -c 3 big; echo; truncate -s 0 keep; stat -c %s keep; ovltool fallocate a 100000; cat a2 | head -c 5; echo'
[links-removed]='touch n1; ln n1 n2; rm n1; ln n2 n3 && stat -c %h n2 n3; mkfifo p; ln p q; rm p; stat -c "%F %h" q; mkfifo p2; ln p2 q2; ln p2 r2; rm p2 r2; stat -c %h q2; mkfifo s dd; ln dd dl; mv s dd; stat -c "%F %h" dl dd; ln a a5; rm a a2; stat -c %h a5; cat a5'
[symlink-rename]='mv link l2; mv l2 l3; stat -c %F l3; readlink l3; chown -h 1:1 link2 && mv link2 l4 && stat -c "%F %u" l4; readlink l4; for i in $(seq 1 20); do mv syms/s$i syms/r$i && stat -c %F syms/r$i >/dev/null || echo "r$i lost"; done; ls syms | wc -l'
[long-path]='p=$(printf "%0200d" 0 | tr 0 d); q=; while [ ${#q} -lt 3840 ]; do q="$q$p/"; done; mkdir -p "$q"; f=$q$(printf "%0$((4095 - ${#q}))d" 0 | tr 0 f); echo ${#f}; : > $f; chmod 600 $f && chown 0:0 $f && stat -c "%a %s" $f; truncate -s 3 $f && ln $f x && stat -c "%h %s" x; rm $f x && mkdir $f && rmdir $f && echo dir-ok; (: > ${f}g) 2>&1 | sed "s/.*: //"; rm -rf $p'
[name-max]='n=$(printf "%0255d" 0 | tr 0 n); stat -f -c %l .; touch $n && stat -c %s $n; mv keep $n.x 2>&1 | sed "s/.*: //"; touch ${n}x 2>&1 | sed "s/.*: //"; stat ${n}x 2>&1 | sed "s/.*: //"; mv $n ${n}y 2>&1 | sed "s/.*: //"; mkdir ${n}z 2>&1 | sed "s/.*: //"; ls | grep -c nnnn'
[unlinked-nlink]='echo new > nf; ovltool open-unlink nf; ovltool open-unlink keep; mkdir od; ovltool open-unlink od'
[inodes]='ovltool ino-stable d/f3; ovltool ino-stable top_only/t; ovltool ino-stable d/sub/g; a=$(stat -c %i d); touch d/x; b=$(stat -c %i d); [ "$a" = "$b" ] && echo dir-inode-same'
)

run_step() {
	local target=$1 out=$2 cmd=$3
	(cd "$target" && eval "$cmd") >"$out" 2>&1
	echo "exit $?" >>"$out"
	snapshot "$target" >>"$out"
}

# compare NAME FILE REF: 0 when equal, else the first differing lines
compare() {
	if cmp -s "$2" "$3"; then
		echo "# $1: same as the plain directory"
		return 0
	fi
	echo "# $1: DIFFERS from the plain directory:"
	diff "$3" "$2" | head -${DIFF_LINES:-12} | sed 's/^/#   /'
	return 1
}

step_normal() {
	local cmd=${STEPS[$STEP]:-}
	[ -n "$cmd" ] || { echo "unknown step $STEP (known: ${!STEPS[*]})"; exit 2; }
	make_layers; make_plain; mount_all
	run_step "$W/plain/m" "$W/out.plain" "$cmd"
	run_step "$W/wo/m" "$W/out.warren" "$cmd"
	[ "$KERNEL" = 1 ] && run_step "$W/ko/m" "$W/out.kernel" "$cmd"
	if [ "$KERNEL" = 1 ]; then
		# the kernel does not read OCI's .wh. files nor (in a readdir) this
		# fixture's xattr whiteout: leave those entries out of its report, so
		# the differences that remain are its own behaviour
		local oci='gone_wh|gone_xattr|d/f2|\.wh\.|opq_w/old2|old2$'
		grep -Ev "$oci" "$W/out.kernel" >"$W/k.kernel"
		grep -Ev "$oci" "$W/out.plain" >"$W/k.plain"
		compare "kernel overlay (OCI .wh. forms left out)" "$W/k.kernel" "$W/k.plain" || true
	fi
	DIFF_LINES=40 compare "warren-overlay" "$W/out.warren" "$W/out.plain"
}

# kill -9 of warren-overlay: no hang, an error, fsync'd data in upperdir
step_fault() {
	make_layers; mount_all
	ovltool hold "$W/wo/m/synced" "durable" >"$W/hold.out" &
	local hold=$!
	for _ in $(seq 100); do grep -q "fsync ok" "$W/hold.out" && break; sleep 0.05; done
	kill -9 "$WPID"; wait "$WPID" 2>/dev/null; WPID=
	local err rc
	err=$(timeout 10 ls "$W/wo/m" 2>&1); rc=$?
	kill "$hold" 2>/dev/null
	echo "# ls after kill: rc=$rc ($err)"
	[ $rc -ne 124 ] || { echo "file operations hang after the kill"; return 1; }
	[ $rc -ne 0 ] || { echo "file operations still succeed after the kill"; return 1; }
	echo "$err" | grep -q "Transport endpoint is not connected" || { echo "unexpected error: $err"; return 1; }
	[ "$(cat "$W/wo/u/synced")" = durable ] || { echo "fsync'd data lost: '$(cat "$W/wo/u/synced")'"; return 1; }
	umount -l "$W/wo/m"
	echo "# killed: ENOTCONN without a hang, fsync'd data in upperdir"
}

# parallel writers on different files and on one file (O_APPEND records)
concurrent_cmd() {
	mkdir par
	for w in 1 2 3 4; do
		(for i in $(seq 1 200); do printf 'w%d-%03d\n' "$w" "$i" >> shared; done) &
		(for i in $(seq 1 50); do head -c 4096 /dev/zero >> "own$w"; echo "$i" > "par/f$w"; done) &
	done
	wait
	sort shared | md5sum; wc -l < shared; for w in 1 2 3 4; do stat -c %s "own$w"; cat "par/f$w"; done
}

# build-like churn: untar, then create/rename/unlink like a compiler and make
churn_cmd() {
	tar -xf "$W/src.tar"
	for i in $(seq 1 150); do
		echo "obj $i" > "src/tmp.$i"
		mv "src/tmp.$i" "src/obj$i.o"
		[ $((i % 3)) = 0 ] && rm "src/obj$((i - 1)).o"
		[ $((i % 10)) = 0 ] && { mkdir -p "build/$i"; mv "src/obj$i.o" "build/$i/"; }
	done
	rm -rf d many; mv ren build/ren; echo done
}

# readers walking lower files while others change them: what was read ahead
# (fileahead.c) must never hide a change, and no reader may fail
readwrite_cmd() {
	local pids=() p fail=0
	for _ in 1 2 3; do
		(for _ in 1 2 3 4 5; do find rw -type f -exec cat {} + >/dev/null || exit 1; done) &
		pids+=($!)
	done
	for i in $(seq -w 0 59); do
		case $((10#$i % 3)) in
		0) echo more >> "rw/f$i" ;;
		1) printf new | dd of="rw/f$i" conv=notrunc status=none ;;
		2) fallocate --punch-hole --offset 0 --length 4096 "rw/f$i" ;;
		esac
	done
	for p in "${pids[@]}"; do wait "$p" || fail=1; done
	echo "readers failed: $fail"
}

# step_parallel FN PATHS [VS_KERNEL]: FN on each target, then PATHS compared
# with the plain directory's and (VS_KERNEL 1, the default) the kernel
# overlay's
step_parallel() {
	local fn=$1 paths=$2 vs_kernel=${3:-1}
	make_layers; make_plain
	mkdir -p "$W/l2/rw"
	for i in $(seq -w 0 59); do head -c 8192 /dev/urandom > "$W/l2/rw/f$i"; done
	cp -a "$W/l2/rw" "$W/plain/m/rw"
	mount_all
	mkdir -p "$W/srctree/src"
	for i in $(seq 1 400); do echo "int f$i(void) { return $i; }" > "$W/srctree/src/f$i.c"; done
	tar -C "$W/srctree" -cf "$W/src.tar" src
	local t
	for t in plain wo ko; do
		[ $t = ko ] && [ "$KERNEL" != 1 ] && continue
		(cd "$W/$t/m" && $fn) >"$W/out.$t" 2>&1
		echo "exit $?" >>"$W/out.$t"
		# interleaving differs run to run: the sorted content is in the output
		snapshot "$W/$t/m" "$paths" 0 | sed 's/ mtime=[0-9a-z]*//; /^shared /s/ hash=[0-9a-f]*//' >>"$W/out.$t"
	done
	local ok=0
	[ "$KERNEL" = 1 ] && { compare "kernel overlay" "$W/out.ko" "$W/out.plain" || true; }
	compare "warren-overlay" "$W/out.wo" "$W/out.plain" || ok=1
	if [ "$KERNEL" = 1 ] && [ "$vs_kernel" = 1 ]; then
		compare "warren-overlay against the kernel overlay" "$W/out.wo" "$W/out.ko" || ok=1
	fi
	return $ok
}

case $STEP in
fault) step_fault ;;
concurrent) step_parallel concurrent_cmd 'shared own1 own2 own3 own4 par' ;;
churn) step_parallel churn_cmd 'src build ren d many' ;;
# the kernel overlay shows a merged directory's link count as 1
readwrite) step_parallel readwrite_cmd 'rw' 0 ;;
list) echo "${!STEPS[*]}" ;;
*) step_normal ;;
esac
