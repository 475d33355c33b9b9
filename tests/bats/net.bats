#!/usr/bin/env bats
# warren-net: the container's own network (tap0 served by libslirp), DNS,
# published ports, lifetime and errors. Everything on the host's loopback and
# namespaces the tests create: HTTP servers on 127.0.0.1, dnsmasq on
# $WARREN_NET_DNS_IP (127.0.18.53), host ports picked free by free_port.

bats_require_minimum_version 1.5.0

load helpers
load net_helpers

NET_DNS_IP=$WARREN_NET_DNS_IP

setup() {
	make_rootfs
	mkdir -p "$ROOTFS/www"
	echo "hello from the container" > "$ROOTFS/www/index.html"
	cp "$WARREN_TEST_ROOT/net/udp-echo" "$ROOTFS/bin/udp-echo"
	chown -R "$TEST_USER:$TEST_GID" "$ROOTFS/www" "$ROOTFS/bin/udp-echo"
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	common_teardown
}

# new_ports_file: the ports.json of the container started after
# $BATS_TEST_TMPDIR/before was touched, once it is there
new_ports_file() {
	local i f
	for ((i = 0; i < 100; i++)); do
		f=$(find "$(rundir_of "$TEST_USER")" /run/user/$TEST_UID/warren -name ports.json \
			-newer "$BATS_TEST_TMPDIR/before" 2>/dev/null | head -1)
		[ -n "$f" ] && break
		sleep 0.05
	done
	echo "$f"
}

# run_bg ARGS...: warren run in the background as the test user
run_bg() {
	warren "$@" >"$BATS_TEST_TMPDIR/bg.out" 2>&1 &
	PIDS+=($!)
}

# --- the container's interfaces --------------------------------------------

@test "socket switching is as this run's warren.conf says (tests/run.sh runs this file with it off too)" {
	run warren create --rootfs "$ROOTFS" true
	want=true
	[ -z "${WARREN_TEST_CONFIG_HOME:-}" ] || want=false
	[ "$(warren inspect -f '{{.HostConfig.NetworkBypass}}' "$output")" = "$want" ]
}

@test "the container gets tap0 with MTU 65520, 10.0.2.100/24 and a default route via 10.0.2.2" {
	run warren run --rm --rootfs "$ROOTFS" sh -c 'ip -o -4 addr show tap0; cat /sys/class/net/tap0/mtu; ip route show default'
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet 10.0.2.100/24"* ]]
	[ "$(echo "$output" | sed -n 2p)" = 65520 ]
	[[ "$output" == *"default via 10.0.2.2 dev tap0"* ]]
}

@test "--network slirp:mtu=1500 sets tap0's MTU" {
	run warren run --rm --network slirp:mtu=1500 --rootfs "$ROOTFS" cat /sys/class/net/tap0/mtu
	[ "$status" -eq 0 ]
	[ "$output" = 1500 ]
}

@test "--network none shows only lo" {
	run warren run --rm --network none --rootfs "$ROOTFS" ls /sys/class/net
	[ "$status" -eq 0 ]
	[ "$output" = lo ]
}

@test "--network host reaches the host's loopback directly" {
	port=$(free_port)
	host_http "$port"
	run warren run --rm --network host --rootfs "$ROOTFS" timeout 5 wget -q -O- "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the host" ]
}

@test "ping reaches the gateway 10.0.2.2" {
	run warren run --rm --rootfs "$ROOTFS" ping -c1 -W3 10.0.2.2
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 packets received"* ]]
}

@test "IPv6: the container gets an fd00::/64 address by router advertisement and reaches the gateway" {
	run warren run --rm --rootfs "$ROOTFS" sh -c '
		for i in $(seq 1 60); do
			ip -6 addr show dev tap0 | grep "inet6 fd00:" | grep -qv tentative && break
			sleep 0.1
		done
		ip -6 -o addr show dev tap0 scope global; ip -6 route show default; ping -6 -c1 -W3 fd00::2'
	[ "$status" -eq 0 ]
	[[ "$output" == *"inet6 fd00::"*"/64"* ]]
	[[ "$output" == *"default via fe80::2 dev tap0"* ]]
	[[ "$output" == *"1 packets received"* ]]
}

