#!/bin/bash
# Checks of warren-overlay as a program, in a user namespace of its own:
# refused options, ID mapping (side by side with fuse-overlayfs when it is
# installed), user.containers.override_stat, its seccomp filter and a clean
# exit on unmount. Prints what it saw; exits non-zero on the first failure.
#   mount-checks.sh WARREN_OVERLAY badopts|idle|idmap|override|confined|unmount|remount|readahead|fileahead|copyup-busy|mknod-whiteout|mount-helper
set -uo pipefail
BIN=$1
CHECK=$2

if [ "${OVL_CHECK_INNER:-}" != 1 ]; then
	export OVL_CHECK_INNER=1
	exec unshare --map-root-user --map-auto -m "$0" "$@"
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/ovl-check.XXXXXX")
trap 'umount "$W"/m* 2>/dev/null; [ -n "${PID:-}" ] && kill $PID 2>/dev/null; rm -rf "$W"' EXIT
cd "$W" || exit 1
mkdir -p l u w m m2 u2 w2
echo data > l/f

die() { echo "FAIL: $*"; exit 1; }

# expect_refused WHY ARGS...: non-zero exit, exactly one line, no mount
expect_refused() {
	local why=$1 out rc
	shift
	out=$("$BIN" "$@" 2>&1); rc=$?
	echo "$why -> rc=$rc: $out"
	[ $rc -ne 0 ] || die "$why: accepted"
	[ "$(echo "$out" | wc -l)" = 1 ] || die "$why: not one line"
	! grep -q " $W/m " /proc/self/mounts || die "$why: mounted anyway"
}

# expect_plain WHAT WANT GOT: GOT (seen on the mount) is WANT (seen on a
# plain copy with the same changes), else the difference
expect_plain() {
	if [ "$3" != "$2" ]; then
		diff <(echo "$2") <(echo "$3")
		die "$1: not as on the plain copy"
	fi
	echo "$1: as on the plain copy ($(echo "$3" | wc -l) lines)"
}

wait_mount() {
	for _ in $(seq 100); do grep -q " $1 " /proc/self/mounts && return 0; sleep 0.05; done
	die "no mount on $1"
}

case $CHECK in
badopts)
	expect_refused "missing lowerdir" -o lowerdir=nope,upperdir=u,workdir=w m
	expect_refused "upperdir inside lowerdir" -o lowerdir=l,upperdir=l/up,workdir=w m
	mkdir -p l/up
	expect_refused "upperdir inside lowerdir" -o lowerdir=l,upperdir=l/up,workdir=w m
	expect_refused "unknown option" -o lowerdir=l,upperdir=u,workdir=w,bogus=1 m
	expect_refused "upperdir without workdir" -o lowerdir=l,upperdir=u m
	expect_refused "missing mountpoint" -o lowerdir=l,upperdir=u,workdir=w nomount
	expect_refused "three operands" -o lowerdir=l,upperdir=u,workdir=w src m m2
	expect_refused "a SOURCE with a comma" -o lowerdir=l,upperdir=u,workdir=w a,b m
	expect_refused "spin too long" -o lowerdir=l,upperdir=u,workdir=w,spin=200000 m
	expect_refused "spin not a number" -o lowerdir=l,upperdir=u,workdir=w,spin=fast m
	expect_refused "readahead too large" -o lowerdir=l,upperdir=u,workdir=w,readahead=5000 m
	expect_refused "readahead negative" -o lowerdir=l,upperdir=u,workdir=w,readahead=-1 m
	;;
readahead)
	# a walk going down has the listings below it read ahead: a change made
	# after that, before the walker reads them, must show (here as on a
	# plain copy of the tree with the same changes), with read-ahead on
	# and off
	for d in chmod chown new gone renamed xattr; do
		mkdir -p "l/top/$d/sub"; echo x > "l/top/$d/f"; echo y > "l/top/$d/sub/g"
	done
	mkdir plain && cp -a l/top plain/top
	change() {
		chmod 600 "$1/chmod/f"; chmod 700 "$1/chmod/sub"
		chown 5:6 "$1/chown/f"
		touch "$1/new/added"; mkdir "$1/new/dir"
		rm "$1/gone/f"; rm -r "$1/gone/sub"
		mv "$1/renamed/f" "$1/renamed/sub/f2"
		echo more >> "$1/xattr/f"; setfattr -n user.t -v 1 "$1/xattr/sub/g"
	}
	walk() { (cd "$1" && find . -printf '%p %y %m %U:%G %s %n\n' | sort); }
	change plain/top
	want=$(walk plain/top)
	for ra in ${RA_LIST:-64 0}; do
		rm -rf u w m; mkdir u w m
		"$BIN" -f -o "lowerdir=l,upperdir=u,workdir=w,readahead=$ra" m &
		PID=$!
		wait_mount "$W/m"
		ls m >/dev/null
		ls m/top >/dev/null # below a directory read: its subdirectories go ahead
		sleep 0.5
		change m/top
		got=$(walk m/top)
		umount m; wait $PID; PID=
		expect_plain "readahead=$ra: the walk after the changes" "$want" "$got"
	done
	;;
