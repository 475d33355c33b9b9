#!/usr/bin/env bats
# warren-newuidmap / warren-newgidmap: the setuid-root helpers refuse hostile
# input with one line and a non-zero exit, and write nothing when they refuse.
# Each test makes a target process in a fresh user namespace (no maps yet).

bats_require_minimum_version 1.5.0

load helpers

NEWUIDMAP=$WARREN_PREFIX/bin/warren-newuidmap
NEWGIDMAP=$WARREN_PREFIX/bin/warren-newgidmap

# userns_target USER: pid of a process of USER in a new user namespace
userns_target() {
	local user=$1 pid tag=$RANDOM
	# a sleep of its own: a container of an earlier file may run sleep too
	run_as "$user" unshare -U sleep "60.$tag" >/dev/null 2>&1 &
	for _ in $(seq 100); do
		pid=$(pgrep -n -u "$user" -fx "sleep 60.$tag") && break
		sleep 0.05
	done
	[ -n "$pid" ] || return 1
	# wait until it is inside its new namespace
	for _ in $(seq 100); do
		[ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.05
	done
	echo "$pid"
}

setup() {
	[ -u "$NEWUIDMAP" ] && [ "$(stat -c %u "$NEWUIDMAP")" = 0 ]
	TARGET=$(userns_target "$TEST_USER")
}

teardown() {
	# only the lines this file added: other checkouts may share /etc/subuid
	if [ -f "$BATS_TEST_TMPDIR/lines" ]; then
		subuid_unlock
		subuid_lock
		subuid_drop "$BATS_TEST_TMPDIR/lines"
		subuid_unlock
	fi
	common_teardown
}

# /etc/subuid is read by every container start, of other lanes and checkouts
# too: an edit here holds a lock all of them share (no lost or revived line)
# and replaces the file by a rename (nobody reads it half written)
subuid_lock() {
	exec {SUBUID_FD}>>/run/lock/warren-test-subuid
	flock "$SUBUID_FD"
}
subuid_unlock() {
	[ -z "${SUBUID_FD:-}" ] || exec {SUBUID_FD}>&-
	SUBUID_FD=
}

# subuid_drop FILE: /etc/subuid without the lines FILE lists
subuid_drop() {
	local tmp=/etc/.subuid.warren-test.$$
	grep -vxF -f "$1" /etc/subuid > "$tmp" || true
	chmod 0644 "$tmp"
	mv -f "$tmp" /etc/subuid
}

uid_map() { cat "/proc/$1/uid_map"; }
gid_map() { cat "/proc/$1/gid_map"; }

# refused HELPER ARGS...: exit non-zero with one line naming the helper
refused() {
	run --separate-stderr as_user "$@"
	echo "status=$status stderr=$stderr"
	[ "$status" -ne 0 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == "warren-new"[ug]"idmap: "* ]]
}

@test "the granted map (own ID plus the subordinate range) is written" {
	run as_user "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1 "$TEST_SUBUID_START" 65536
	[ "$status" -eq 0 ]
	[ "$(uid_map "$TARGET" | awk '{print $1, $2, $3}' | tr '\n' ' ')" = "0 $TEST_UID 1 1 $TEST_SUBUID_START 65536 " ]
	run as_user "$NEWGIDMAP" "$TARGET" 0 "$TEST_GID" 1 1 "$TEST_SUBUID_START" 65536
	[ "$status" -eq 0 ]
	[ "$(cat /proc/$TARGET/setgroups)" = "allow" ]
}

@test "another user's process is refused and its map stays empty" {
	other=$(userns_target "$NOSUB_USER")
	refused "$NEWUIDMAP" "$other" 0 "$TEST_UID" 1
	[[ "$stderr" == *"does not belong to you"* ]]
	[ -z "$(uid_map "$other")" ]
	refused "$NEWGIDMAP" "$other" 0 "$TEST_GID" 1
	[ -z "$(gid_map "$other")" ]
}