@test "IPv6: with allow_host_loopback, fd00::2 reaches a server on the host's ::1" {
	port=$(free_port)
	host_http "$port" ::1
	run warren run --rm --network slirp:allow_host_loopback=true --rootfs "$ROOTFS" sh -c "
		for i in \$(seq 1 60); do
			ip -6 addr show dev tap0 | grep 'inet6 fd00:' | grep -qv tentative && break
			sleep 0.1
		done
		timeout 5 wget -q -O- 'http://[fd00::2]:$port/'"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the host" ]
}

# ping_run RANGE: warren in a network namespace of the test's own (lo up with
# 198.18.0.1) whose net.ipv4.ping_group_range is RANGE; the container pings
# 198.18.0.1, an address outside the user-mode network
ping_run() {
	unshare -n bash -c 'ip link set lo up && ip addr add 198.18.0.1/32 dev lo &&
		echo "$2" > /proc/sys/net/ipv4/ping_group_range && . "$0" &&
		warren run --rm --rootfs "$1" ping -c1 -W3 198.18.0.1' \
		"$BATS_TEST_DIRNAME/helpers.bash" "$ROOTFS" "$1"
}

@test "ICMP echo leaves the container where net.ipv4.ping_group_range allows it" {
	run ping_run "0 2147483647"
	[ "$status" -eq 0 ]
	[[ "$output" == *"1 packets received"* ]]
}

@test "ICMP echo where net.ipv4.ping_group_range forbids it gives a clear message" {
	run ping_run "1 0"
	[ "$status" -ne 0 ]
	[[ "$output" == *"warren-net: ping from the container cannot leave the host"*"net.ipv4.ping_group_range"* ]]
}

# --- the host's loopback ---------------------------------------------------

@test "the host's loopback is reachable from the container only with allow_host_loopback" {
	port=$(free_port)
	host_http "$port"
	run warren run --rm --rootfs "$ROOTFS" timeout 5 wget -q -O- "http://10.0.2.2:$port/"
	[ "$status" -ne 0 ]
	[[ "$output" != *"hello from the host"* ]]
	run warren run --rm --network slirp:allow_host_loopback=true --rootfs "$ROOTFS" \
		timeout 5 wget -q -O- "http://10.0.2.2:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the host" ]
}

@test "host.containers.internal names the host: with allow_host_loopback it reaches the host's loopback" {
	port=$(free_port)
	host_http "$port"
	run warren run --rm --network slirp:allow_host_loopback=true --rootfs "$ROOTFS" sh -c \
		"grep host.containers.internal /etc/hosts; timeout 5 wget -q -O- http://host.containers.internal:$port/"
	[ "$status" -eq 0 ]
	[[ "$(echo "$output" | sed -n 1p)" == "10.0.2.2"*"host.containers.internal"* ]]
	[ "$(echo "$output" | sed -n 2p)" = "hello from the host" ]
}

@test "the user without subordinate IDs fetches from the host's loopback and publishes a port" {
	make_rootfs "$NOSUB_USER"
	mkdir -p "$ROOTFS/www" && echo "nosub page" > "$ROOTFS/www/index.html"
	chown -R "$NOSUB_USER" "$ROOTFS/www"
	port=$(free_port)
	host_http "$port"
	run --separate-stderr warren_nosub run --rm --network slirp:allow_host_loopback=true \
		--rootfs "$ROOTFS" timeout 5 wget -q -O- "http://10.0.2.2:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the host" ]
	hport=$(free_port)
	as_nosub "$WARREN" run --rm -p "127.0.0.1:$hport:80" --rootfs "$ROOTFS" \
		sh -c 'httpd -p 80 -h /www && sleep 20' &
	PIDS+=($!)
	wait_for_listen "$hport"
	run http_get "http://127.0.0.1:$hport/"
	[ "$status" -eq 0 ]
	[ "$output" = "nosub page" ]
}

