#!/usr/bin/env bats
# Socket switching (--network slirp, on unless bypass=false): a container's
# outbound TCP connect is made by warren-net in the host's network namespace
# and the socket put in place of the container's own; a listener on a
# published TCP port is bound on the host's side of the port instead. Each
# test runs the same steps with the switch and without it (libslirp's path,
# the splice forwarder) and compares what a program or the host sees.
# Servers on 127.0.0.1 at ports from free_port.

bats_require_minimum_version 1.5.0

load helpers
load net_helpers

setup() {
	make_rootfs
	cp "$WARREN_TEST_ROOT/net/nbconnect" "$WARREN_TEST_ROOT/net/nbaccept" "$ROOTFS/bin/"
	# waitlisten FILE...: until each nbaccept's FILE says it listens (10 s)
	printf '%s\n' '#!/bin/sh' 'i=0' 'for f; do' \
		'	until grep -q listening "$f" 2>/dev/null; do' \
		'		i=$((i + 1)); [ $i -lt 200 ] || { echo "nothing listens: $f"; exit 1; }; sleep 0.05' \
		'	done' 'done' > "$ROOTFS/bin/waitlisten"
	chmod 0755 "$ROOTFS/bin/waitlisten"
	chown "$TEST_USER:$TEST_GID" "$ROOTFS/bin/nbconnect" "$ROOTFS/bin/nbaccept" "$ROOTFS/bin/waitlisten"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -f "/home/$TEST_USER/.config/warren/warren.conf" # the slirp-options test's
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
			# single-ID: the fake IDs hold the one seccomp listener a process
			# may have (tests/bats/pkg_install.bats), so no switching
			if [ -z "$opt" ] && [ "$user" = "$TEST_USER" ]; then [ "$owner" = nc ]; else [ "$owner" = warren-net ]; fi
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
	# no seccomp at all, as in Docker: /proc says so, and nothing is switched
	for opt in --privileged "--security-opt seccomp=unconfined"; do
		run warren run --rm $opt --network slirp --rootfs "$ROOTFS" grep Seccomp: /proc/self/status
		[[ "${lines[0]}" =~ ^Seccomp:[[:space:]]+0$ ]]
		run warren create $opt --network slirp --rootfs "$ROOTFS" true
		[ "$(warren inspect -f '{{.HostConfig.NetworkBypass}}' "$output")" = false ]
	done
	# single-ID with the fake IDs: not switched, and inspect says so
	make_rootfs "$NOSUB_USER"
	run warren_nosub create --network slirp --rootfs "$ROOTFS" true
	[ "$(warren_nosub inspect -f '{{.HostConfig.NetworkBypass}}' "${lines[-1]}")" = false ]
	run warren_nosub create --network slirp --security-opt fake-chown=false --rootfs "$ROOTFS" true
	[ "$(warren_nosub inspect -f '{{.HostConfig.NetworkBypass}}' "${lines[-1]}")" = true ]
	run --separate-stderr warren run --rm --network slirp:bypass=maybe --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"bypass=true|false"* ]]
}

@test "slirp-options in warren.conf: the default network's options for run and create, a flag still wins" {
	local conf=/home/$TEST_USER/.config/warren
	as_user mkdir -p "$conf"
	echo "slirp-options = bypass=false,allow_host_loopback=true" | as_user tee "$conf/warren.conf" > /dev/null
	run warren create --rootfs "$ROOTFS" true
	[ "$(warren inspect -f '{{.HostConfig.NetworkBypass}}' "$output")" = false ]
	run warren create --network slirp:bypass=true --rootfs "$ROOTFS" true
	[ "$(warren inspect -f '{{.HostConfig.NetworkBypass}}' "$output")" = true ]
	# a bad value: one line naming the file and line, 125, nothing created
	n=$(warren ps -aq | wc -l)
	printf '# switched off\nslirp-options = bypass=maybe\n' | as_user tee "$conf/warren.conf" > /dev/null
	for cmd in run create; do
		run --separate-stderr warren $cmd --rm --rootfs "$ROOTFS" true
		echo "$stderr"
		[ "$status" -eq 125 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == *"warren.conf:2"*"bypass=true|false"* ]]
	done
	[ "$(warren ps -aq | wc -l)" -eq "$n" ]
}

# host_peer ADDR PORT [SOURCE]: what nbaccept behind ADDR:PORT answers a
# host client bound to SOURCE (127.0.0.2, or ::1 for an IPv6 ADDR), retrying
# while the container's server starts (or binds again); twice, the second
# answer printed, so that no connection taken before it listened counts
host_peer() {
	python3 - "$@" <<'PY'
import socket, sys, time
addr, port = sys.argv[1], int(sys.argv[2])
six = ":" in addr
src = sys.argv[3] if len(sys.argv) > 3 else ("::1" if six else "127.0.0.2")
def ask():
    s = socket.socket(socket.AF_INET6 if six else socket.AF_INET)
    s.settimeout(10)
    s.bind((src, 0))
    s.connect((addr, port))
    out = b""
    while True:
        b = s.recv(256)
        if not b:
            break
        out += b
    s.close()
    return out.decode().strip()
def answer():
    for _ in range(300):
        try:
            out = ask()
            if out.startswith("peer="):
                return out
        except OSError:
            pass
        time.sleep(0.05)
    return "none"
answer()
print(answer())
PY
}