@test "a process outside any new user namespace, PID 0 and a missing PID are refused" {
	refused "$NEWUIDMAP" 0 0 "$TEST_UID" 1
	refused "$NEWUIDMAP" 999999999 0 "$TEST_UID" 1
	refused "$NEWUIDMAP" "$$" 0 "$TEST_UID" 1
	[ "$(uid_map $$ | awk '{print $1,$2,$3}')" = "0 0 4294967295" ]
}

@test "ranges that /etc/subuid does not grant are refused, and nothing is written" {
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1 "$TEST_SUBUID_START" 65537
	[[ "$stderr" == *"not granted"* ]]
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1 $((TEST_SUBUID_START - 1)) 10
	refused "$NEWUIDMAP" "$TARGET" 0 0 1
	refused "$NEWUIDMAP" "$TARGET" 0 "$NOSUB_UID" 1
	refused "$NEWGIDMAP" "$TARGET" 0 0 1
	[ -z "$(uid_map "$TARGET")" ]
	[ -z "$(gid_map "$TARGET")" ]
}

@test "the user without subordinate ranges gets only its own ID, and setgroups is denied" {
	target=$(userns_target "$NOSUB_USER")
	run --separate-stderr as_nosub "$NEWUIDMAP" "$target" 0 "$NOSUB_UID" 2
	[ "$status" -ne 0 ]
	[ -z "$(uid_map "$target")" ]
	run as_nosub "$NEWGIDMAP" "$target" 0 "$NOSUB_GID" 1
	[ "$status" -eq 0 ]
	[ "$(cat /proc/$target/setgroups)" = "deny" ]
	[ "$(gid_map "$target" | awk '{print $1,$2,$3}')" = "0 $NOSUB_GID 1" ]
}

@test "overlapping ranges are refused, inside and outside" {
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_SUBUID_START" 10 5 $((TEST_SUBUID_START + 100)) 10
	[[ "$stderr" == *"overlap inside"* ]]
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_SUBUID_START" 10 100 $((TEST_SUBUID_START + 5)) 10
	[[ "$stderr" == *"overlap outside"* ]]
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 0 "$TEST_SUBUID_START" 1
	[ -z "$(uid_map "$TARGET")" ]
}

@test "comment and garbage lines in /etc/subuid grant nothing" {
	# a range outside the test user's own (which may be anywhere: WARREN_TEST_SUBUID)
	g=$((TEST_SUBUID_START + 100000))
	# each line alone, so that nothing else could be what grants or refuses
	printf '%s\n' "#$TEST_USER:$g:100" "$TEST_USER:$g" "$TEST_USER:abc:100" \
		"$TEST_USER:0$g:100" "$TEST_USER:$g:0" "$TEST_USER:$g:100:5" \
		"$TEST_USER: $g:100" "$TEST_USER:-$g:100" "$TEST_USER:4294967290:100" \
		> "$BATS_TEST_TMPDIR/lines"
	while read -r line; do
		subuid_lock
		echo "$line" >> /etc/subuid
		refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1 $g 100
		printf '%s\n' "$line" > "$BATS_TEST_TMPDIR/line"
		subuid_drop "$BATS_TEST_TMPDIR/line"
		subuid_unlock
	done < "$BATS_TEST_TMPDIR/lines"
	[ -z "$(uid_map "$TARGET")" ]
}

@test "numbers that overflow or are not plain decimals are refused" {
	for bad in 4294967296 99999999999999999999 -1 +1 1e3 0x10 " 1" "" 01; do
		refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" "$bad"
		refused "$NEWUIDMAP" "$TARGET" "$bad" "$TEST_UID" 1
	done
	refused "$NEWUIDMAP" 4294967296 0 "$TEST_UID" 1
	# a range that wraps past the largest ID
	refused "$NEWUIDMAP" "$TARGET" 4294967295 "$TEST_UID" 1
	refused "$NEWUIDMAP" "$TARGET" 1 "$TEST_SUBUID_START" 4294967295
	[ -z "$(uid_map "$TARGET")" ]
}