# --- DNS -------------------------------------------------------------------

@test "DNS: names resolve through the host's resolver on a loopback address (stub resolver)" {
	start_dnsmasq web.warren.test,192.0.2.10 db.warren.test,192.0.2.11
	run warren_resolv "$RESOLV" run --rm --rootfs "$ROOTFS" sh -c 'cat /etc/resolv.conf; nslookup web.warren.test'
	[ "$status" -eq 0 ]
	[[ "$output" == "nameserver 10.0.2.3"* ]]
	[[ "$output" == *"Address: 192.0.2.10"* ]]
}

@test "DNS: the user without subordinate IDs resolves through the stub resolver too" {
	start_dnsmasq web.warren.test,192.0.2.10 db.warren.test,192.0.2.11
	make_rootfs "$NOSUB_USER"
	run unshare -m bash -c 'mount --bind "$1" /etc/resolv.conf && shift && . "$0" && warren_nosub "$@"' \
		"$BATS_TEST_DIRNAME/helpers.bash" "$RESOLV" run --rm --rootfs "$ROOTFS" nslookup db.warren.test
	[ "$status" -eq 0 ]
	[[ "$output" == *"Address: 192.0.2.11"* ]]
}

@test "--dns and --dns-search write resolv.conf; a short name resolves through the search domain" {
	start_dnsmasq web.warren.test,192.0.2.10 db.warren.test,192.0.2.11
	run warren_resolv "$RESOLV" run --rm --dns 10.0.2.3 --dns-search warren.test --rootfs "$ROOTFS" \
		sh -c 'cat /etc/resolv.conf; nslookup web'
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sed -n 1p)" = "nameserver 10.0.2.3" ]
	[ "$(echo "$output" | sed -n 2p)" = "search warren.test" ]
	[[ "$output" == *"Address: 192.0.2.10"* ]]
}

@test "--add-host adds lines to /etc/hosts, host-gateway is the host" {
	run warren run --rm --add-host db.local:192.0.2.7 --add-host gw.local:host-gateway \
		--network slirp:allow_host_loopback=true --rootfs "$ROOTFS" cat /etc/hosts
	[ "$status" -eq 0 ]
	echo "$output" | grep -qP '^192\.0\.2\.7\tdb\.local$'
	echo "$output" | grep -qP '^10\.0\.2\.2\tgw\.local$'
}

# --- published ports -------------------------------------------------------

@test "-p publishes busybox httpd in the container on the host" {
	port=$(free_port)
	run_bg run --rm -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" sh -c 'httpd -p 80 -h /www && sleep 20'
	wait_for_listen "$port"
	run http_get "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
}

@test "two published ports at once, and a range, each reach their server" {
	p1=$(free_port)
	p2=$(free_port)
	[ "$p1" != "$p2" ] || p2=$(free_port)
	run_bg run --rm -p "127.0.0.1:$p1:80" -p "127.0.0.1:$p2:81" --rootfs "$ROOTFS" sh -c \
		'mkdir /w81 && echo "port 81" > /w81/index.html && httpd -p 80 -h /www && httpd -p 81 -h /w81 && sleep 20'
	wait_for_listen "$p1"
	wait_for_listen "$p2"
	run http_get "http://127.0.0.1:$p1/"
	[ "$output" = "hello from the container" ]
	run http_get "http://127.0.0.1:$p2/"
	[ "$output" = "port 81" ]
}

@test "-p with a port range publishes every port of the range" {
	for ((i = 0; i < 50; i++)); do
		p=$(free_port)
		ss -H -ltn "sport = :$((p + 1))" | grep -q . || break
	done
	run_bg run --rm -p "127.0.0.1:$p-$((p + 1)):80-81" --rootfs "$ROOTFS" sh -c \
		'mkdir /w81 && echo "port 81" > /w81/index.html && httpd -p 80 -h /www && httpd -p 81 -h /w81 && sleep 20'
	wait_for_listen "$((p + 1))"
	run http_get "http://127.0.0.1:$p/"
	[ "$output" = "hello from the container" ]
	run http_get "http://127.0.0.1:$((p + 1))/"
	[ "$output" = "port 81" ]
}