fileahead)
	# a reader that goes through a listing in its order has the small lower
	# files after the one it reads read into memory ahead of it; a change
	# made after that, before it reads them, must show (as on a plain copy
	# with the same changes), with read-ahead on and off
	mkdir l/t
	for i in $(seq -w 0 39); do head -c 4096 /dev/urandom > "l/t/f$i"; done
	head -c 100000 /dev/urandom > l/t/big
	change() { # DIR FILES...: change the 3rd to 9th of FILES in DIR
		local d=$1; shift
		echo more >> "$d/$3"
		: > "$d/$4"
		printf new | dd of="$d/$5" conv=notrunc status=none
		rm "$d/$6"
		chmod 600 "$d/$7"
		mv "$d/$8" "$d/moved"
		# its data changed with no read through the page cache: read
		# after that, what was read ahead is out of date
		fallocate --punch-hole --offset 0 --length 4096 "$d/$9"
	}
	for ra in 64 0; do
		rm -rf u w m plain; mkdir u w m plain; cp -a l/t plain/t
		"$BIN" -f -o "lowerdir=l,upperdir=u,workdir=w,readahead=$ra" m &
		PID=$!
		wait_mount "$W/m"
		ls -l m/t >/dev/null
		mapfile -t order < <(ls -f m/t | grep '^f')
		# what warren-overlay reads for two files of 4 KiB, and ahead of them
		before=$(awk '/^rchar/ { print $2 }' "/proc/$PID/io")
		cat "m/t/${order[0]}" "m/t/${order[1]}" >/dev/null
		sleep 0.5
		read=$(($(awk '/^rchar/ { print $2 }' "/proc/$PID/io") - before))
		echo "readahead=$ra: warren-overlay read $read bytes for a reader of 8192"
		if [ "$ra" != 0 ]; then
			[ "$read" -ge $((14 * 4096)) ] || die "readahead=$ra: the next files were not read ahead"
		else
			[ "$read" -lt $((3 * 4096)) ] || die "readahead=0: files were read ahead"
		fi
		change m/t "${order[@]}"
		change plain/t "${order[@]}"
		sums() { (cd "$1" && for f in "${order[@]}" moved big; do
			[ -e "$f" ] && echo "$f $(stat -c %a "$f") $(md5sum < "$f")"; done); }
		got=$(sums m/t) want=$(sums plain/t)
		# a file removed after a listing planned it: nothing may keep
		# its data in workdir/work once the kernel forgets it
		head -c 1M /dev/zero > m/t/scratch
		ls -l m/t >/dev/null
		rm m/t/scratch
		for _ in $(seq 50); do [ -z "$(ls -A w/work)" ] && break; sleep 0.02; done
		[ -z "$(ls -A w/work)" ] || die "readahead=$ra: a removed file stays in workdir/work: $(ls -A w/work)"
		umount m; wait $PID; PID=
		expect_plain "readahead=$ra: the files read after the changes" "$want" "$got"
	done
	;;
idle)
	# the workers poll /dev/fuse for a while after each request (spin=):
	# once the requests stop, they must sleep, not keep a CPU busy
	"$BIN" -f -o lowerdir=l,upperdir=u,workdir=w m &
	PID=$!
	wait_mount "$W/m"
	for i in $(seq 200); do stat m/f >/dev/null; cat m/f >/dev/null; done
	sleep 0.5
	ticks() { awk '{print $14 + $15}' /proc/$PID/stat; }
	before=$(ticks)
	sleep 2
	used=$(($(ticks) - before))
	echo "CPU ticks of an idle warren-overlay over 2 s: $used (of $((2 * $(getconf CLK_TCK))))"
	[ "$used" -le 5 ] || die "busy while idle"
	cat m/f | grep -qx data || die "serves after the idle spell"
	;;