@test "too many or too few arguments are refused" {
	args=()
	for i in $(seq 0 340); do args+=("$i" $((TEST_SUBUID_START + i)) 1); done
	refused "$NEWUIDMAP" "$TARGET" "${args[@]}"
	[[ "$stderr" == *"at most 340"* ]]
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID"
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1
	refused "$NEWUIDMAP" "$TARGET"
	refused "$NEWUIDMAP"
	[ -z "$(uid_map "$TARGET")" ]
}

@test "many granted ranges are accepted up to the kernel's one-page limit, refused past it" {
	args=()
	for i in $(seq 0 339); do args+=("$i" $((TEST_SUBUID_START + i)) 1); done
	refused "$NEWUIDMAP" "$TARGET" "${args[@]}"
	[[ "$stderr" == *"less than 4096"* ]]
	[ -z "$(uid_map "$TARGET")" ]
	run as_user "$NEWUIDMAP" "$TARGET" "${args[@]:0:900}"
	[ "$status" -eq 0 ]
	[ "$(uid_map "$TARGET" | wc -l)" -eq 300 ]
}

@test "a map cannot be written twice" {
	run as_user "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1
	[ "$status" -eq 0 ]
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_SUBUID_START" 1
	[ "$(uid_map "$TARGET" | awk '{print $1,$2,$3}')" = "0 $TEST_UID 1" ]
}

@test "the environment is ignored: a hostile LD_PRELOAD and odd locale change nothing" {
	run --separate-stderr as_user env LD_PRELOAD=/nonexistent.so LC_ALL=xx_XX.UTF-8 \
		NLSPATH=/tmp/%N "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1
	[ "$status" -eq 0 ]
	[ "$(uid_map "$TARGET" | awk '{print $1,$2,$3}')" = "0 $TEST_UID 1" ]
}

# both maps in one exec: warren-newuidmap PID UID-RANGES --gid GID-RANGES
# (what warren runs at each start), against the two helpers run one by one
@test "--gid: the uid helper writes both maps in one exec, the same maps the two helpers write" {
	two=$(userns_target "$TEST_USER")
	run as_user "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1 "$TEST_SUBUID_START" 65536 \
		--gid 0 "$TEST_GID" 1 1 "$TEST_SUBUID_START" 65536
	[ "$status" -eq 0 ]
	run as_user "$NEWUIDMAP" "$two" 0 "$TEST_UID" 1 1 "$TEST_SUBUID_START" 65536
	[ "$status" -eq 0 ]
	run as_user "$NEWGIDMAP" "$two" 0 "$TEST_GID" 1 1 "$TEST_SUBUID_START" 65536
	[ "$status" -eq 0 ]
	[ "$(uid_map "$TARGET" | wc -l)" -eq 2 ]
	[ "$(uid_map "$TARGET")" = "$(uid_map "$two")" ]
	[ "$(gid_map "$TARGET")" = "$(gid_map "$two")" ]
	[ "$(cat /proc/$TARGET/setgroups)" = "$(cat /proc/$two/setgroups)" ]
	[ "$(cat /proc/$TARGET/setgroups)" = "allow" ]
}

@test "--gid: a range either file does not grant refuses both maps, and neither is written" {
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 --gid 0 "$TEST_GID" 1 1 $((TEST_SUBUID_START - 1)) 10
	[[ "$stderr" == *"not granted to you by /etc/subgid"* ]]
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1 "$TEST_SUBUID_START" 65537 --gid 0 "$TEST_GID" 1
	[[ "$stderr" == *"not granted to you by /etc/subuid"* ]]
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 --gid 0 0 1
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 --gid 0 "$TEST_GID" 1 1 "$TEST_GID" 1
	[[ "$stderr" == *"overlap outside"* ]]
	[ -z "$(uid_map "$TARGET")" ]
	[ -z "$(gid_map "$TARGET")" ]
	[ "$(cat /proc/$TARGET/setgroups)" = "allow" ]
}

