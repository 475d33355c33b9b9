# mounts.sh - sourced by suite.sh and posix.sh: both overlays over one
# lower layer, in the user namespace the caller entered.
# ovl_mount_both LOWERDIR: warren-overlay ($BIN, pid in WPID) on $W/wo/m and
# the kernel overlay on $W/ko/m (KERNEL=0 where it cannot mount, its
# reason printed), each with its upper and work directories under $W/wo and
# $W/ko, which must exist
ovl_mount_both() {
	"$BIN" -f -o "lowerdir=$1,upperdir=$W/wo/u,workdir=$W/wo/w" "$W/wo/m" &
	WPID=$!
	for _ in $(seq 100); do
		grep -q " $W/wo/m " /proc/self/mounts && break
		sleep 0.05
	done
	grep -q " $W/wo/m " /proc/self/mounts || { echo "warren-overlay did not mount"; exit 1; }
	KERNEL=1
	mount -t overlay overlay -o "lowerdir=$1,upperdir=$W/ko/u,workdir=$W/ko/w,userxattr" \
		"$W/ko/m" 2>"$W/kerr" || { KERNEL=0; echo "# kernel overlay: $(cat "$W/kerr")"; }
}