@test "a published port's server sees the client's real address, as on the host; unswitched, the forwarder's" {
	port=$(free_port)
	# the reference: the same server on the host itself
	timeout 30 runuser -u "$TEST_USER" -- "$WARREN_TEST_ROOT/net/nbaccept" "$port" 2 > /dev/null &
	PIDS+=($!)
	wait_for_listen "$port"
	host=$(host_peer 127.0.0.1 "$port")
	wait "${PIDS[-1]}"
	d=$(user_tmpdir)
	warren run --rm -p "127.0.0.1:$port:8080" --rootfs "$ROOTFS" timeout 30 nbaccept 8080 2 > "$d/log" 2>&1 &
	PIDS+=($!)
	switched=$(host_peer 127.0.0.1 "$port")
	wait "${PIDS[-1]}"
	echo "host: $host; switched: $switched (log: $(cat "$d/log"))"
	[ "$host" = "peer=127.0.0.2" ]
	[ "$switched" = "$host" ]
	# the server's own log says the same; its sockets' getsockname() the
	# container's port, on its own address as Docker's containers see it
	[ "$(tail -n 1 "$d/log")" = "$host" ]
	[ "$(head -n 1 "$d/log")" = "listening on 0.0.0.0:8080" ]
	[ "$(tail -n 2 "$d/log" | head -n 1)" = "local=10.0.2.100:8080" ]
	# off: bypass=false, no seccomp filter at all, and the single-ID user
	# (whose fake IDs hold the one listener): the forwarder's address
	for opt in --network=slirp:bypass=false --privileged --security-opt=seccomp=unconfined nosub; do
		if [ "$opt" = nosub ]; then
			make_rootfs "$NOSUB_USER"
			cp "$WARREN_TEST_ROOT/net/nbaccept" "$ROOTFS/bin/"
			as_nosub "$WARREN" run --rm -p "127.0.0.1:$port:8080" --rootfs "$ROOTFS" \
				timeout 30 nbaccept 8080 2 > /dev/null 2>&1 &
		else
			warren run --rm "$opt" -p "127.0.0.1:$port:8080" --rootfs "$ROOTFS" \
				timeout 30 nbaccept 8080 2 > /dev/null 2>&1 &
		fi
		PIDS+=($!)
		got=$(host_peer 127.0.0.1 "$port")
		wait "${PIDS[-1]}"
		echo "$opt: $got"
		[[ "$got" == peer=* ]]
		[ "$got" != "$host" ]
	done
}

@test "-p PORT:CPORT: a dual-stack server sees IPv4 and IPv6 clients' addresses, an IPv4 one the IPv4 clients'" {
	[ -n "$(head -c 1 /proc/net/if_inet6 2>/dev/null)" ] || skip "no IPv6 on this host"
	port=$(free_port)
	for six in -6 ""; do
		warren run --rm -p "$port:8080" --rootfs "$ROOTFS" timeout 30 nbaccept $six 8080 4 > /dev/null 2>&1 &
		PIDS+=($!)
		v4=$(host_peer 127.0.0.1 "$port")
		v6=$(host_peer ::1 "$port")
		wait "${PIDS[-1]}"
		echo "$six: $v4 $v6"
		[ "$v4" = "peer=127.0.0.2" ]
		# IPv4's server: its IPv6 clients come through the forwarder
		if [ -n "$six" ]; then [ "$v6" = "peer=::1" ]; else [[ "$v6" == peer=* ]]; fi
	done
	# inside, the dual-stack server answers on ::1 and 127.0.0.1, as unswitched
	for opt in "" ":bypass=false"; do
		run --separate-stderr warren run --rm -p "$port:8080" --network "slirp$opt" --rootfs "$ROOTFS" sh -c '
			rm -f /tmp/a; timeout 20 nbaccept -6 8080 2 > /tmp/a &
			waitlisten /tmp/a
			nc ::1 8080 < /dev/null; nc 127.0.0.1 8080 < /dev/null; wait; head -n 1 /tmp/a'
		echo "$opt ($status): $output"
		[ "$status" -eq 0 ]
		[[ "${lines[0]}" == peer=* ]] && [[ "${lines[1]}" == peer=* ]]
		[ "${lines[2]}" = "listening on :::8080" ]
	done
}