@test "--gid: malformed uses are refused (the gid helper, no ranges on a side, a second mark)" {
	refused "$NEWGIDMAP" "$TARGET" 0 "$TEST_GID" 1 --gid 0 "$TEST_GID" 1
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 --gid
	refused "$NEWUIDMAP" "$TARGET" --gid 0 "$TEST_GID" 1
	refused "$NEWUIDMAP" --gid 0 "$TEST_UID" 1 --gid 0 "$TEST_GID" 1
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 --gid 0 "$TEST_GID" 1 --gid 1 "$TEST_SUBUID_START" 1
	refused "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 --gid 0 "$TEST_GID"
	[ -z "$(uid_map "$TARGET")" ]
	[ -z "$(gid_map "$TARGET")" ]
}

@test "--gid: another user's process is refused; a user without ranges gets its own IDs, setgroups denied" {
	other=$(userns_target "$NOSUB_USER")
	refused "$NEWUIDMAP" "$other" 0 "$TEST_UID" 1 --gid 0 "$TEST_GID" 1
	[[ "$stderr" == *"does not belong to you"* ]]
	[ -z "$(uid_map "$other")" ]
	[ -z "$(gid_map "$other")" ]
	run as_nosub "$NEWUIDMAP" "$other" 0 "$NOSUB_UID" 1 --gid 0 "$NOSUB_GID" 1
	[ "$status" -eq 0 ]
	[ "$(uid_map "$other" | awk '{print $1,$2,$3}')" = "0 $NOSUB_UID 1" ]
	[ "$(gid_map "$other" | awk '{print $1,$2,$3}')" = "0 $NOSUB_GID 1" ]
	[ "$(cat /proc/$other/setgroups)" = "deny" ]
}

@test "a copy that is not setuid root refuses with the fix" {
	dir=$(user_tmpdir)
	cp "$NEWUIDMAP" "$dir/"
	chown "$TEST_USER" "$dir/warren-newuidmap"
	refused "$dir/warren-newuidmap" "$TARGET" 0 "$TEST_UID" 1
	[[ "$stderr" == *"chmod u+s"* ]]
}

@test "warren falls back to shadow's newuidmap when its own helpers are missing" {
	[ -u /usr/bin/newuidmap ]
	dir=$(user_tmpdir)
	cp "$WARREN" "$dir/"
	make_rootfs
	run --separate-stderr as_user env PATH=/usr/bin:/bin "$dir/warren" run --rm --network none --rootfs "$ROOTFS" cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | sed -n 2p | awk '{print $1,$2,$3}')" = "1 $TEST_SUBUID_START 65536" ]
}

# caps_helpers DIR: copies of shadow's newuidmap and newgidmap in DIR/caps,
# with no setuid bit and, as RHEL, Fedora and Rocky ship them, the file
# capabilities cap_setuid and cap_setgid instead; a copy of warren beside
# DIR, which finds no helpers of its own next to it
caps_helpers() {
	cp "$WARREN" "$1/"
	mkdir "$1/caps"
	install -m 0755 /usr/bin/newuidmap /usr/bin/newgidmap "$1/caps/"
	setcap cap_setuid+ep "$1/caps/newuidmap"
	setcap cap_setgid+ep "$1/caps/newgidmap"
	[ ! -u "$1/caps/newuidmap" ]
}

@test "shadow's helpers with file capabilities and no setuid bit (as RHEL ships them) give the full range; info says so" {
	dir=$(user_tmpdir)
	caps_helpers "$dir"
	make_rootfs
	run -0 as_user env PATH="$dir/caps" "$dir/warren" info
	[[ "$output" == *"subordinate ranges (helpers $dir/caps/newuidmap and $dir/caps/newgidmap, file capabilities)"* ]]
	run -0 --separate-stderr as_user env PATH="$dir/caps" "$dir/warren" run --rm --network none \
		--rootfs "$ROOTFS" cat /proc/self/uid_map /proc/self/gid_map
	[ -z "$stderr" ]
	[ "$(echo "$output" | awk '{print $1, $2, $3}')" = "$(printf '0 %s 1\n1 %s 65536\n0 %s 1\n1 %s 65536' \
		"$TEST_UID" "$TEST_SUBUID_START" "$(id -g "$TEST_USER")" "$TEST_SUBUID_START")" ]
}

