#!/usr/bin/env bats
# warren run --rootfs: what a user sees inside the container, run as the
# unprivileged test user (with subordinate ranges) and the one without.

bats_require_minimum_version 1.5.0

load helpers

setup() {
	make_rootfs
}

teardown() {
	common_teardown
	# made by another user in a test, and failing or not, no longer there:
	# nothing of warren's uses the name now
	rm -rf "/tmp/warren-$TEST_UID"
	find /tmp -maxdepth 1 -name "warren-$TEST_UID-*" -user "$NOSUB_USER" -exec rm -rf {} +
}

# --- user namespace -------------------------------------------------------

@test "id inside the container is root" {
	run warren run --rm --rootfs "$ROOTFS" id
	[ "$status" -eq 0 ]
	[[ "$output" == *"uid=0(root) gid=0(root)"* ]]
}

@test "uid_map and gid_map show the user and the full subordinate range" {
	run warren run --rootfs "$ROOTFS" cat /proc/self/uid_map /proc/self/gid_map
	[ "$status" -eq 0 ]
	maps=$(echo "$output" | awk '{print $1, $2, $3}')
	echo "$maps"
	[ "$(echo "$maps" | sed -n 1p)" = "0 $TEST_UID 1" ]
	[ "$(echo "$maps" | sed -n 2p)" = "1 $TEST_SUBUID_START $TEST_SUBID_COUNT" ]
	[ "$(echo "$maps" | sed -n 3p)" = "0 $TEST_GID 1" ]
	[ "$(echo "$maps" | sed -n 4p)" = "1 $TEST_SUBUID_START $TEST_SUBID_COUNT" ]
}

@test "a file created inside as uid 1000 is owned on the host by the matching subordinate ID" {
	run warren run --rootfs "$ROOTFS" sh -c 'touch /tmp/f1000 && chown 1000:1000 /tmp/f1000 && touch /tmp/froot'
	[ "$status" -eq 0 ]
	[ "$(stat -c %u:%g "$ROOTFS/tmp/f1000")" = "$((TEST_SUBUID_START + 999)):$((TEST_SUBUID_START + 999))" ]
	[ "$(stat -c %u:%g "$ROOTFS/tmp/froot")" = "$TEST_UID:$TEST_GID" ]
}

@test "without subordinate ranges: single-ID mode with a one-line warning saying how to get ranges" {
	make_rootfs "$NOSUB_USER"
	run --separate-stderr warren_nosub run --rootfs "$ROOTFS" sh -c 'id -u; cat /proc/self/uid_map /proc/self/setgroups'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" = "0" ]
	[ "$(echo "$output" | sed -n 2p | awk '{print $1, $2, $3}')" = "0 $NOSUB_UID 1" ]
	[ "$(echo "$output" | sed -n 3p)" = "deny" ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"single-ID mode"*"usermod --add-subuids"*"$NOSUB_USER"* ]]
}

@test "single-ID mode: files created as root inside belong to the user on the host; other IDs are refused" {
	make_rootfs "$NOSUB_USER"
	run warren_nosub run --security-opt fake-chown=false --rootfs "$ROOTFS" sh -c 'touch /tmp/mine; chown 1000 /tmp/mine; echo chown=$?'
	[ "$(stat -c %u "$ROOTFS/tmp/mine")" = "$NOSUB_UID" ]
	[[ "$output" == *"chown=1"* ]]
}

# what a package manager does as root: chown files to other users, switch
# to one (apt's _apt, a postinst's su)
PKG_CMD='touch /tmp/pkg; chown 100:101 /tmp/pkg; echo chown=$?; chown -h 5:5 /tmp/pkg; echo lchown=$?
	su -s /bin/sh nobody -c "echo su=\$?"; stat -c %u:%g /tmp/pkg'

