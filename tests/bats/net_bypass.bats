#!/usr/bin/env bats
# Socket switching (--network slirp, on unless bypass=false): a container's
# outbound TCP connect is made by warren-net in the host's network namespace
# and the socket put in place of the container's own. Each test runs the same
# steps with the switch and without it (libslirp's path) and compares what a
# program or the host sees. Servers on 127.0.0.1 at ports from free_port.

bats_require_minimum_version 1.5.0

load helpers
load net_helpers

setup() {
	make_rootfs
	cp "$WARREN_TEST_ROOT/net/nbconnect" "$ROOTFS/bin/nbconnect"
	chown "$TEST_USER:$TEST_GID" "$ROOTFS/bin/nbconnect"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	common_teardown
}

# echo_server PORT: answers each connection's first line with "got: LINE"
echo_server() {
	python3 - "$1" <<'PY' >/dev/null 2>&1 &
import socket, sys, threading
srv = socket.create_server(("127.0.0.1", int(sys.argv[1])))
def serve(c):
    with c:
        line = c.makefile("rb").readline()
        c.sendall(b"got: " + line)
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
	PIDS+=($!)
	wait_for_listen "$1"
}

# hold_server PORT: accepts connections and keeps them open
hold_server() {
	python3 - "$1" <<'PY' >/dev/null 2>&1 &
import socket, sys
srv = socket.create_server(("127.0.0.1", int(sys.argv[1])))
held = []
while True:
    held.append(srv.accept()[0])
PY
	PIDS+=($!)
	wait_for_listen "$1"
}

# client_owner PORT: the process holding the host's client end of a
# connection to 127.0.0.1:PORT, once there is one
client_owner() {
	local i out
	for ((i = 0; i < 200; i++)); do
		out=$(ss -Htnp state established "dst 127.0.0.1:$1")
		[[ "$out" =~ users:\(\(\"([^\"]+)\" ]] && { echo "${BASH_REMATCH[1]}"; return 0; }
		sleep 0.05
	done
	return 1
}

@test "with the switch an outbound connection's host socket is the container's program's, without it warren-net's" {
	port=$(free_port)
	hold_server "$port"
	for user in "$TEST_USER" "$NOSUB_USER"; do
		for opt in "" ",bypass=false"; do
			run_as "$user" "$WARREN" run --rm --network "slirp:allow_host_loopback=true$opt" \
				--rootfs "$ROOTFS" sh -c "sleep 60 | nc 10.0.2.2 $port" > /dev/null 2>&1 &
			PIDS+=($!)
			owner=$(client_owner "$port")
			echo "$user$opt: $owner"
			if [ -z "$opt" ]; then [ "$owner" = nc ]; else [ "$owner" = warren-net ]; fi
			pkill -u "$user" -x nc; pkill -u "$user" -x sleep
			wait "${PIDS[-1]}" || true
		done
	done
}

@test "a blocking and a non-blocking connect give a program the same results switched as on libslirp's path" {
	port=$(free_port)
	echo_server "$port"
	for flag in "" "-n"; do
		nb=0
		[ -z "$flag" ] || nb=1
		run --separate-stderr warren run --rm --network slirp:allow_host_loopback=true \
			--rootfs "$ROOTFS" nbconnect $flag 10.0.2.2 "$port"
		switched=$output sst=$status
		run --separate-stderr warren run --rm --network slirp:allow_host_loopback=true,bypass=false \
			--rootfs "$ROOTFS" nbconnect $flag 10.0.2.2 "$port"
		echo "switched ($sst): $switched"
		echo "libslirp ($status): $output"
		[ "$sst" -eq 0 ] && [ "$status" -eq 0 ]
		[ "$switched" = "$output" ]
		[[ "$output" == *"reply: got: hello"* ]]
		[[ "$output" == *"nonblock=$nb cloexec=1"* ]]
	done
}

@test "a refused connect, and one to the gateway without allow_host_loopback, fail as on libslirp's path" {
	port=$(free_port)
	for opts in allow_host_loopback=true, ""; do
		for flag in "" "-n"; do
			# (stderr apart: a sanitizer build's warnings name PIDs)
			run --separate-stderr warren run --rm --network "slirp:${opts}bypass=true" \
				--rootfs "$ROOTFS" nbconnect $flag 10.0.2.2 "$port"
			switched=$output sst=$status
			run --separate-stderr warren run --rm --network "slirp:${opts}bypass=false" --rootfs "$ROOTFS" \
				nbconnect $flag 10.0.2.2 "$port"
			echo "$opts $flag switched ($sst): $switched"
			echo "$opts $flag libslirp ($status): $output"
			[ "$sst" -eq 1 ] && [ "$status" -eq 1 ]
			[ "$switched" = "$output" ]
			# libslirp refuses for the host; without host loopback the gateway
			# is unreachable
			if [ -n "$opts" ]; then
				[[ "$output" == *"connect: Connection refused"* ]]
			else
				[[ "$output" == *"connect: Network is unreachable"* ]]
			fi
		done
	done
}

@test "32 MiB from the container to the host's loopback arrive intact through a switched socket" {
	port=$(free_port)
	python3 - "$port" <<'PY' >/dev/null 2>&1 &
import hashlib, socket, sys
srv = socket.create_server(("127.0.0.1", int(sys.argv[1])))
c, _ = srv.accept()
h, left = hashlib.sha256(), 32 << 20
while left:
    b = c.recv(min(left, 1 << 20))
    if not b:
        break
    h.update(b)
    left -= len(b)
c.sendall(h.hexdigest().encode() + b"\n")
PY
	PIDS+=($!)
	wait_for_listen "$port"
	run warren run --rm --network slirp:allow_host_loopback=true --rootfs "$ROOTFS" sh -c "
		dd if=/dev/urandom of=/tmp/blob bs=1M count=32 2>/dev/null
		sha256sum /tmp/blob | cut -d' ' -f1
		nc 10.0.2.2 $port < /tmp/blob"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${#lines[0]}" -eq 64 ]
	[ "${lines[0]}" = "${lines[1]}" ]
}

@test "connections inside the container stay there: a server on its own loopback" {
	run warren run --rm --network slirp --rootfs "$ROOTFS" sh -c '
		echo hi | nc -l -p 8080 > /tmp/got &
		until nbconnect 127.0.0.1 8080 > /dev/null 2>&1; do sleep 0.05; done
		wait; cat /tmp/got'
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
}

@test "inspect says whether the container's connections are switched" {
	run warren create --network slirp --rootfs "$ROOTFS" true
	[ "$(warren inspect -f '{{.HostConfig.NetworkBypass}}' "$output")" = true ]
	run warren create --network slirp:bypass=false --rootfs "$ROOTFS" true
	[ "$(warren inspect -f '{{.HostConfig.NetworkBypass}}' "$output")" = false ]
	run warren create --network none --rootfs "$ROOTFS" true
	[ "$(warren inspect -f '{{.HostConfig.NetworkBypass}}' "$output")" = false ]
	run --separate-stderr warren run --rm --network slirp:bypass=maybe --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"bypass=true|false"* ]]
}