@test "helpers with neither setuid nor file capabilities: single-ID mode naming the helper and both fixes" {
	dir=$(user_tmpdir)
	caps_helpers "$dir"
	setcap -r "$dir/caps/newgidmap"
	run -0 as_user env PATH="$dir/caps" "$dir/warren" info
	[[ "$output" == *"user namespace:   single-ID"* ]]
	[[ "$output" == *"$dir/caps/newgidmap is neither setuid root nor given cap_setuid/cap_setgid file capabilities"* ]]
	# cap_setuid on the gid helper is the wrong capability
	setcap cap_setuid+ep "$dir/caps/newgidmap"
	run -0 as_user env PATH="$dir/caps" "$dir/warren" info
	[[ "$output" == *"user namespace:   single-ID"* ]]
}

# nss_subid DIR: DIR for run_as_in where the test user's range comes only
# from a subid source named in nsswitch.conf (tests/setup.d/30-hosts.sh's
# module, standing in for SSSD): its lines are out of DIR/subuid and
# DIR/subgid, and DIR/warren-test-subid grants the same range instead
nss_subid() {
	subid_copy "$1"
	sed -i "/^$TEST_USER:/d" "$1/subuid" "$1/subgid"
	{ grep -v '^subid:' /etc/nsswitch.conf; echo 'subid:  warrentest'; } > "$1/nsswitch.conf"
	printf 'u %s %s 65536\ng %s %s 65536\n' "$TEST_USER" "$TEST_SUBUID_START" \
		"$TEST_USER" "$TEST_SUBUID_START" > "$1/warren-test-subid"
	chmod 0644 "$1/nsswitch.conf" "$1/warren-test-subid"
}

@test "ranges from a libsubid source in nsswitch.conf (as SSSD gives them) map the full range through shadow's helpers" {
	dir=$(user_tmpdir)
	nss_subid "$dir"
	make_rootfs
	run -0 run_as_in "$dir" "$TEST_USER" "$WARREN" info
	[[ "$output" == *"subordinate ranges (helpers /usr/bin/newuidmap and /usr/bin/newgidmap, setuid root)"* ]]
	[[ "$output" == *"ranges from 'warrentest' (the subid source of /etc/nsswitch.conf)"* ]]
	run -0 --separate-stderr run_as_in "$dir" "$TEST_USER" "$WARREN" run --rm --network none \
		--rootfs "$ROOTFS" cat /proc/self/uid_map /proc/self/gid_map
	[ -z "$stderr" ]
	[ "$(echo "$output" | awk 'NR == 2 || NR == 4 {print $1, $2, $3}')" = \
		"$(printf '1 %s 65536\n1 %s 65536' "$TEST_SUBUID_START" "$TEST_SUBUID_START")" ]
	# the files alone (no subid line) grant this user nothing here
	rm "$dir/nsswitch.conf"
	run -0 run_as_in "$dir" "$TEST_USER" "$WARREN" info
	[[ "$output" == *"user namespace:   single-ID"* ]]
}

@test "a libsubid source that grants nothing: single-ID, the warning naming the source and the files it stands for" {
	dir=$(user_tmpdir)
	nss_subid "$dir"
	: > "$dir/warren-test-subid"
	run -0 run_as_in "$dir" "$TEST_USER" "$WARREN" info
	[[ "$output" == *"user namespace:   single-ID"* ]]
	[[ "$output" == *"no subordinate ID ranges for user $TEST_USER from 'warrentest', the subid source of /etc/nsswitch.conf (which stands for /etc/subuid and /etc/subgid)"* ]]
	# a range past the last ID is refused, naming it
	printf 'u %s 4294967000 65536\ng %s 4294967000 65536\n' "$TEST_USER" "$TEST_USER" > "$dir/warren-test-subid"
	run -0 run_as_in "$dir" "$TEST_USER" "$WARREN" info
	[[ "$output" == *"user namespace:   single-ID"* ]]
	[[ "$output" == *"range 4294967000+65536 that 'warrentest' gives user $TEST_USER runs past the last ID"* ]]
}