idmap)
	chown 1000:1000 l/f
	echo root > l/r
	spec=uidmapping=0:1000:1:1:0:1000,gidmapping=0:1000:1:1:0:1000
	"$BIN" -o "lowerdir=l,upperdir=u,workdir=w,$spec" m || die "mount"
	ours=$(stat -c '%n %u:%g' m/f m/r | sed 's|^m/||')
	echo "warren-overlay: $ours"
	# STORED:SHOWN:LEN: stored 1000 shows as 999, stored 0 as 1000
	[ "$(echo "$ours" | head -1)" = "f 999:999" ] || die "mapped owner"
	[ "$(echo "$ours" | tail -1)" = "r 1000:1000" ] || die "mapped owner"
	touch m/new && chown 5:5 m/new
	[ "$(stat -c %u:%g u/new)" = "6:6" ] || die "stored owner $(stat -c %u:%g u/new)"
	echo "created as 5:5, stored as $(stat -c %u:%g u/new)"
	if command -v fuse-overlayfs >/dev/null; then
		fuse-overlayfs -o "lowerdir=l,upperdir=u2,workdir=w2,$spec" m2 || die "fuse-overlayfs"
		theirs=$(stat -c '%n %u:%g' m2/f m2/r | sed 's|^m2/||')
		echo "fuse-overlayfs: $theirs"
		[ "$ours" = "$theirs" ] || die "fuse-overlayfs shows other owners"
	fi
	;;
override)
	setfattr -n user.containers.override_stat -v "123:456:0750" l/f
	"$BIN" -o "lowerdir=l,upperdir=u,workdir=w,xattr_permissions=2" m || die "mount"
	got=$(stat -c '%u:%g %a' m/f)
	echo "override_stat 123:456:0750 shows as $got"
	[ "$got" = "123:456 750" ] || die "override_stat not presented"
	chown 7:8 m/f; chmod 0600 m/f
	got=$(stat -c '%u:%g %a' m/f)
	echo "after chown 7:8 and chmod 600: $got, stored $(getfattr --only-values -n user.containers.override_stat u/f)"
	[ "$got" = "7:8 600" ] || die "chown through override_stat"
	getfattr -d m/f | grep -q override_stat && die "override_stat visible in the mount"
	true
	;;
confined)
	"$BIN" -f -o lowerdir=l,upperdir=u,workdir=w m &
	PID=$!
	wait_mount "$W/m"
	cat m/f >/dev/null
	mode=$(awk '/^Seccomp:/ {print $2}' /proc/$PID/status)
	echo "Seccomp mode of warren-overlay: $mode"
	[ "$mode" = 2 ] || die "no seccomp filter"
	;;
unmount)
	"$BIN" -f -o lowerdir=l,upperdir=u,workdir=w m &
	PID=$!
	wait_mount "$W/m"
	echo more >> m/f
	umount m || die "umount"
	wait $PID; rc=$?
	PID=
	echo "exit status after unmount: $rc"
	[ $rc -eq 0 ] || die "exit $rc"
	[ "$(cat u/f)" = "$(printf 'data\nmore')" ] || die "upper content"
	;;
remount)
	# hard links and inode numbers survive copy-up across a remount
	echo one > l/h1; ln l/h1 l/h2; echo z > l/z
	"$BIN" -o lowerdir=l,upperdir=u,workdir=w m || die "mount"
	ino=$(stat -c %i m/z)
	echo two >> m/h1; echo more >> m/z
	umount m
	"$BIN" -o lowerdir=l,upperdir=u,workdir=w m || die "remount"
	echo "h2 after remount: $(tr '\n' ' ' < m/h2), links $(stat -c %h m/h2)"
	[ "$(cat m/h2)" = "$(printf 'one\ntwo')" ] || die "hard link broken by copy-up"
	[ "$(stat -c %h m/h1)" = 2 ] || die "link count $(stat -c %h m/h1)"
	echo "inode of z: $ino before copy-up, $(stat -c %i m/z) after remount"
	[ "$(stat -c %i m/z)" = "$ino" ] || die "inode number changed"
	;;