@test "single-ID mode: chown and switching users succeed without effect, as package managers need (run, exec); fake-chown=false restores the kernel's refusal" {
	make_rootfs "$NOSUB_USER"
	run -0 warren_nosub run --rm --network none --rootfs "$ROOTFS" sh -c "$PKG_CMD"
	# the calls succeed; the one ID there is keeps the files
	[ "$(echo "$output" | grep -v warning)" = "$(printf 'chown=0\nlchown=0\nsu=0\n0:0')" ]
	warren_nosub run -d --name pkg --network none --rootfs "$ROOTFS" sleep infinity 2> /dev/null
	run -0 warren_nosub exec pkg sh -c "$PKG_CMD"
	[ "$output" = "$(printf 'chown=0\nlchown=0\nsu=0\n0:0')" ]
	warren_nosub rm -f pkg > /dev/null
	# with subordinate IDs nothing is faked: the owner is real
	run -0 warren run --rm --network none --rootfs "$ROOTFS" sh -c 'touch /tmp/p; chown 100:101 /tmp/p; stat -c %u:%g /tmp/p'
	[ "$output" = 100:101 ]
	run warren_nosub run --rm --network none --security-opt fake-chown=false --rootfs "$ROOTFS" sh -c "$PKG_CMD"
	[[ "$output" == *"chown=1"*"lchown=1"* ]]
	run --separate-stderr warren_nosub run --rm --security-opt fake-chown=maybe --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[ "$stderr" = 'warren: invalid --security-opt "fake-chown=maybe": use fake-chown[=true|false]' ]
}

@test "--userns=keep-id keeps the user's own uid and gid inside with the range around it" {
	run warren run --userns=keep-id --rootfs "$ROOTFS" sh -c 'id -u; id -g; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" = "$TEST_UID" ]
	[ "$(echo "$output" | sed -n 2p)" = "$TEST_GID" ]
	echo "$output" | awk 'NR>2 {print $1, $2, $3}' | grep -qx "$TEST_UID $TEST_UID 1"
	echo "$output" | awk 'NR>2 {print $1, $2, $3}' | grep -qx "0 $TEST_SUBUID_START $TEST_UID"
}

@test "--userns=keep-id without ranges maps only the user's own ID, as itself" {
	make_rootfs "$NOSUB_USER"
	run warren_nosub run --userns=keep-id --rootfs "$ROOTFS" sh -c 'id -u; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -v warning | sed -n 1p)" = "$NOSUB_UID" ]
	echo "$output" | grep -v warning | awk 'NR>1 {print $1, $2, $3}' | grep -qx "$NOSUB_UID $NOSUB_UID 1"
}

@test "a helper that is not setuid root is named with the fix" {
	dir=$(user_tmpdir)
	cp "$WARREN" "$WARREN_PREFIX/bin/warren-newuidmap" "$WARREN_PREFIX/bin/warren-newgidmap" \
		"$WARREN_PREFIX/bin/warren-net" "$WARREN_PREFIX/libexec/warren/warren-netns" "$dir/"
	chown -R "$TEST_USER" "$dir"
	run --separate-stderr as_user env PATH="$dir" "$dir/warren" run --rm --rootfs "$ROOTFS" /bin/true
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"$dir/warren-new"*"is neither setuid root nor given cap_setuid/cap_setgid file capabilities"*"chmod u+s"* ]]
}

@test "no user namespaces: the error names the sysctl" {
	# user.max_user_namespaces is per user namespace: set it to 0 in one of our own
	# (its own runtime directory: uid 0 in that namespace would use /tmp/warren-0)
	rt=$(user_tmpdir)
	chown "$TEST_USER" "$rt"
	run --separate-stderr as_user unshare -Ur sh -c "echo 0 > /proc/sys/user/max_user_namespaces && XDG_RUNTIME_DIR=$rt exec $WARREN run --rootfs $ROOTFS /bin/true"
	[ "$status" -eq 125 ]
	# (the line before it: root of that namespace has no ranges, single-ID)
	[ "${stderr_lines[-1]}" = "warren: cannot create a user namespace: user.max_user_namespaces is 0 here; as root: sysctl -w user.max_user_namespaces=15000" ]
}

# runtime_dir: the runtime directory warren says it uses (warren info)
runtime_dir() { warren info --format json | jq -r .runtime_dir; }

@test "without XDG_RUNTIME_DIR the runtime directory is the user's, 0700, not a fixed /tmp name, and a run leaves nothing in it" {
	rundir_rm "$TEST_USER"
	run warren run --rm --rootfs "$ROOTFS" /bin/true
	[ "$status" -eq 0 ]
	rt=$(runtime_dir)
	[ "$(stat -c '%a %u %F' "$rt")" = "700 $TEST_UID directory" ]
	[ "$rt" != "/tmp/warren-$TEST_UID" ]
	[ -z "$(ls -A "$rt")" ]
	# the next command uses the same one
	[ "$(runtime_dir)" = "$rt" ]
}