# --- /etc/subuid as large sites have it: in a private mount namespace ------

# big_subid DIR: DIR/subuid and DIR/subgid, the real files without the test
# user's lines, then 2 MiB of other users' lines (past the 1 MiB that the old
# helpers read at most)
big_subid() {
	subid_copy "$1"
	for f in "$1/subuid" "$1/subgid"; do
		grep -v "^$TEST_USER:" "$f" > "$f.new" || true
		awk 'BEGIN { for (i = 0; i < 80000; i++) printf "bigsite%d:%d:10\n", i, 3000000000 + 10 * i }' >> "$f.new"
		mv "$f.new" "$f"
		chmod 0644 "$f"
	done
	[ "$(stat -c %s "$1/subuid")" -gt $((2 * 1024 * 1024)) ]
}

# hundred_ranges DIR: 100 ranges of 500 IDs for the test user at the end of
# DIR's files (inside its own range: no other user's IDs); MAP the uid_map
# they make with the user's own ID as 0, ARGS the helper's arguments for it
hundred_ranges() {
	local i inside=1 start
	ARGS=(0 "$TEST_UID" 1)
	MAP="0 $TEST_UID 1"
	for i in $(seq 0 99); do
		start=$((TEST_SUBUID_START + 600 * i))
		echo "$TEST_USER:$start:500" | tee -a "$1/subuid" >> "$1/subgid"
		ARGS+=("$inside" "$start" 500)
		MAP+=$'\n'"$inside $start 500"
		inside=$((inside + 500))
	done
}

# map_of PID FILE: the map, one "inside outside count" line each
map_of() { awk '{print $1, $2, $3}' "/proc/$1/$2"; }

@test "a 2 MiB /etc/subuid with 100 ranges for the user: the helper maps all of them, as shadow's newuidmap does" {
	d=$BATS_TEST_TMPDIR/big
	big_subid "$d"
	hundred_ranges "$d"
	run --separate-stderr run_as_in "$d" "$TEST_USER" "$NEWUIDMAP" "$TARGET" "${ARGS[@]}"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(map_of "$TARGET" uid_map)" = "$MAP" ]
	# the peer: shadow's helper on the same file takes the same map
	if [ -u /usr/bin/newuidmap ]; then
		peer=$(userns_target "$TEST_USER")
		run --separate-stderr run_as_in "$d" "$TEST_USER" /usr/bin/newuidmap "$peer" "${ARGS[@]}"
		[ "$status" -eq 0 ]
		[ "$(map_of "$peer" uid_map)" = "$(map_of "$TARGET" uid_map)" ]
	fi
}

@test "a container of a user with 100 ranges in a 2 MiB /etc/subuid maps every range, with no warning" {
	d=$BATS_TEST_TMPDIR/big
	big_subid "$d"
	hundred_ranges "$d"
	make_rootfs
	run --separate-stderr run_as_in "$d" "$TEST_USER" "$WARREN" run --network none \
		--rootfs "$ROOTFS" sh -c 'cat /proc/self/uid_map; echo; cat /proc/self/gid_map'
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | sed '/^$/,$d' | awk '{print $1, $2, $3}')" = "$MAP" ]
	[ "$(echo "$output" | sed '1,/^$/d' | awk '{print $1, $2, $3}')" = "${MAP/$TEST_UID/$TEST_GID}" ]
}