@test "-P publishes the exposed port on a free host port recorded in ports.json" {
	touch "$BATS_TEST_TMPDIR/before"
	run_bg run --rm --expose 80 -P --rootfs "$ROOTFS" sh -c 'httpd -p 80 -h /www && sleep 20'
	f=$(new_ports_file)
	[ -n "$f" ]
	cat "$f"
	port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["80/tcp"][0]["HostPort"])' "$f")
	[ "$port" -gt 0 ]
	run http_get "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
}

@test "-P publishes the image's ExposedPorts (EXPOSE of an imported image)" {
	d=$(user_tmpdir)
	tar -C "$ROOTFS" -cf "$d/rootfs.tar" .
	chmod 0644 "$d/rootfs.tar"
	chown "$TEST_USER" "$d"
	root=$d/store
	run as_user "$WARREN" --root "$root" import --change "EXPOSE 80" "$d/rootfs.tar" netweb:1
	[ "$status" -eq 0 ]
	touch "$BATS_TEST_TMPDIR/before"
	as_user "$WARREN" --root "$root" run --rm -P netweb:1 sh -c 'httpd -p 80 -h /www && sleep 20' \
		>"$BATS_TEST_TMPDIR/bg.out" 2>&1 &
	PIDS+=($!)
	f=$(new_ports_file)
	[ -n "$f" ] || cat "$BATS_TEST_TMPDIR/bg.out"
	port=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["80/tcp"][0]["HostPort"])' "$f")
	run http_get "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
}

@test "UDP through -p PORT/udp reaches a server in the container and its answer comes back" {
	port=$(free_port)
	run_bg run --rm -p "127.0.0.1:$port:9999/udp" --rootfs "$ROOTFS" sh -c 'timeout 20 udp-echo 9999'
	wait_for_listen "$port" udp
	run python3 - "$port" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
for _ in range(20):
    s.sendto(b"ping-udp", ("127.0.0.1", int(sys.argv[1])))
    try:
        print(s.recvfrom(100)[0].decode())
        break
    except socket.timeout:
        pass
PY
	[ "$output" = "echo:ping-udp" ]
}

@test "port_handler=slirp forwards a published port through libslirp" {
	port=$(free_port)
	run_bg run --rm --network slirp:port_handler=slirp -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" \
		sh -c 'httpd -p 80 -h /www && sleep 20'
	wait_for_listen "$port"
	run http_get "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
}

# host_has_ipv6: the host has IPv6 addresses (else -p publishes on IPv4 only)
host_has_ipv6() {
	grep -q . /proc/net/if_inet6 2>/dev/null
}

# Docker publishes -p PORT on 0.0.0.0 and [::]: a client that resolves
# localhost to ::1 must reach the container, not whoever else listens there
@test "-p HOSTPORT:PORT publishes on [::] too: a client of [::1] reaches the container, ps and port show both" {
	host_has_ipv6 || skip "no IPv6 on this host"
	port=$(free_port)
	id=$(warren run -d -p "$port:80" --rootfs "$ROOTFS" sh -c 'httpd -p 80 -h /www && sleep infinity')
	run http_get "http://[::1]:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	run http_get "http://127.0.0.1:$port/"
	[ "$output" = "hello from the container" ]
	# Docker's forms: "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp" and "80/tcp -> [::]:8080"
	run warren ps --format '{{.Ports}}'
	[ "$output" = "0.0.0.0:$port->80/tcp, [::]:$port->80/tcp" ]
	run warren port "$id"
	[ "${lines[0]}" = "80/tcp -> 0.0.0.0:$port" ]
	[ "${lines[1]}" = "80/tcp -> [::]:$port" ]
	run warren inspect --format '{{json .NetworkSettings.Ports}}' "$id"
	[ "$output" = '{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"'$port'"},{"HostIp":"::","HostPort":"'$port'"}]}' ]
	warren rm -f "$id"
	wait_no_warren_net_left
}

