#!/usr/bin/env bats
# -t in a real terminal (tmux): raw mode, resizes, Ctrl-C into the
# container, detach with ctrl-p ctrl-q and attach again.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

setup() { lc_setup; }
teardown() { lc_teardown; }

@test "run -it gives the container a terminal of the window's size; typed lines run" {
	tmux_start "$WARREN run -it --name tt --rootfs $ROOTFS sh; echo EXIT=\$?"
	tmux_wait_for "#"
	tmux send-keys -t "$TMUX_SESSION" 'tty -s && echo IS-A-TTY; stty size' Enter
	tmux_wait_for IS-A-TTY
	tmux_wait_for "40 120"
	tmux send-keys -t "$TMUX_SESSION" 'exit 3' Enter
	tmux_wait_for "EXIT=3"
}

@test "resizing the window resizes the container's terminal" {
	tmux_start "$WARREN run -it --rootfs $ROOTFS sh"
	tmux_wait_for "#"
	tmux resize-window -t "$TMUX_SESSION" -x 100 -y 30
	sleep 0.3
	tmux send-keys -t "$TMUX_SESSION" 'stty size' Enter
	tmux_wait_for "30 100"
}

@test "Ctrl-C with -t reaches the container's foreground process, not warren" {
	tmux_start "$WARREN run -it --rootfs $ROOTFS sh -c 'trap \"echo CAUGHT-INT\" INT; echo READY; while :; do sleep 0.1; done'"
	tmux_wait_for READY
	tmux send-keys -t "$TMUX_SESSION" C-c
	tmux_wait_for CAUGHT-INT
	tmux send-keys -t "$TMUX_SESSION" C-c
	sleep 0.2
	[ "$(tmux_screen | grep -c CAUGHT-INT)" -ge 2 ]
	[ "$(state "$(warren ps -q)")" = running ]
}

@test "ctrl-p ctrl-q detaches and leaves it running; attach comes back" {
	tmux_start "$WARREN run -it --name dt --rootfs $ROOTFS sh; echo DETACHED=\$?"
	tmux_wait_for "#"
	tmux send-keys -t "$TMUX_SESSION" 'echo before' Enter
	tmux_wait_for before
	tmux send-keys -t "$TMUX_SESSION" C-p C-q
	tmux_wait_for "DETACHED=0"
	[ "$(state dt)" = running ]
	tmux_start "$WARREN attach dt; echo ATTACH=\$?"
	sleep 0.3
	tmux send-keys -t "$TMUX_SESSION" 'echo again-$((40+2))' Enter
	tmux_wait_for again-42
	tmux send-keys -t "$TMUX_SESSION" 'exit 0' Enter
	tmux_wait_for "ATTACH=0"
	wait_state dt exited
}

@test "a lone ctrl-p is passed through to the container" {
	tmux_start "$WARREN run -it --rootfs $ROOTFS sh -c 'stty raw -echo; head -c 2 | od -An -tx1; stty sane'"
	sleep 0.5
	tmux send-keys -t "$TMUX_SESSION" C-p a
	tmux_wait_for "10 61"
}

@test "exec -it gets a terminal too; run -d -t keeps one for later attach" {
	warren run -d -it --name bg --rootfs "$ROOTFS" sh >/dev/null
	tmux_start "$WARREN exec -it bg sh -c '[ -t 0 ] && [ -t 1 ] && echo EXEC-TTY; stty size'"
	tmux_wait_for EXEC-TTY
	tmux_wait_for "40 120"
}

@test "run -t: tty names /dev/pts/0, a node of the container's own devpts" {
	tmux_start "$WARREN run -t --rm --rootfs $ROOTFS sh -c 'echo T=\$(tty); [ -c \"\$(tty)\" ] && echo NODE-OK; readlink /proc/self/fd/1'; echo EXIT=\$?"
	tmux_wait_for "EXIT=0"
	run tmux_screen
	[[ "$output" == *"T=/dev/pts/0"* ]]
	[[ "$output" == *NODE-OK* ]]
	[[ "$output" != *"not a tty"* ]]
	# stdout is the same terminal, under the container's /dev/pts
	[ "$(grep -c '^/dev/pts/0' <<<"$output")" -eq 1 ]
}

@test "run -t of an image container: tty names /dev/pts/0; stty size is the window's" {
	tar -C "$ROOTFS_PRISTINE" --numeric-owner -cf "$(dirname "$ROOTFS")/bb.tar" .
	chmod 644 "$(dirname "$ROOTFS")/bb.tar"
	warren import "$(dirname "$ROOTFS")/bb.tar" bbtty:1 >/dev/null
	tmux_start "$WARREN run -t --rm bbtty:1 sh -c 'echo T=\$(tty); echo SIZE=\$(stty size)'; echo EXIT=\$?"
	tmux_wait_for "EXIT=0"
	tmux_wait_for "T=/dev/pts/0"
	tmux_wait_for "SIZE=40 120"
}

@test "create -t then start -a: the command's terminal is /dev/pts/0 in the container" {
	warren create -t --name ct --rootfs "$ROOTFS" sh -c 'echo T=$(tty); [ -c "$(tty)" ] && echo NODE-OK' >/dev/null
	tmux_start "$WARREN start -a ct; echo EXIT=\$?"
	tmux_wait_for "EXIT=0"
	tmux_wait_for "T=/dev/pts/0"
	tmux_wait_for NODE-OK
}

@test "exec -t: tty names a /dev/pts/N that exists in the container; its size follows the window" {
	warren run -d -it --name ex --rootfs "$ROOTFS" sh >/dev/null
	tmux_start "$WARREN exec -it ex sh -c 'echo T=\$(tty); [ -c \"\$(tty)\" ] && echo NODE-OK; stty size; read x; stty size; echo DONE'"
	tmux_wait_for NODE-OK
	run tmux_screen
	[[ "$output" =~ T=/dev/pts/[0-9]+ ]]
	[[ "$output" == *"40 120"* ]]
	# the same name is there for every process of the container
	n=$(grep -o 'T=/dev/pts/[0-9]*' <<<"$output" | cut -d= -f2)
	run warren exec ex ls "$n"
	[ "$status" -eq 0 ]
	[ "$output" = "$n" ]
	tmux resize-window -t "$TMUX_SESSION" -x 90 -y 25
	sleep 0.3
	tmux send-keys -t "$TMUX_SESSION" Enter
	tmux_wait_for DONE
	tmux_wait_for "25 90"
}

@test "run -it without subordinate IDs: /dev/pts/0, the window's size, a typed exit code" {
	make_rootfs "$NOSUB_USER"
	TMUX_USER=$NOSUB_USER tmux_start "$WARREN run -it --rm --rootfs $ROOTFS sh; echo EXIT=\$?"
	tmux_wait_for "#"
	tmux send-keys -t "$TMUX_SESSION" 'echo T=$(tty); stty size' Enter
	tmux_wait_for "T=/dev/pts/0"
	tmux_wait_for "40 120"
	tmux send-keys -t "$TMUX_SESSION" 'exit 4' Enter
	tmux_wait_for "EXIT=4"
}