@test "hostile lines past the first MiB: an over-long line and NUL bytes grant nothing; the last line without a newline does" {
	d=$BATS_TEST_TMPDIR/big
	big_subid "$d"
	g=$((TEST_SUBUID_START + 1000))
	{
		# a line longer than any buffer whose tail would grant the range
		head -c 10000 /dev/zero | tr '\0' x
		echo "$TEST_USER:$g:100"
		# NUL bytes: inside a line, and before a line that alone would grant
		printf '%s\0\n' "$TEST_USER:$g:100"
		printf 'x\0%s\n' "$TEST_USER:$g:100"
		printf '%s\0:100\n' "$TEST_USER:$g"
		# granted: the last line, without a newline
		printf '%s' "$TEST_USER:$((g + 500)):10"
	} | tee -a "$d/subuid" >> "$d/subgid"
	refused_in() {
		run --separate-stderr run_as_in "$d" "$TEST_USER" "$@"
		echo "status=$status stderr=$stderr"
		[ "$status" -ne 0 ] && [[ "$stderr" == *"not granted"* ]]
	}
	refused_in "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1 "$g" 100
	refused_in "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1 "$g" 1
	refused_in "$NEWGIDMAP" "$TARGET" 0 "$TEST_GID" 1 1 "$g" 1
	[ -z "$(uid_map "$TARGET")" ]
	run run_as_in "$d" "$TEST_USER" "$NEWUIDMAP" "$TARGET" 0 "$TEST_UID" 1 1 $((g + 500)) 10
	[ "$status" -eq 0 ]
	[ "$(map_of "$TARGET" uid_map | tr '\n' ' ')" = "0 $TEST_UID 1 1 $((g + 500)) 10 " ]
	# shadow's helper takes the same last line after an over-long one (it
	# grants that one's tail, and lines with NUL bytes: ours is stricter;
	# after a NUL it loses a last line without a newline, so none here)
	if [ -u /usr/bin/newuidmap ]; then
		big_subid "$d/peer"
		{
			head -c 10000 /dev/zero | tr '\0' x
			echo "$TEST_USER:$g:100"
			printf '%s' "$TEST_USER:$((g + 500)):10"
		} | tee -a "$d/peer/subuid" >> "$d/peer/subgid"
		peer=$(userns_target "$TEST_USER")
		run run_as_in "$d/peer" "$TEST_USER" /usr/bin/newuidmap "$peer" 0 "$TEST_UID" 1 1 $((g + 500)) 10
		[ "$status" -eq 0 ]
		[ "$(map_of "$peer" uid_map)" = "$(map_of "$TARGET" uid_map)" ]
	fi
}

@test "the single-ID hint suggests a range no line of /etc/subuid or /etc/subgid overlaps, and that range works" {
	d=$BATS_TEST_TMPDIR/ids
	subid_copy "$d"
	# the range the old hint always named, and the next one, taken
	echo "hintother1:100000:65536" >> "$d/subuid"
	echo "hintother2:165536:65536" >> "$d/subgid"
	make_rootfs "$NOSUB_USER"
	run --separate-stderr run_as_in "$d" "$NOSUB_USER" "$WARREN" run --network none --rootfs "$ROOTFS" /bin/true
	echo "$stderr"
	[ "$status" -eq 0 ]
	[[ "$stderr" =~ --add-subuids\ ([0-9]+)-([0-9]+)\ --add-subgids\ ([0-9]+)-([0-9]+)\ $NOSUB_USER ]]
	a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]}
	[ "${BASH_REMATCH[3]}-${BASH_REMATCH[4]}" = "$a-$b" ]
	[ $((b - a + 1)) -eq 65536 ]
	[ "$a" -ge 100000 ]
	# free in both files: no valid line of either overlaps it
	overlaps=$(cat "$d/subuid" "$d/subgid" | awk -F: -v a="$a" -v b="$b" \
		'NF == 3 && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ && $2 <= b && $2 + $3 - 1 >= a')
	echo "overlapping: $overlaps"
	[ -z "$overlaps" ]
	# and what the hint says to do gives the user that range
	echo "$NOSUB_USER:$a:65536" | tee -a "$d/subuid" >> "$d/subgid"
	run --separate-stderr run_as_in "$d" "$NOSUB_USER" "$WARREN" run --network none --rootfs "$ROOTFS" cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(echo "$output" | sed -n 2p | awk '{print $1, $2, $3}')" = "1 $a 65536" ]
}