@test "a /tmp/warren-UID made first by another user does not stop the user's containers" {
	rundir_rm "$TEST_USER"
	rm -rf "/tmp/warren-$TEST_UID"
	# what another user could do before the victim's first run
	run_as "$NOSUB_USER" mkdir -m 0777 "/tmp/warren-$TEST_UID"
	run_as "$NOSUB_USER" mkdir "/tmp/warren-$TEST_UID/containers"
	run --separate-stderr warren run --rm --rootfs "$ROOTFS" /bin/echo ok
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	# a recorded container: its monitor lock and attach socket are in the runtime directory
	warren run -d --name rt --rootfs "$ROOTFS" sleep infinity
	[ "$(warren exec rt echo in)" = in ]
	[ "$(warren ps --format '{{.Names}} {{.State}}')" = "rt running" ]
	rt=$(runtime_dir)
	[ "$(stat -c '%a %u %F' "$rt")" = "700 $TEST_UID directory" ]
	[ "$rt" != "/tmp/warren-$TEST_UID" ]
	[ -z "$(ls -A "/tmp/warren-$TEST_UID/containers")" ]
	warren rm -f rt
}

@test "a recorded runtime directory that another user made again (after a reboot) is replaced by a new private one" {
	run warren run --rm --rootfs "$ROOTFS" /bin/true
	[ "$status" -eq 0 ]
	rt=$(runtime_dir)
	rm -rf "$rt"
	run_as "$NOSUB_USER" mkdir -m 0777 "$rt"
	run --separate-stderr warren run --rm --rootfs "$ROOTFS" /bin/echo ok
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	now=$(runtime_dir)
	[ "$now" != "$rt" ]
	[ "$(stat -c '%a %u %F' "$now")" = "700 $TEST_UID directory" ]
	[ -z "$(ls -A "$rt")" ]
}

@test "a runtime directory under XDG_RUNTIME_DIR owned by someone else is refused with the fix" {
	xdg=$(user_tmpdir)
	chown "$TEST_USER" "$xdg"
	chmod 0700 "$xdg"
	mkdir -m 0700 "$xdg/warren"
	run --separate-stderr as_user env XDG_RUNTIME_DIR="$xdg" "$WARREN" run --rootfs "$ROOTFS" /bin/true
	[ "$status" -eq 125 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"$xdg/warren is not a directory of uid $TEST_UID"*"remove it"* ]]
}

# --- namespaces and filesystems -------------------------------------------

@test "the container has its own pid namespace: the command is PID 1" {
	run warren run --rootfs "$ROOTFS" sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" = "1" ]
	[ "$(echo "$output" | sed -n 2p)" -le 3 ]
}

@test "the default network namespace has only lo, and it is up" {
	run warren run --rootfs "$ROOTFS" sh -c 'ls /sys/class/net; ip -o link show lo'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" = "lo" ]
	[[ "$output" == *"<LOOPBACK,UP"* ]]
}

@test "--network host shares the host's interfaces" {
	host_ifs=$(ls /sys/class/net | sort | tr '\n' ' ')
	run warren run --network host --rootfs "$ROOTFS" sh -c 'ls /sys/class/net | sort | tr "\n" " "'
	[ "$status" -eq 0 ]
	[ "$output" = "$host_ifs" ]
}

@test "uts and ipc namespaces: --hostname sets the name; the default is the container ID prefix" {
	run warren run --hostname box1 --rootfs "$ROOTFS" sh -c 'hostname; cat /etc/hostname; grep box1 /etc/hosts'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" = "box1" ]
	[ "$(echo "$output" | sed -n 2p)" = "box1" ]
	run warren run --rootfs "$ROOTFS" hostname
	[[ "$output" =~ ^[0-9a-f]{12}$ ]]
	[ "$(hostname)" != "$output" ]
}

