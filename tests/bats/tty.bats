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