@test "port_handler=slirp publishes -p PORT on [::] too, and -P a free port on both families" {
	host_has_ipv6 || skip "no IPv6 on this host"
	port=$(free_port)
	id=$(warren run -d --network slirp:port_handler=slirp -p "$port:80" --expose 81 -P \
		--rootfs "$ROOTFS" sh -c 'httpd -p 80 -h /www && httpd -p 81 -h /www && sleep infinity')
	run http_get "http://[::1]:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	run warren port "$id" 81
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^0\.0\.0\.0:([0-9]+)$ ]]
	free=${BASH_REMATCH[1]}
	[ "${lines[1]}" = "[::]:$free" ]
	run http_get "http://[::1]:$free/"
	[ "$output" = "hello from the container" ]
	warren rm -f "$id"
	wait_no_warren_net_left
}

@test "-p PORT/udp answers a client of [::1] too" {
	host_has_ipv6 || skip "no IPv6 on this host"
	port=$(free_port)
	id=$(warren run -d -p "$port:9999/udp" --rootfs "$ROOTFS" udp-echo 9999)
	run python3 - "$port" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(0.5)
for _ in range(100):  # until warren-net and the server in the container are up
    s.sendto(b"ping-udp6", ("::1", int(sys.argv[1])))
    try:
        print(s.recvfrom(100)[0].decode())
        break
    except socket.timeout:
        pass
PY
	[ "$output" = "echo:ping-udp6" ]
	warren rm -f "$id"
	wait_no_warren_net_left
}

# sum_server PORT: on the host's 127.0.0.1, answers each connection with
# the sha256 of the 32 MiB it reads from it
sum_server() {
	python3 - "$1" <<'PY' >/dev/null 2>&1 &
import hashlib, socket, sys
srv = socket.create_server(("127.0.0.1", int(sys.argv[1])))
while True:
    c, _ = srv.accept()
    h, left = hashlib.sha256(), 32 << 20
    while left:
        b = c.recv(min(left, 1 << 20))
        if not b:
            break
        h.update(b)
        left -= len(b)
    c.sendall(h.hexdigest().encode() + b"\n")
    c.close()
PY
	PIDS+=($!)
	wait_for_listen "$1"
}