@test "/dev is a tmpfs with the standard devices, pts, shm and mqueue" {
	run warren run --rootfs "$ROOTFS" sh -c '
		for d in null zero full random urandom tty; do [ -c /dev/$d ] || echo missing $d; done
		echo hi > /dev/null && head -c 4 /dev/zero | od -An -tx1
		[ -c /dev/pts/ptmx ] && [ -L /dev/ptmx ] && echo pts-ok
		grep -E " /dev (tmpfs)" /proc/mounts >/dev/null && echo dev-tmpfs
		grep -E " /dev/shm tmpfs" /proc/mounts >/dev/null && echo shm-ok
		grep -E " /dev/mqueue mqueue" /proc/mounts >/dev/null && echo mqueue-ok
		ls /dev | wc -l'
	[ "$status" -eq 0 ]
	[[ "$output" != *missing* ]]
	[[ "$output" == *"00 00 00 00"* ]]
	[[ "$output" == *pts-ok* && "$output" == *dev-tmpfs* && "$output" == *shm-ok* && "$output" == *mqueue-ok* ]]
	[ "$(echo "$output" | tail -1)" -lt 20 ]
}

@test "/sys is read-only" {
	run warren run --rootfs "$ROOTFS" sh -c 'touch /sys/x 2>&1; grep " /sys " /proc/mounts'
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *"sysfs ro,"* ]]
}

@test "Docker's masked paths are unreadable or empty" {
	run warren run --rootfs "$ROOTFS" sh -c '
		for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
			[ -e $f ] || continue; echo "$f:$(head -c 100 $f | wc -c)"; done
		for d in /proc/scsi /proc/acpi /sys/firmware; do
			[ -e $d ] || continue; echo "$d:$(ls -A $d | wc -l)"; done'
	[ "$status" -eq 0 ]
	echo "$output"
	[ -n "$output" ]
	! echo "$output" | grep -v ':0$'
	# the host shows them
	[ "$(ls -A /sys/firmware | wc -l)" -gt 0 ]
}

@test "Docker's read-only /proc paths refuse writes" {
	run warren run --rootfs "$ROOTFS" sh -c '
		echo x > /proc/sys/kernel/hostname 2>&1 && echo WROTE-SYS
		echo x > /proc/sysrq-trigger 2>&1 && echo WROTE-SYSRQ
		for p in /proc/sys /proc/irq /proc/bus /proc/fs; do grep " $p proc ro," /proc/mounts >/dev/null && echo ro:$p; done'
	[[ "$output" != *WROTE* ]]
	[[ "$output" == *"ro:/proc/sys"* ]]
	[[ "$output" == *"ro:/proc/irq"* ]]
}

@test "/etc/hosts and /etc/resolv.conf are generated; the rootfs's own are hidden, not changed" {
	echo "10.9.9.9 original" > "$ROOTFS/etc/hosts"
	run warren run --rootfs "$ROOTFS" sh -c 'cat /etc/hosts; grep " /etc/resolv.conf " /proc/mounts'
	[ "$status" -eq 0 ]
	[[ "$output" == *"127.0.0.1"*"localhost"* ]]
	[[ "$output" != *original* ]]
	[[ "$output" == *"/etc/resolv.conf"* ]]
	[ "$(cat "$ROOTFS/etc/hosts")" = "10.9.9.9 original" ]
}

@test "the old root is detached: host paths are not visible" {
	# a name of this lane's own (lanes run at once)
	marker=/tmp/warren-host-marker.$TEST_USER
	touch "$marker"
	run warren run --rootfs "$ROOTFS" sh -c "ls $marker 2>&1; cat /proc/self/mountinfo | wc -l; grep -c ' / / ' /proc/self/mountinfo"
	rm -f "$marker"
	[[ "$output" == *"No such file"* ]]
}

@test "--read-only refuses writes to the root filesystem but /dev/shm stays writable" {
	run warren run --read-only --rootfs "$ROOTFS" sh -c 'touch /newfile 2>&1; echo ok > /dev/shm/x && cat /dev/shm/x'
	[[ "$output" == *"Read-only file system"* ]]
	[[ "$output" == *ok* ]]
	[ ! -e "$ROOTFS/newfile" ]
}

@test "-v SRC:DST binds a host directory read-write; :ro refuses writes" {
	vol=$(user_tmpdir)
	echo from-host > "$vol/in"
	chown -R "$TEST_USER" "$vol"
	run warren run -v "$vol:/data" --rootfs "$ROOTFS" sh -c 'cat /data/in; echo from-container > /data/out'
	[ "$status" -eq 0 ]
	[ "$output" = "from-host" ]
	[ "$(cat "$vol/out")" = "from-container" ]
	run warren run -v "$vol:/data:ro" --rootfs "$ROOTFS" sh -c 'cat /data/in; echo x > /data/out2'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$vol/out2" ]
}