@test "inside the container its published port answers on its loopback and own address, switched or not" {
	port=$(free_port)
	for opt in "" ":bypass=false"; do
		# a second bind of the port fails as it would; an unpublished port is
		# the container's own
		run --separate-stderr warren run --rm -p "$port:8080" --network "slirp$opt" \
			--rootfs "$ROOTFS" sh -c '
			rm -f /tmp/a /tmp/b; timeout 20 nbaccept 8080 2 > /tmp/a &
			waitlisten /tmp/a
			nbaccept 8080; echo "second: $?"
			timeout 20 nbaccept 9090 1 > /tmp/b &
			waitlisten /tmp/b
			for a in 127.0.0.1:8080 10.0.2.100:8080 127.0.0.1:9090; do
				nbconnect ${a%:*} ${a#*:} | grep -c "reply: peer="
			done
			wait; tail -n 1 /tmp/b; head -n 1 /tmp/a'
		echo "$opt ($status): $output"
		[ "$status" -eq 0 ]
		out[${#opt}]=$output
	done
	[ "${out[0]}" = "${out[13]}" ]
	[[ "${lines[0]}" == "bind: "*"in use" ]]
	[ "${lines[1]}" = "second: 1" ]
	[ "${lines[-2]}" = "peer=127.0.0.1" ]
	# getsockname() names the container's port, not the host's
	[ "${lines[-1]}" = "listening on 0.0.0.0:8080" ]
}

@test "a server that closes its published port's listener and binds again still gets the real client" {
	port=$(free_port)
	warren run --rm -p "127.0.0.1:$port:8080" --rootfs "$ROOTFS" timeout 30 nbaccept -c 8080 4 > /dev/null 2>&1 &
	PIDS+=($!)
	first=$(host_peer 127.0.0.1 "$port")
	second=$(host_peer 127.0.0.1 "$port" 127.0.0.3)
	wait "${PIDS[-1]}"
	echo "$first $second"
	[ "$first" = "peer=127.0.0.2" ]
	[ "$second" = "peer=127.0.0.3" ]
}

@test "two SO_REUSEPORT servers share a published port, switched as unswitched" {
	port=$(free_port)
	for opt in "" ":bypass=false"; do
		run --separate-stderr warren run --rm -p "127.0.0.1:$port:8080" --network "slirp$opt" \
			--rootfs "$ROOTFS" sh -c '
			rm -f /tmp/a /tmp/b
			timeout 20 nbaccept -p 8080 1 > /tmp/a & timeout 20 nbaccept -p 8080 1 > /tmp/b &
			waitlisten /tmp/a /tmp/b
			nbconnect 127.0.0.1 8080 > /dev/null; nbconnect 127.0.0.1 8080 > /dev/null
			wait; cat /tmp/a /tmp/b | grep -c peer='
		echo "$opt ($status): $output"
		[ "$status" -eq 0 ]
		[ "$output" = 2 ]
	done
}

@test "on a user network a connection between containers is not switched: the server sees the client's address" {
	port=$(free_port)
	warren network create --subnet 10.42.19.0/24 nbnet > /dev/null
	# published too: its port's listener stays the container's own
	warren run -d --name nbsrv --network nbnet --ip 10.42.19.10 -p "127.0.0.1:$port:8080" \
		--rootfs "$ROOTFS" nbaccept 8080 1 > /dev/null
	run warren run --rm --network nbnet --ip 10.42.19.20 --rootfs "$ROOTFS" sh -c \
		'i=0; until nbconnect 10.42.19.10 8080; do i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done'
	warren rm -f nbsrv > /dev/null
	warren network rm nbnet > /dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"reply: peer=10.42.19.20"* ]]
}

# listener_owner PORT: the process that holds the host's listener on PORT
listener_owner() {
	local out
	out=$(ss -Hltnp "sport = :$1")
	[[ "$out" =~ users:\(\(\"([^\"]+)\" ]] && echo "${BASH_REMATCH[1]}"
}

@test "with the switch a published port's host listener is the container's program's, without it warren-net's" {
	port=$(free_port)
	for opt in "" ":bypass=false"; do
		warren run --rm -p "127.0.0.1:$port:8080" --network "slirp$opt" --rootfs "$ROOTFS" \
			timeout 30 nbaccept 8080 4 > /dev/null 2>&1 &
		PIDS+=($!)
		host_peer 127.0.0.1 "$port"
		owner=$(listener_owner "$port")
		host_peer 127.0.0.1 "$port"
		wait "${PIDS[-1]}"
		echo "$opt: $owner"
		if [ -z "$opt" ]; then [ "$owner" = nbaccept ]; else [ "$owner" = warren-net ]; fi
	done
	# once the container is gone, so is the port
	[ -z "$(listener_owner "$port")" ]
}

@test "32 MiB from the host arrive intact through a switched published port" {
	port=$(free_port)
	sum32_install
	warren run --rm -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" timeout 60 nc -l -p 80 -e /bin/sum32 \
		> /dev/null 2>&1 &
	PIDS+=($!)
	run send32 "$port" 200 0.05
	wait "${PIDS[-1]}" || true
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${#lines[0]}" -eq 64 ]
	[ "${lines[0]}" = "${lines[1]}" ]
}