# two_equal_sums: $output is two sha256 sums, the same (sent and received)
two_equal_sums() {
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${#lines[0]}" -eq 64 ]
	[ "${lines[0]}" = "${lines[1]}" ]
}

# libslirp's TCP carries windows beyond 64 KiB (window scaling, our patch of
# it): a stream held to such windows, or scaled wrongly, stalls or corrupts
@test "32 MiB from the container to the host's loopback arrive intact through libslirp" {
	port=$(free_port)
	sum_server "$port"
	run warren run --rm --network slirp:allow_host_loopback=true,bypass=false --rootfs "$ROOTFS" sh -c "
		dd if=/dev/urandom of=/tmp/blob bs=1M count=32 2>/dev/null
		sha256sum /tmp/blob | cut -d' ' -f1
		nc 10.0.2.2 $port < /tmp/blob"
	two_equal_sums
}

@test "a TCP connection from the container gets libslirp's window scale (windows beyond 64 KiB)" {
	port=$(free_port)
	sum_server "$port"
	run_bg run --rm --network slirp:allow_host_loopback=true,bypass=false --rootfs "$ROOTFS" \
		sh -c "sleep 30 | nc 10.0.2.2 $port"
	local pid='' i
	for ((i = 0; i < 100; i++)); do
		pid=$(pgrep -u "$TEST_USER" -x nc) && break
		sleep 0.1
	done
	[ -n "$pid" ]
	for ((i = 0; i < 50; i++)); do
		run nsenter -t "$pid" -n ss -Htin state established dst 10.0.2.2
		[[ "$output" == *wscale:* ]] && break
		sleep 0.1
	done
	# wscale:SEND,RECEIVE: SEND is the shift libslirp offered
	[[ "$output" =~ wscale:([0-9]+),([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" -gt 0 ]
	[ "${BASH_REMATCH[2]}" -gt 0 ]
}

@test "32 MiB from the host to a port published with port_handler=slirp arrive intact" {
	port=$(free_port)
	sum32_install
	run_bg run --rm --network slirp:port_handler=slirp -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" \
		sh -c 'while :; do nc -l -p 80 -e /bin/sum32; done'
	wait_for_listen "$port"
	run send32 "$port" 100 0.1
	two_equal_sums
}

# --- errors ----------------------------------------------------------------

@test "a host port already in use is refused naming the address and port" {
	port=$(free_port)
	host_http "$port"
	run warren run --rm -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" touch /ran
	[ "$status" -eq 125 ]
	[[ "$output" == "warren: cannot publish port 127.0.0.1:$port/tcp: the address is already in use"* ]]
	[ ! -e "$ROOTFS/ran" ]
}

@test "-p PORT is refused with 125 when [::1]:PORT is taken; -p 127.0.0.1:PORT:80 still runs" {
	host_has_ipv6 || skip "no IPv6 on this host"
	port=$(free_port)
	host_http "$port" ::1
	run warren run --rm -p "$port:80" --rootfs "$ROOTFS" touch /ran
	[ "$status" -eq 125 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "warren: cannot publish port [::]:$port/tcp: the address is already in use"*"-p 0.0.0.0:$port:80" ]]
	[ ! -e "$ROOTFS/ran" ]
	# nothing published by halves: IPv4 is free again
	! ss -H -ltn "sport = :$port" | grep -vF '[::1]' | grep -q .
	# an address given names the only one bound
	run warren run --rm -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" touch /ran
	[ "$status" -eq 0 ]
	[ -e "$ROOTFS/ran" ]
}

@test "a privileged host port is refused naming net.ipv4.ip_unprivileged_port_start" {
	start=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	[ "$start" -gt 80 ] || skip "ip_unprivileged_port_start is $start here"
	run warren run --rm -p 127.0.0.1:80:80 --rootfs "$ROOTFS" touch /ran
	[ "$status" -eq 125 ]
	[[ "$output" == *"127.0.0.1:80/tcp"*"net.ipv4.ip_unprivileged_port_start=$start"* ]]
	[ ! -e "$ROOTFS/ran" ]
}

@test "no access to /dev/net/tun is an error naming the fix" {
	d=$(user_tmpdir)
	touch "$d/tun" && chmod 0000 "$d/tun"
	run unshare -m bash -c 'mount --bind "$1" /dev/net/tun && shift && . "$0" && warren "$@"' \
		"$BATS_TEST_DIRNAME/helpers.bash" "$d/tun" run --rm --rootfs "$ROOTFS" touch /ran
	[ "$status" -eq 125 ]
	[[ "$output" == *"/dev/net/tun"*"chmod 0666 /dev/net/tun"* ]]
	[ ! -e "$ROOTFS/ran" ]
}

@test "bad network flags exit 125 with the accepted forms" {
	run warren run --rm --network bogus --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *'invalid --network "bogus"'* ]]
	run warren run --rm -p 80:70000 --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"[IP:][HOSTPORT:]CONTAINERPORT"* ]]
	run warren run --rm -p 18000-18001:80 --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	run warren run --rm --network slirp:mtu=70000 --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	run warren run --rm --network none -p 18000:80 --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	run warren run --rm --network container: --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$output" == *"use container:NAME or container:ID"* ]]
	run warren run --rm --add-host nocolon --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
}

# --- lifetime and confinement ---------------------------------------------