@test "-v onto a symlink in the rootfs stays inside the rootfs" {
	vol=$(user_tmpdir)
	chown "$TEST_USER" "$vol"
	outside=$(user_tmpdir)
	chown "$TEST_USER" "$outside"
	ln -s "$outside" "$ROOTFS/escape"
	run warren run -v "$vol:/escape/sub" --rootfs "$ROOTFS" sh -c 'echo x > /escape/sub/f'
	[ ! -e "$outside/sub" ]
}

@test "--tmpfs mounts a tmpfs" {
	run warren run --tmpfs /scratch:size=1m --rootfs "$ROOTFS" sh -c 'grep " /scratch " /proc/mounts; echo x > /scratch/f && cat /scratch/f'
	[ "$status" -eq 0 ]
	[[ "$output" == *"tmpfs /scratch tmpfs rw,nosuid,nodev,noexec"*"size=1024k"* ]]
	[ ! -e "$ROOTFS/scratch/f" ]
}

# --- process environment ---------------------------------------------------

@test "-e and --env-file set variables; the default PATH and HOME are there" {
	envf=$(user_tmpdir)/env
	printf '# comment\nFROMFILE=yes\n\nOVER=file\n' > "$envf"
	chmod 644 "$envf"
	run warren run -e A=1 --env B=two --env-file "$envf" -e OVER=cli --rootfs "$ROOTFS" env
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 'A=1'
	echo "$output" | grep -qx 'B=two'
	echo "$output" | grep -qx 'FROMFILE=yes'
	echo "$output" | grep -qx 'OVER=cli'
	echo "$output" | grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	echo "$output" | grep -qx 'HOME=/root'
	! echo "$output" | grep -q '^LANG='
}

@test "-w sets the working directory, creating it when missing" {
	run warren run -w /tmp --rootfs "$ROOTFS" pwd
	[ "$output" = "/tmp" ]
	run warren run -w /new/dir --rootfs "$ROOTFS" pwd
	[ "$output" = "/new/dir" ]
}

@test "-u NAME resolves through the container's passwd and group with supplementary groups" {
	run warren run -u tester --rootfs "$ROOTFS" sh -c 'id; echo $HOME'
	[ "$status" -eq 0 ]
	[[ "$output" == *"uid=1000(tester) gid=1000(tester)"* ]]
	[[ "$output" == *"10(wheel)"* && "$output" == *"29(audio)"* ]]
	[[ "$output" == *"/home/tester"* ]]
	run warren run -u 1000:10 --rootfs "$ROOTFS" sh -c 'id -u; id -g'
	[ "$output" = "$(printf '1000\n10')" ]
	run warren run -u 4321 --rootfs "$ROOTFS" sh -c 'id -u; id -g'
	[ "$output" = "$(printf '4321\n0')" ]
	run warren run -u tester:wheel --rootfs "$ROOTFS" id -g
	[ "$output" = "10" ]
}

@test "-u on the default network, 4 x 40 runs at once: every one starts (warren-net joins before the IDs change)" {
	local j out=$BATS_TEST_TMPDIR/runs
	for j in 1 2 3 4; do
		(
			for i in $(seq 40); do
				echo "$(warren run --rm -u tester:wheel --rootfs "$ROOTFS" id -g 2>&1)"
			done
		) > "$out.$j" &
	done
	wait
	cat "$out".* | sort | uniq -c
	[ "$(cat "$out".* | grep -cx 10)" -eq 160 ]
}

@test "-u with an unknown name fails with exit 125 and one line" {
	run --separate-stderr warren run -u nosuchuser --rootfs "$ROOTFS" id
	[ "$status" -eq 125 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"unable to find user nosuchuser"* ]]
	run --separate-stderr warren run -u tester:nosuchgroup --rootfs "$ROOTFS" id
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"unable to find group nosuchgroup"* ]]
}

@test "--entrypoint runs before the given arguments" {
	run warren run --entrypoint /bin/echo --rootfs "$ROOTFS" hello world
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
}