mknod-whiteout)
	# a user's 0/0 character device would be a whiteout: refused as the
	# kernel overlay refuses it, and the name stays free
	try() { # DIR: the steps in DIR
		(cd "$1" && { mknod x c 0 0 2>&1 | sed 's/.*: //'; mknod x c 0 0 2>&1 | sed 's/.*: //'
			ls x 2>&1 | sed 's/.*: //'; touch x && stat -c %F x; }) 2>&1
	}
	"$BIN" -o lowerdir=l,upperdir=u,workdir=w m || die "mount"
	got=$(try m)
	echo "warren-overlay: $(echo $got)"
	mkdir ku kw km
	if mount -t overlay overlay -o lowerdir=l,upperdir=ku,workdir=kw,userxattr km 2>/dev/null; then
		want=$(try km)
		umount km
		expect_plain "mknod c 0 0 as on the kernel overlay" "$want" "$got"
	else
		[ "$(echo "$got" | head -1)" = "Operation not permitted" ] || die "mknod c 0 0 not refused"
	fi
	[ -z "$(find u -type c)" ] || die "a character device in upperdir: $(find u -type c)"
	;;
mount-helper)
	# mount(8) with the type fuse.warren-overlay (mount.fuse3 runs
	# "warren-overlay SOURCE MOUNTPOINT -o OPTIONS" from the PATH of a
	# plain shell: here /usr/local/bin, bound over in this mount namespace)
	mkdir bin
	ln -s "$(realpath "$BIN")" bin/warren-overlay
	mount --bind bin /usr/local/bin || die "cannot bind over /usr/local/bin"
	mount -t fuse.warren-overlay mysource m -o lowerdir=l,upperdir=u,workdir=w ||
		die "mount -t fuse.warren-overlay"
	line=$(grep " $W/m " /proc/self/mounts)
	echo "mount -t: $line"
	[ "$(echo "$line" | cut -d' ' -f1,3)" = "mysource fuse.warren-overlay" ] || die "source or type"
	[ "$(cat m/f)" = data ] || die "no data through the mount"
	# an fstab line, with the options fstab lines carry
	echo "src2 $W/m2 fuse.warren-overlay lowerdir=$W/l,upperdir=$W/u2,workdir=$W/w2,nofail,noauto,x-systemd.requires=/,defaults 0 0" >fstab
	mount -T fstab "$W/m2" || die "mount of an fstab line"
	line=$(findmnt -n -o SOURCE,FSTYPE "$W/m2")
	echo "fstab: $line"
	[ "$(echo $line)" = "src2 fuse.warren-overlay" ] || die "fstab mount: $line"
	echo more >> m2/f
	umount m m2 || die "umount"
	[ "$(cat u2/f)" = "$(printf 'data\nmore')" ] || die "upper content"
	# warren's own use: no SOURCE, the name warren-overlay
	"$BIN" -o lowerdir=l,upperdir=u,workdir=w m || die "mount"
	line=$(grep " $W/m " /proc/self/mounts)
	echo "by hand: $line"
	[ "$(echo "$line" | cut -d' ' -f1,3)" = "warren-overlay fuse.warren-overlay" ] || die "name"
	umount m
	;;
copyup-busy)
	# a copy-up of a large file runs on a worker of its own: the mount
	# answers other requests while it goes on, not after. A busy machine
	# can delay the three requests' own fork and exec past the copy's
	# end, so up to three rounds are tried, each on a fresh upper layer:
	# a mount that serialises fails every round
	head -c 400M /dev/urandom > l/big
	for round in 1 2 3; do
		rm -rf u w && mkdir u w
		"$BIN" -f -o lowerdir=l,upperdir=u,workdir=w m &
		PID=$!
		wait_mount "$W/m"
		stat m/f >/dev/null
		(echo more >> m/big) &
		copier=$!
		# the copy-up's temporary file in workdir/work shows it has started
		for _ in $(seq 200); do [ -n "$(ls -A w/work)" ] && break; sleep 0.01; done
		[ -n "$(ls -A w/work)" ] || die "the copy-up did not start"
		out=$(cat m/f; ls m; stat -c %s m/f)
		busy=$(ls -A w/work)
		wait $copier || die "the append failed"
		echo "round $round, during the copy-up: $(echo $out | tr '\n' ' '); copy still in workdir/work: ${busy:-no}"
		[ "$(echo "$out" | head -1)" = data ] || die "read during the copy-up: $out"
		[ "$(stat -c %s u/big)" = $((400 * 1024 * 1024 + 5)) ] || die "copied-up size $(stat -c %s u/big)"
		umount m
		wait $PID
		PID=
		[ -z "$busy" ] || break
	done
	[ -n "$busy" ] || die "the other requests waited for the copy-up to end, in all three rounds"
	;;
*) die "unknown check $CHECK" ;;
esac
echo "ok"