@test "after the container exits no warren-net process or listening socket remains" {
	port=$(free_port)
	run warren run --rm -p "127.0.0.1:$port:80" -p "127.0.0.1:$port:81/udp" --rootfs "$ROOTFS" true
	[ "$status" -eq 0 ]
	no_warren_net_left
	! ss -H -ltun "sport = :$port" | grep -q .
}

@test "warren-net ends with the container even when warren itself is killed" {
	port=$(free_port)
	d=$(user_tmpdir)
	# the container lives until the test says so, however slow its start
	run_bg run --rm -p "127.0.0.1:$port:80" -v "$d:/ctl" --rootfs "$ROOTFS" \
		sh -c 'while [ ! -e /ctl/stop ]; do sleep 0.1; done'
	# warren binds the published port before warren-net starts: wait for
	# warren-net itself (an ASan build takes a while to get there)
	for ((i = 0; i < 200; i++)); do
		pgrep -u "$TEST_USER" -x warren-net >/dev/null && break
		sleep 0.05
	done
	wait_for_listen "$port"
	pkill -KILL -u "$TEST_USER" -x warren
	pgrep -u "$TEST_USER" -x warren-net
	touch "$d/stop"
	wait_no_warren_net_left
	! ss -H -ltn "sport = :$port" | grep -q .
}