@test "--ulimit sets soft and hard limits" {
	run warren run --ulimit nofile=100:200 --rootfs "$ROOTFS" sh -c 'ulimit -n; ulimit -Hn'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '100\n200')" ]
}

@test "stdin is /dev/null without -i and passed through with -i" {
	run warren_stdin "piped" run --rootfs "$ROOTFS" cat
	[ "$output" = "" ]
	run warren_stdin "piped" run -i --rootfs "$ROOTFS" cat
	[ "$output" = "piped" ]
}

# --- capabilities, seccomp, no_new_privs ----------------------------------

# the pid of the test user's warren process
# the oldest live warren: an exited container's monitor may linger as a
# zombie until init reaps it, and a signal to it is lost
warren_pid() {
	ps -u "$TEST_UID" --sort=start_time -o pid=,stat=,comm= |
		awk '$2 !~ /^Z/ && $3 == "warren" { print $1; exit }'
}

cap_eff() { echo "$1" | awk '/^CapEff:/ {print $2}'; }

@test "the default capabilities are Docker's set" {
	run warren run --rootfs "$ROOTFS" cat /proc/self/status
	[ "$(cap_eff "$output")" = "00000000a80425fb" ]
	echo "$output" | grep -q '^CapBnd:	00000000a80425fb'
}

@test "--cap-drop removes a capability: visible in /proc/self/status and chown fails" {
	run warren run --cap-drop CHOWN --rootfs "$ROOTFS" sh -c 'grep CapEff /proc/self/status; touch /tmp/c; chown 1 /tmp/c && echo CHOWNED'
	[ "$(cap_eff "$output")" = "00000000a80425fa" ]
	[[ "$output" != *CHOWNED* ]]
	run warren run --cap-drop ALL --rootfs "$ROOTFS" grep CapEff /proc/self/status
	[ "$(cap_eff "$output")" = "0000000000000000" ]
}

@test "--cap-add adds a capability" {
	run warren run --cap-add sys_admin --rootfs "$ROOTFS" grep CapEff /proc/self/status
	[ "$(cap_eff "$output")" = "00000000a82425fb" ]
	run warren run --cap-drop ALL --cap-add CAP_KILL --rootfs "$ROOTFS" grep CapEff /proc/self/status
	[ "$(cap_eff "$output")" = "0000000000000020" ]
}

@test "a non-root user inside has no effective capabilities" {
	run warren run -u tester --rootfs "$ROOTFS" grep CapEff /proc/self/status
	[ "$(cap_eff "$output")" = "0000000000000000" ]
}

@test "--privileged gives every capability, no seccomp and no masked paths" {
	run warren run --privileged --rootfs "$ROOTFS" sh -c 'cat /proc/self/status; ls -A /sys/firmware | wc -l'
	[ "$status" -eq 0 ]
	all=$(printf '%016x' $(( (1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1 )))
	[ "$(cap_eff "$output")" = "$all" ]
	echo "$output" | grep -q '^Seccomp:	0'
	[ "$(echo "$output" | tail -1)" -gt 0 ]
}

@test "no_new_privs is set" {
	run warren run --rootfs "$ROOTFS" grep NoNewPrivs /proc/self/status
	[[ "$output" == *"NoNewPrivs:	1"* ]]
}

@test "the default seccomp profile is active and blocks unshare with EPERM" {
	run warren run --rootfs "$ROOTFS" sh -c 'grep "^Seccomp:" /proc/self/status; unshare -U true 2>&1; echo rc=$?'
	[[ "$output" == *"Seccomp:	2"* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"rc=1"* ]]
}

@test "--security-opt seccomp=unconfined turns the filter off" {
	run warren run --security-opt seccomp=unconfined --rootfs "$ROOTFS" sh -c 'grep "^Seccomp:" /proc/self/status; unshare -U true && echo unshared'
	[[ "$output" == *"Seccomp:	0"* ]]
	[[ "$output" == *unshared* ]]
}

# iouring_probe: copy the static io_uring_setup prober into the rootfs
iouring_probe() {
	cp "$WARREN_TEST_ROOT/probes/iouring-probe" "$ROOTFS/bin/iouring-probe"
	chown "$TEST_USER:$TEST_GID" "$ROOTFS/bin/iouring-probe"
}

@test "the default seccomp profile refuses io_uring_setup with EPERM, as Docker 25" {
	iouring_probe
	run warren run --rm --rootfs "$ROOTFS" iouring-probe
	[ "$status" -eq 1 ]
	[ "$output" = "EPERM" ]
}

@test "io_uring_setup works under seccomp=unconfined where the kernel allows it" {
	[ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" = 0 ] ||
		skip "io_uring is disabled on this host (kernel.io_uring_disabled)"
	iouring_probe
	run warren run --rm --security-opt seccomp=unconfined --rootfs "$ROOTFS" iouring-probe
	[ "$status" -eq 0 ]
	[ "$output" = "ok" ]
}

@test "--security-opt seccomp=FILE loads a Docker-format profile" {
	prof=$(user_tmpdir)/deny-mkdir.json
	cp "$FIXTURES/seccomp/deny-mkdir.json" "$prof"
	chmod 644 "$prof"
	run warren run --security-opt "seccomp=$prof" --rootfs "$ROOTFS" sh -c 'mkdir /tmp/d 2>&1; echo rc=$?; touch /tmp/f && echo touched'
	[[ "$output" == *"Operation not permitted"* ]]
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" == *touched* ]]
}

@test "a bad seccomp profile is refused with one line and exit 125" {
	prof=$(user_tmpdir)/bad.json
	cp "$FIXTURES/seccomp/bad-action.json" "$prof"
	chmod 644 "$prof"
	run --separate-stderr warren run --security-opt "seccomp=$prof" --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"seccomp"* ]]
}

