#!/usr/bin/env bats
# `top CTR [ps OPTIONS | DESCRIPTORS]` (Docker's ps options, podman's
# descriptors, compared with rootless podman's columns) and streaming
# `stats` (a new table each second off a terminal, redrawn in place on one,
# ending when the containers stop).

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() { lc_setup; }
teardown() { lc_teardown; }

# heads: the first line of $output, its columns one space apart
heads() { echo "${lines[0]}" | tr -s ' '; }

@test "top with podman's descriptors gives podman's columns and the container's view" {
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
	warren run -d --name tw --network none --rootfs "$ROOTFS" sleep infinity >/dev/null
	podman_u run -d --name tp --network none --rootfs "$ROOTFS" sleep infinity >/dev/null
	for d in "pid ppid user args comm etime time pcpu" "comm group tty"; do
		run warren top tw $d
		[ "$status" -eq 0 ]
		w=$(heads)
		wrow=${lines[1]}
		run podman_u top tp $d
		[ "$status" -eq 0 ]
		p=$(heads)
		echo "$d: warren [$w] podman [$p]"
		[ "$w" = "$p" ]
		[ "${#lines[@]}" -eq 2 ]
	done
	# the values podman shows for these columns
	w=$(warren top tw user comm args | sed 1d | tr -s ' ' | sed 's/ $//')
	p=$(podman_u top tp user comm args | sed 1d | tr -s ' ' | sed 's/ $//')
	echo "values: warren [$w] podman [$p]"
	[ "$w" = "$p" ]
	[ "$(warren top tw pid | sed 1d | tr -d ' ')" = "$(warren inspect --format '{{.State.Pid}}' tw)" ]
	# descriptors may also come comma-separated
	[ "$(warren top tw user,pid,args | head -1 | tr -s ' ')" = "USER PID COMMAND" ]
	podman_u rm -f tp >/dev/null
}

@test "top with ps options runs the host's ps and keeps the container's rows" {
	warren run -d --name to --rootfs "$ROOTFS" sh -c 'sleep infinity & sleep 300; exit 0' >/dev/null
	pid=$(warren inspect --format '{{.State.Pid}}' to)
	for ((i = 0; i < 100; i++)); do
		[ "$(warren top to pid | wc -l)" -eq 4 ] && break
		sleep 0.05
	done
	run warren top to -o pid,args
	[ "$status" -eq 0 ]
	[ "$(heads)" = "PID COMMAND" ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "$output" == *"sleep 300"* ]]
	[[ "$output" =~ (^|$'\n')\ *$pid\ +sh\ -c ]]
	run warren top to aux
	[ "$(heads)" = "$(ps aux | head -1 | tr -s ' ')" ]
	[ "${#lines[@]}" -eq 4 ]
	run warren top to -ef
	[ "$(heads)" = "UID PID PPID C STIME TTY TIME CMD" ]
	[ "${#lines[@]}" -eq 4 ]
	# no PID column: Docker's refusal, one line, exit 1
	run --separate-stderr warren top to -o args
	one_line_err
	[[ "$stderr" == *PID* ]]
	run --separate-stderr warren top to --frobnicate
	one_line_err
}

@test "stats streams a table a second off a terminal and ends when the container stops" {
	warren run -d --name s1 --rootfs "$ROOTFS" sleep infinity >/dev/null
	out=$(user_tmpdir)/stats
	as_user timeout 60 "$WARREN" stats --format '{{.Name}} {{.PIDs}}' s1 >"$out" 3>&- &
	bg=$!
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c '^s1 1$' "$out")" -ge 3 ] && break
		sleep 0.05
	done
	[ "$(grep -c '^s1 1$' "$out")" -ge 3 ]
	warren kill s1 >/dev/null
	st=0
	wait $bg || st=$?
	[ "$st" -eq 0 ] # it ended by itself, not by timeout's 124
	[ "$(tail -1 "$out")" = "s1 0" ]
	# the default table is printed again and again, header included
	warren run -d --name s2 --rootfs "$ROOTFS" sleep infinity >/dev/null
	as_user timeout 60 "$WARREN" stats s2 >"$out" 3>&- &
	bg=$!
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c '^CONTAINER ID' "$out")" -ge 2 ] && break
		sleep 0.05
	done
	[ "$(grep -c '^CONTAINER ID' "$out")" -ge 2 ]
	warren kill s2 >/dev/null
	st=0
	wait $bg || st=$?
	[ "$st" -eq 0 ]
}

@test "stats on a terminal redraws in place" {
	warren run -d --name s3 --rootfs "$ROOTFS" sleep infinity >/dev/null
	raw=$(user_tmpdir)/raw
	tmux_start "$WARREN stats --format 'tick {{.Name}}' s3; echo STATS-DONE"
	tmux pipe-pane -t "$TMUX_SESSION" "cat >> $raw"
	# two redraws: each clears the screen and homes the cursor first
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -ao $'\e\\[2J\e\\[H' "$raw" | wc -l)" -ge 2 ] && break
		sleep 0.05
	done
	[ "$(grep -ao $'\e\\[2J\e\\[H' "$raw" | wc -l)" -ge 2 ]
	[ "$(tmux_screen | grep -c '^tick s3$')" -eq 1 ]
	warren kill s3 >/dev/null
	tmux_wait_for STATS-DONE 20
}