# a killed warren-net closed the published ports (free for any user to
# take): the monitor notices and stops the container, as README says
@test "a killed warren-net stops its detached container; ps and inspect say the network was lost" {
	port=$(free_port)
	id=$(warren run -d --stop-timeout 1 -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" \
		sh -c 'httpd -p 80 -h /www && sleep infinity')
	ctr=$(warren inspect --format '{{.State.Pid}}' "$id")
	net=$(pgrep -u "$TEST_USER" -x -f "\S*warren-net --pid=$ctr .*")
	run http_get "http://127.0.0.1:$port/"
	[ "$output" = "hello from the container" ]
	kill -KILL "$net"
	wait_status "$id" exited
	run warren inspect --format '{{.State.Error}}' "$id"
	[[ "$output" == "network lost: warren-net was killed by signal 9;"* ]]
	run warren ps -a --format '{{.Status}}|{{.Ports}}'
	echo "$output"
	[[ "$output" == "Exited ("*") "*" ago (network lost)|"* ]]
	[[ "$output" != *"->"* ]]
	! ss -H -ltn "sport = :$port" | grep -q .
	wait_no_warren_net_left
	# a new start gets a new network, and the error goes
	warren start "$id"
	run http_get "http://127.0.0.1:$port/"
	[ "$output" = "hello from the container" ]
	run warren ps --format '{{.Status}}'
	[[ "$output" == "Up "* ]]
	[[ "$output" != *"lost"* ]]
	warren rm -f "$id"
	wait_no_warren_net_left
}

@test "while a container whose warren-net was killed stops, ps says network lost and lists no ports" {
	port=$(free_port)
	# PID 1 of its namespace ignores SIGTERM: it stays up for the stop timeout
	id=$(warren run -d --stop-timeout 600 -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" sleep infinity)
	ctr=$(warren inspect --format '{{.State.Pid}}' "$id")
	net=$(pgrep -u "$TEST_USER" -x -f "\S*warren-net --pid=$ctr .*")
	run warren port "$id"
	[ "$output" = "80/tcp -> 127.0.0.1:$port" ]
	kill -KILL "$net"
	for ((i = 0; i < 300; i++)); do
		run warren ps --format '{{.Status}}|{{.Ports}}'
		[[ "$output" == *"(network lost)"* ]] && break
		sleep 0.1
	done
	echo "$output"
	[[ "$output" == "Up "*" (network lost)|"* ]]
	[[ "$output" != *"->"* ]]
	run warren port "$id"
	[ "$output" = "" ]
	run warren inspect --format '{{.State.Status}} {{.State.Error}}' "$id"
	[[ "$output" == "running network lost: warren-net was killed by signal 9;"* ]]
	warren rm -f "$id"
	wait_no_warren_net_left
}

@test "with --restart always a container whose warren-net was killed comes back with its port" {
	port=$(free_port)
	id=$(warren run -d --restart always --stop-timeout 1 -p "127.0.0.1:$port:80" \
		--rootfs "$ROOTFS" sh -c 'httpd -p 80 -h /www && sleep infinity')
	ctr=$(warren inspect --format '{{.State.Pid}}' "$id")
	net=$(pgrep -u "$TEST_USER" -x -f "\S*warren-net --pid=$ctr .*")
	kill -KILL "$net"
	for ((i = 0; i < 300; i++)); do
		count=$(warren inspect --format '{{.RestartCount}}' "$id")
		[ "$count" -ge 1 ] && [ "$(warren inspect --format '{{.State.Status}}' "$id")" = running ] && break
		sleep 0.1
	done
	[ "$count" -ge 1 ]
	run http_get "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	warren rm -f "$id"
	wait_no_warren_net_left
}

@test "an idle warren-net gives back the pages it touched and still serves afterwards" {
	port=$(free_port)
	id=$(warren run -d -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" sh -c 'httpd -p 80 -h /www && sleep 60')
	ctr=$(warren inspect --format '{{.State.Pid}}' "$id")
	net=$(pgrep -u "$TEST_USER" -x -f "\S*warren-net --pid=$ctr .*")
	wait_for_listen "$port"
	# quiet: resident memory falls at least 1 MiB below its peak (the trim
	# after 500 ms quiet)
	for ((i = 0; i < 100; i++)); do
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$net/status")
		hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$net/status")
		[ "$rss" -lt $((hwm - 1024)) ] && break
		sleep 0.1
	done
	echo "VmRSS $rss kB, VmHWM $hwm kB"
	[ "$rss" -lt $((hwm - 1024)) ]
	# inbound (a socket from the factory) and outbound (libslirp) still work
	run http_get "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	run warren exec "$id" ping -c 1 -W 5 10.0.2.2
	[ "$status" -eq 0 ]
	warren rm -f "$id"
	wait_no_warren_net_left
}

@test "warren-net and its socket factory run under their own seccomp filters" {
	# a container that outlives the checks (one that ends during them took
	# its warren-net with it under ASan); its own warren-net and factory
	id=$(warren run -d --rootfs "$ROOTFS" sleep infinity)
	ctr=$(warren inspect --format '{{.State.Pid}}' "$id")
	net=$(pgrep -u "$TEST_USER" -x -f "\S*warren-net --pid=$ctr .*")
	for ((i = 0; i < 100; i++)); do
		factory=$(pgrep -P "$net" -x warren-netns) && break
		sleep 0.05
	done
	for pid in "$net" "$factory"; do
		# the filter is installed once the process is set up: wait for it
		for ((i = 0; i < 100; i++)); do
			mode=$(awk '/^Seccomp:/ {print $2}' "/proc/$pid/status")
			[ "$mode" = 2 ] && break
			sleep 0.05
		done
		echo "$(cat "/proc/$pid/comm") ($pid): Seccomp $mode"
		[ "$mode" = 2 ]
	done
	warren rm -f "$id"
	wait_no_warren_net_left
}

@test "the socket factory lives in the container's network namespace, warren-net on the host's" {
	id=$(warren run -d --rootfs "$ROOTFS" sleep infinity)
	ctr=$(warren inspect --format '{{.State.Pid}}' "$id")
	net=$(pgrep -u "$TEST_USER" -x -f "\S*warren-net --pid=$ctr .*")
	factory=$(pgrep -P "$net" -x warren-netns)
	[ "$(readlink "/proc/$factory/ns/net")" = "$(readlink "/proc/$ctr/ns/net")" ]
	[ "$(readlink "/proc/$net/ns/net")" = "$(readlink /proc/self/ns/net)" ]
	warren rm -f "$id"
	wait_no_warren_net_left
}