# --- exit codes and signals -----------------------------------------------

@test "exit codes: 0, 1 and the container's own" {
	run warren run --rootfs "$ROOTFS" true
	[ "$status" -eq 0 ]
	run warren run --rootfs "$ROOTFS" false
	[ "$status" -eq 1 ]
	run warren run --rootfs "$ROOTFS" sh -c 'exit 42'
	[ "$status" -eq 42 ]
}

@test "exit code 127 for a command that does not exist" {
	run -127 --separate-stderr warren run --rootfs "$ROOTFS" no-such-command
	[ "$status" -eq 127 ]
	[[ "$stderr" == *'"no-such-command": executable file not found in $PATH'* ]]
	run -127 warren run --rootfs "$ROOTFS" /no/such/path
	[ "$status" -eq 127 ]
}

@test "exit code 126 for a command that cannot be executed" {
	run --separate-stderr warren run --rootfs "$ROOTFS" /bin/not-executable
	[ "$status" -eq 126 ]
	[[ "$stderr" == *"not-executable"*"ermission denied"* ]]
	run warren run --rootfs "$ROOTFS" /etc
	[ "$status" -eq 126 ]
}

@test "the command starts with no signal ignored or blocked, even when warren runs under nohup" {
	run warren run --rootfs "$ROOTFS" grep -E "^Sig(Ign|Blk):" /proc/self/status
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000')" ]
	# nohup ignores SIGHUP: without the reset, a container's shell could not trap it
	run as_user nohup "$WARREN" run --rootfs "$ROOTFS" sh -c 'trap "exit 12" HUP; kill -HUP $$; sleep 1; exit 1'
	[ "$status" -eq 12 ]
	run as_user nohup "$WARREN" run --rootfs "$ROOTFS" grep "^SigIgn:" /proc/self/status
	[ "$output" = "$(printf 'SigIgn:\t0000000000000000')" ]
}

@test "a container killed by a signal exits with 128 + the signal" {
	as_user "$WARREN" run --rm --rootfs "$ROOTFS" sh -c 'touch /tmp/ready; exec sleep infinity' &
	bg=$!
	wait_for_file "$ROOTFS/tmp/ready"
	pid=$(warren_pid)
	kill -KILL "$(pgrep -P "$pid" | grep -vxF "$(pgrep -P "$pid" -x warren-net)")"
	rc=0
	wait "$bg" || rc=$?
	[ "$rc" -eq 137 ]
}

@test "SIGINT sent to warren reaches the container" {
	as_user "$WARREN" run --rootfs "$ROOTFS" sh -c 'trap "echo got-int > /tmp/sig; exit 7" INT; touch /tmp/ready; while :; do sleep 0.1; done' &
	bg=$!
	wait_for_file "$ROOTFS/tmp/ready"
	kill -INT "$(warren_pid)"
	rc=0
	wait "$bg" || rc=$?
	[ "$rc" -eq 7 ]
	[ "$(cat "$ROOTFS/tmp/sig")" = "got-int" ]
}

