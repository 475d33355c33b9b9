# Shared by every bats file (`load helpers`). The suite runs as root; every
# warren command runs as an unprivileged test user made by tests/setup.sh.
# Names and places come from tests/env.sh.

. "$(dirname "${BASH_SOURCE[0]}")/../env.sh"
WARREN=$WARREN_PREFIX/bin/warren
ROOTFS_PRISTINE=$WARREN_TEST_ROOT/rootfs
FIXTURES=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fixtures" && pwd)

TEST_USER=$WARREN_TEST_USER
TEST_UID=$(id -u $TEST_USER)
TEST_GID=$(id -g $TEST_USER)
TEST_SUBUID_START=$WARREN_TEST_SUBUID
TEST_SUBID_COUNT=65536
NOSUB_USER=$WARREN_NOSUB_USER
NOSUB_UID=$(id -u $NOSUB_USER)
NOSUB_GID=$(id -g $NOSUB_USER)

# run_as USER CMD...: CMD as USER with its groups and a clean environment
run_as() { run_as_in "" "$@"; }

# run_as_in DIR USER CMD...: run_as, but where DIR/subuid and DIR/subgid stand
# for /etc/subuid and /etc/subgid (DIR "": the real files), and, where DIR
# has them, DIR/nsswitch.conf and DIR/warren-test-subid for those files of
# /etc (the latter the list of tests/setup.d/30-hosts.sh's subid source).
# The bind mounts are in a mount namespace of CMD's own: the real files,
# and every other process of this or another checkout, see no change.
run_as_in() {
	local dir=$1 user=$2
	shift 2
	local extra=() wrap=()
	local v
	for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS WARREN_STORAGE_DRIVER $AS_USER_ENV; do
		[ -n "${!v+x}" ] && extra+=("$v=${!v}")
	done
	# tests/run.sh's second network run: a warren.conf of its own
	[ -z "${WARREN_TEST_CONFIG_HOME:-}" ] || extra+=("XDG_CONFIG_HOME=$WARREN_TEST_CONFIG_HOME")
	[ -z "$dir" ] || wrap=(unshare -m --propagation private -- sh -c \
		'mount --bind "$1/subuid" /etc/subuid && mount --bind "$1/subgid" /etc/subgid &&
		for f in nsswitch.conf warren-test-subid; do
			[ ! -f "$1/$f" ] || mount --bind "$1/$f" "/etc/$f" || exit 1
		done && shift && exec "$@"' \
		sh "$dir")
	(cd /tmp && cgroup_enter "$user" && "${wrap[@]}" setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
		env -i HOME="/home/$user" USER="$user" LOGNAME="$user" \
		PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "${extra[@]}" "$@")
}

# cgroup_enter USER: this shell into USER's delegated cgroups, if
# tests/setup.d/40-cgroups.sh made any (cgroup v1, the test user only), as
# pam_cgfs puts a login session into them
cgroup_enter() {
	local d
	for d in /sys/fs/cgroup/*/warren-test-"$1"; do
		[ -d "$d" ] || continue
		echo "$BASHPID" > "$d/cgroup.procs" || return 1
	done
}

# subid_copy DIR: /etc/subuid and /etc/subgid as they are now, into DIR (0755)
# as DIR/subuid and DIR/subgid (0644), for run_as_in
subid_copy() {
	mkdir -p "$1"
	chmod 0755 "$1"
	cp /etc/subuid "$1/subuid"
	cp /etc/subgid "$1/subgid"
	chmod 0644 "$1/subuid" "$1/subgid"
}

# rundir_of USER: the runtime directory warren recorded for USER (where
# XDG_RUNTIME_DIR is unset); "" before warren made one
rundir_of() { cat "/home/$1/.local/state/warren/runtime-dir" 2>/dev/null || true; }

# rundir_rm USER: that directory removed (warren makes a new one)
rundir_rm() {
	local d
	d=$(rundir_of "$1")
	[[ "$d" != /tmp/warren-* ]] || rm -rf "$d"
}

as_user() { run_as "$TEST_USER" "$@"; }
as_nosub() { run_as "$NOSUB_USER" "$@"; }
warren() { as_user "$WARREN" "$@"; }
warren_nosub() { as_nosub "$WARREN" "$@"; }

# user_tmpdir: a fresh directory (0755) the test users can reach
user_tmpdir() {
	mkdir -p "$WARREN_BATS_TMP"
	chmod 0755 "$WARREN_BATS_TMP"
	local d
	d=$(mktemp -d "$WARREN_BATS_TMP/t.XXXXXX")
	chmod 0755 "$d"
	echo "$d"
}

# make_rootfs [OWNER]: a private copy of the busybox rootfs in $ROOTFS
make_rootfs() {
	local owner=${1:-$TEST_USER}
	local d
	d=$(user_tmpdir)
	cp -a "$ROOTFS_PRISTINE" "$d/rootfs"
	chown -R "$owner:$(id -g "$owner")" "$d/rootfs"
	ROOTFS=$d/rootfs
}

# common_teardown: nothing of one test survives into the next
common_teardown() {
	tmux kill-session -t "$TMUX_SESSION" 2>/dev/null || true
	pkill -KILL -u "$TEST_USER" 2>/dev/null || true
	pkill -KILL -u "$NOSUB_USER" 2>/dev/null || true
	# files created inside belong to subordinate IDs: root removes them
	rm -rf "${WARREN_BATS_TMP:?}"/t.* 2>/dev/null || true
}

# free_port: a TCP and UDP port nobody uses on 127.0.0.1 (nor on ::1, where
# the host has IPv6: -p PORT publishes on both), in this lane's
# $WARREN_PORT_BASE..+999 (lanes running at once never pick the same one)
free_port() {
	python3 - "$WARREN_PORT_BASE" <<'PY'
import os, random, socket, sys
base = int(sys.argv[1])
addrs = [(socket.AF_INET, "127.0.0.1")]
if os.path.exists("/proc/net/if_inet6") and open("/proc/net/if_inet6").read(1):
    addrs.append((socket.AF_INET6, "::1"))
for _ in range(200):
    p = random.randint(base, base + 999)
    try:
        for f, a in addrs:
            for t in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                s = socket.socket(f, t)
                s.bind((a, p))
                s.close()
        print(p)
        break
    except OSError:
        pass
PY
}

# wait_status ID STATUS: until inspect shows STATUS (30 s)
wait_status() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(warren inspect --format '{{.State.Status}}' "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	warren inspect --format '{{.State.Status}} {{.State.Error}}' "$1"
	return 1
}

# wait_for_file PATH [SECONDS]
wait_for_file() {
	local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# warren_stdin TEXT ARGS...: warren as the test user with TEXT on stdin
warren_stdin() {
	local text=$1
	shift
	printf '%s\n' "$text" | as_user "$WARREN" "$@"
}

# a real terminal: tmux runs a command line as the test user (as
# $TMUX_USER when that is set, e.g. TMUX_USER=$NOSUB_USER tmux_start ...).
# Each lane has a tmux server of its own: a server exits with its last
# session, under the feet of another lane starting one.
TMUX_SESSION=warren-bats-$TEST_USER
tmux() { command tmux -L "$TMUX_SESSION" "$@"; }
tmux_start() {
	local script user=${TMUX_USER:-$TEST_USER}
	script=$(user_tmpdir)/tmux-cmd.sh
	printf '%s\n' "$1" 'sleep 30' > "$script"
	chmod 0755 "$script"
	tmux kill-session -t "$TMUX_SESSION" 2>/dev/null || true
	tmux new-session -d -s "$TMUX_SESSION" -x 120 -y 40 \
		"setpriv --reuid=$(id -u "$user") --regid=$(id -g "$user") --init-groups env -i HOME=/home/$user PATH=/usr/bin:/bin TERM=xterm bash $script"
}

tmux_screen() {
	tmux capture-pane -p -t "$TMUX_SESSION"
}

# tmux_wait_for TEXT [SECONDS]
tmux_wait_for() {
	local i
	for ((i = 0; i < ${2:-10} * 20; i++)); do
		tmux_screen | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	echo "timed out waiting for '$1' on the screen:" >&2
	tmux_screen >&2
	return 1
}

# rootless podman as the test user, in a store of its own under $PODMAN_DIR
# (the interop tests compare warren with it)
podman_u() {
	# TMPDIR of its own: podman 4.3 keeps RUN --mount=type=cache directories
	# in $TMPDIR/buildah-cache, one path for every user (/var/tmp), so
	# another lane's user would own it
	[ -d "$PODMAN_DIR/tmp" ] || { mkdir -p "$PODMAN_DIR/tmp" && chown "$TEST_USER" "$PODMAN_DIR/tmp"; }
	as_user env TMPDIR="$PODMAN_DIR/tmp" podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --runtime runc \
		--cgroup-manager cgroupfs --events-backend file --storage-driver vfs --log-level error "$@"
}