@test "--init: the command is not PID 1, signals are forwarded and zombies reaped" {
	run warren run --rm --init --rootfs "$ROOTFS" sh -c 'echo $$; sh -c "sleep 0 &"; sleep 0.3; ps -o stat= 2>/dev/null | grep -c Z || true'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" != "1" ]
	as_user "$WARREN" run --rm --init --rootfs "$ROOTFS" sh -c 'touch /tmp/ready; exec sleep infinity' &
	bg=$!
	wait_for_file "$ROOTFS/tmp/ready"
	kill -TERM "$(warren_pid)"
	rc=0
	wait "$bg" || rc=$?
	[ "$rc" -eq 143 ]
}

@test "Ctrl-C in a terminal reaches the container" {
	tmux_start "$WARREN run --rootfs $ROOTFS sh -c 'trap \"echo CAUGHT-INT; exit 9\" INT; echo READY; while :; do sleep 0.1; done'; echo EXIT=\$?"
	tmux_wait_for READY
	tmux send-keys -t "$TMUX_SESSION" C-c
	tmux_wait_for "EXIT=9"
	tmux_screen | grep -q CAUGHT-INT
}

# --- bad input --------------------------------------------------------------

@test "bad flags and values: one line, exit 125" {
	for args in "--bogus" "--ulimit nofile" "--ulimit nothing=1" "--ulimit nofile=abc" \
		"--cap-add NOPE" "--cap-drop CAP_NOPE" "--security-opt bogus=1" "--network bridge" \
		"-v ./relative:/x" "-v :/x" "-v /tmp:rel" "--tmpfs rel" "--tmpfs /x:bogus" "-w rel" \
		"--userns=auto" "--hostname=" "--restart=maybe"; do
		run --separate-stderr warren run $args --rootfs "$ROOTFS" true
		echo "$args -> $status: $stderr"
		[ "$status" -eq 125 ]
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == "warren: "* ]]
	done
}

@test "a missing rootfs, a missing volume source and no command: one line, exit 125" {
	run --separate-stderr warren run --rootfs /nonexistent true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"/nonexistent"*"No such file"* ]]
	run --separate-stderr warren run -v /nonexistent-src:/x --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"/nonexistent-src"* ]]
	run --separate-stderr warren run --rootfs "$ROOTFS"
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"no command given"* ]]
	# an image that cannot be pulled (images.bats covers the ones that can)
	run --separate-stderr warren run 127.0.0.1:1/nothing true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"cannot connect to registry 127.0.0.1:1"* ]]
}

@test "--help lists the options from the option table" {
	run warren run --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--cap-drop CAP"* && "$output" == *"-v, --volume"* ]]
}

@test "the seccomp filter cache never serves a stale filter: an edited profile takes effect" {
	prof=$(user_tmpdir)/p.json
	cp "$FIXTURES/seccomp/deny-mkdir.json" "$prof"
	chmod 666 "$prof"
	run warren run --security-opt "seccomp=$prof" --rootfs "$ROOTFS" sh -c 'mkdir /tmp/d1 && echo made'
	[[ "$output" != *made* ]]
	sed -i 's/"mkdir", "mkdirat"/"rmdir"/; s/"mkdirat", "mkdir"/"rmdir"/' "$prof"
	grep -q rmdir "$prof"
	run warren run --security-opt "seccomp=$prof" --rootfs "$ROOTFS" sh -c 'mkdir /tmp/d2 && echo made; rmdir /tmp/d2 || echo refused'
	[[ "$output" == *made* && "$output" == *refused* ]]
	# the default filter with and without CAP_SYS_ADMIN differs (Docker allows mount with it)
	run warren run --rootfs "$ROOTFS" sh -c 'mount -t tmpfs t /tmp 2>&1 && echo mounted'
	[[ "$output" != *mounted* ]]
	run warren run --cap-add SYS_ADMIN --rootfs "$ROOTFS" sh -c 'mount -t tmpfs t /tmp 2>&1 && echo mounted'
	[[ "$output" == *mounted* ]]
	[ -n "$(ls -A "/home/$TEST_USER/.cache/warren/seccomp")" ]
}
