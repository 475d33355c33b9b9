#!/usr/bin/env bats
# The way out of user-defined networks: the one warren-net serving the
# per-user network namespace (egress to the host and beyond, masqueraded
# there), --internal networks, isolation between networks, published ports
# of network containers, and what a killed holder or warren-net leaves. The
# reference for each result is the same request from a default-network
# container (its own warren-net) or Docker's documented behaviour.

bats_require_minimum_version 1.5.0

load lifecycle_helpers
load net_helpers

NET_DNS_IP=$WARREN_NET_DNS_IP

setup() {
	lc_setup
	rm -rf "/home/$NOSUB_USER/.local/share/warren"
	pkill -KILL -u "$NOSUB_USER" 2>/dev/null || true
	PIDS=()
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	pkill -KILL -u "$NOSUB_USER" 2>/dev/null || true
	lc_teardown
	rm -rf "/home/$NOSUB_USER/.local/share/warren"
}

# web_on NET [USER-FN]: a detached httpd named web-NET on NET serving
# "hello from NET" (from /www-NET: the containers share one root
# directory); echoes its address
web_on() {
	local w=${2:-warren}
	$w run -d --name "web-$1" --network "$1" --rootfs "$ROOTFS" sh -c \
		"mkdir -p /www-$1 && echo 'hello from $1' > /www-$1/index.html && exec httpd -f -p 80 -h /www-$1" > /dev/null
	# until httpd listens
	$w exec "web-$1" timeout 10 sh -c 'until netstat -ltn | grep -q ":80 "; do usleep 50000; done'
	$w inspect -f "{{(index .NetworkSettings.Networks \"$1\").IPAddress}}" "web-$1"
}

# egress_pid [USER]: the warren-net serving USER's network namespace
egress_pid() {
	pgrep -u "${1:-$TEST_USER}" -x -a warren-net | awk '/--allow-host-loopback --no-ipv6/ { print $1 }'
}

# nothing_left [USER]: after the last container, no holder, no warren-net
# and no socket factory of USER (polled: the holder leaves once the kernel
# drops the last veth, warren-net right after it), and no lease
nothing_left() {
	local i u=${1:-$TEST_USER}
	for ((i = 0; i < 100; i++)); do
		ps -u "$u" -o stat=,comm= |
			awk '$1 !~ /^Z/ && $2 ~ /^warren-net(hold|ns)?$/' | grep -q . || break
		sleep 0.1
	done
	! ps -u "$u" -o stat=,pid=,comm= | awk '$1 !~ /^Z/ && $3 ~ /^warren-net(hold|ns)?$/' | grep .
	[ -z "$(find "/home/$u/.local/share/warren/networks" -path '*/leases/*' 2>/dev/null)" ]
}

# port_free PORT: nothing listens on PORT any more (polled: the monitor
# stops the forwarder once the container is gone)
port_free() {
	local i
	for ((i = 0; i < 100; i++)); do
		ss -H -ltn "sport = :$1" | grep -q . || return 0
		sleep 0.1
	done
	ss -H -ltnp "sport = :$1"
	return 1
}

# egress_count N [USER]: until N warren-nets serve USER's namespace (10 s)
egress_count() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(egress_pid "$2" | wc -l)" -eq "$1" ] && return 0
		sleep 0.1
	done
	egress_pid "$2"
	return 1
}

@test "a network container reaches the host's loopback over TCP and UDP as a default-network one does" {
	port=$(free_port)
	host_http "$port"
	start_dnsmasq web.warren.test,192.0.2.10
	# the reference: a default-network container with the host's loopback
	run warren run --rm --network slirp:allow_host_loopback=true --rootfs "$ROOTFS" \
		timeout 5 wget -q -O- "http://10.0.2.2:$port/"
	[ "$status" -eq 0 ]
	want=$output
	[ "$want" = "hello from the host" ]
	warren network create out > /dev/null
	# the first container starts the namespace's warren-net, here with the
	# host's resolver being the test's dnsmasq (UDP out, through libslirp's DNS)
	run warren_resolv "$RESOLV" run --rm --network out --dns 10.0.2.3 --rootfs "$ROOTFS" sh -c \
		"ip route | grep ^default; timeout 5 wget -q -O- http://10.0.2.2:$port/ &&
		 timeout 5 wget -q -O- http://host.containers.internal:$port/ && nslookup web.warren.test"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "default via 10.89.0.1 dev eth0"* ]]
	[ "${lines[1]}" = "$want" ]
	[ "${lines[2]}" = "$want" ]
	[[ "$output" == *"Address: 192.0.2.10"* ]]
	# one warren-net for the namespace, however many containers: two at once
	warren run -d --name a --network out --rootfs "$ROOTFS" sleep infinity > /dev/null
	warren run -d --name b --network out --rootfs "$ROOTFS" sleep infinity > /dev/null
	egress_count 1
	[ "$(warren exec b timeout 5 wget -q -O- "http://10.0.2.2:$port/")" = "$want" ]
	warren rm -f a b > /dev/null
	nothing_left
}

@test "--internal: no way to a host server even with a route, peers reach each other, other networks not" {
	port=$(free_port)
	host_http "$port"
	warren network create --internal inner > /dev/null
	warren network create outer > /dev/null
	ip=$(web_on inner)
	oip=$(web_on outer)
	# outer's container starts the way out; inner's still has none
	[ -n "$(egress_pid)" ]
	[ "$(warren exec web-outer timeout 5 wget -q -O- "http://10.0.2.2:$port/")" = "hello from the host" ]
	# a root that adds the route itself is stopped by the namespace's rules
	run warren run --rm --init --cap-add NET_ADMIN --network inner --rootfs "$ROOTFS" sh -c \
		"ip route add default via 10.89.0.1 && timeout 3 wget -q -O- http://10.0.2.2:$port/"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" != *hello* ]]
	run warren run --rm --network inner --rootfs "$ROOTFS" timeout 5 wget -q -O- "http://$ip/"
	[ "$output" = "hello from inner" ]
	# outer's container, routed through the namespace, does not reach inner's
	# (forwarding between bridges is dropped), nor inner's outer's
	run warren run --rm --init --network outer --rootfs "$ROOTFS" timeout 3 wget -q -O- "http://$ip/"
	[ "$status" -ne 0 ]
	run warren run --rm --init --cap-add NET_ADMIN --network inner --rootfs "$ROOTFS" sh -c \
		"ip route add default via 10.89.0.1 && timeout 3 wget -q -O- http://$oip/"
	[ "$status" -ne 0 ]
	[[ "$output" != *hello* ]]
	warren rm -f web-inner web-outer > /dev/null
	nothing_left
}

@test "the way out starts for a container whose second network has one, and for a connect to such a network" {
	port=$(free_port)
	host_http "$port"
	warren network create --internal inner > /dev/null
	warren network create outer > /dev/null
	# internal first: the route goes via the second, which needs the way out
	run warren run --rm --network inner --network outer --rootfs "$ROOTFS" \
		timeout 5 wget -q -O- "http://10.0.2.2:$port/"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the host" ]
	nothing_left
	# a running container on an internal network, then connected to one
	# with a way out that no container has started yet
	# (NET_ADMIN: a connect adds no default route, as Docker's, so the
	# container sets one itself)
	warren run -d --name c --cap-add NET_ADMIN --network inner --rootfs "$ROOTFS" \
		sleep infinity > /dev/null
	run warren exec c timeout 5 wget -q -O- "http://10.0.2.2:$port/"
	[ "$status" -ne 0 ]
	warren network connect outer c
	gw=$(warren inspect -f '{{(index .NetworkSettings.Networks "outer").Gateway}}' c)
	warren exec c ip route add default via "$gw"
	run warren exec c timeout 5 wget -q -O- "http://10.0.2.2:$port/"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the host" ]
	warren rm -f c > /dev/null
	nothing_left
}

@test "-p HOST:CTR of a network container is reachable from the host and released with it" {
	port=$(free_port)
	dport=$(free_port)
	host_ip=$(ip -4 -o addr show scope global | awk 'NR == 1 { sub("/.*", "", $4); print $4 }')
	warren network create pub > /dev/null
	# the reference: the same container on the default network
	warren run -d --name dflt -p "$dport:80" --rootfs "$ROOTFS" sh -c \
		"mkdir -p /www && echo 'hello from pub' > /www/index.html && exec httpd -f -p 80 -h /www" > /dev/null
	want=$(http_get "http://127.0.0.1:$dport/")
	[ "$want" = "hello from pub" ]
	warren run -d --name web -p "$port:80" --network pub --rootfs "$ROOTFS" sh -c \
		"mkdir -p /www && echo 'hello from pub' > /www/index.html && exec httpd -f -p 80 -h /www" > /dev/null
	[ "$(http_get "http://127.0.0.1:$port/")" = "$want" ]
	if [ -n "$host_ip" ]; then
		[ "$(http_get "http://$host_ip:$port/")" = "$want" ]
	fi
	# UDP too: an echo server in a network container answers through -p
	uport=$(free_port)
	cp "$WARREN_TEST_ROOT/net/udp-echo" "$ROOTFS/bin/udp-echo"
	chown "$TEST_USER" "$ROOTFS/bin/udp-echo"
	warren run -d --name echo -p "127.0.0.1:$uport:9999/udp" --network pub --rootfs "$ROOTFS" udp-echo 9999 > /dev/null
	run python3 - "$uport" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
for _ in range(100):  # until the server in the container is up
    s.sendto(b"ping-udp", ("127.0.0.1", int(sys.argv[1])))
    try:
        print(s.recvfrom(100)[0].decode())
        break
    except socket.timeout:
        pass
PY
	[ "$output" = "echo:ping-udp" ]
	warren rm -f echo > /dev/null
	# the same port listing and inspect as the default network's
	[ "$(warren port web | sed "s/$port/P/")" = "$(warren port dflt | sed "s/$dport/P/")" ]
	[ "$(warren inspect -f '{{json .NetworkSettings.Ports}}' web | sed "s/$port/P/g")" = \
		"$(warren inspect -f '{{json .NetworkSettings.Ports}}' dflt | sed "s/$dport/P/g")" ]
	warren rm -f web dflt > /dev/null
	port_free "$port"
	nothing_left
}

@test "the single-ID user's network containers: out to the host, not from --internal, ports published" {
	make_rootfs "$NOSUB_USER"
	port=$(free_port)
	hport=$(free_port)
	host_http "$port"
	warren_nosub network create solo > /dev/null
	warren_nosub network create --internal cell > /dev/null
	run --separate-stderr warren_nosub run --rm --network solo --rootfs "$ROOTFS" \
		timeout 5 wget -q -O- "http://10.0.2.2:$port/"
	[ "$output" = "hello from the host" ]
	ip=$(web_on cell warren_nosub)
	run --separate-stderr warren_nosub run --rm --init --network cell --rootfs "$ROOTFS" sh -c \
		"timeout 3 wget -q -O- http://10.0.2.2:$port/; timeout 5 wget -q -O- http://$ip/"
	[ "$output" = "hello from cell" ]
	warren_nosub run -d --name pub -p "127.0.0.1:$hport:80" --network solo --rootfs "$ROOTFS" sh -c \
		"mkdir -p /www && echo hello solo > /www/index.html && exec httpd -f -p 80 -h /www" > /dev/null
	[ "$(http_get "http://127.0.0.1:$hport/")" = "hello solo" ]
	warren_nosub rm -f pub web-cell > /dev/null
	port_free "$hport"
	nothing_left "$NOSUB_USER"
}

@test "a killed warren-net or holder is rebuilt by the next container that needs it" {
	port=$(free_port)
	host_http "$port"
	warren network create fx > /dev/null
	warren run -d --name keep --network fx --rootfs "$ROOTFS" sleep infinity > /dev/null
	pid=$(egress_pid)
	[ -n "$pid" ]
	kill -KILL "$pid"
	run warren run --rm --network fx --rootfs "$ROOTFS" timeout 5 wget -q -O- "http://10.0.2.2:$port/"
	[ "$output" = "hello from the host" ]
	[ -n "$(egress_pid)" ]
	[ "$(egress_pid)" != "$pid" ]
	# the holder: its namespace goes, and with it keep's veth and warren-net
	# (keep loses its network: as under podman when its rootless-netns goes)
	kill -KILL "$(pgrep -u "$TEST_USER" -x warren-nethold)"
	warren run -d --name again --network fx --rootfs "$ROOTFS" sleep infinity > /dev/null
	[ "$(warren exec again timeout 5 wget -q -O- "http://10.0.2.2:$port/")" = "hello from the host" ]
	egress_count 1
	# one live holder (the killed one is a zombie of a non-reaping init here)
	[ "$(ps -u "$TEST_USER" -o stat=,comm= | awk '$1 !~ /^Z/ && $2 == "warren-nethold"' | wc -l)" -eq 1 ]
	warren rm -f keep again > /dev/null
	nothing_left
}

@test "without libnftables an --internal network works, another is one line, exit 125" {
	local lib
	lib=$(ldconfig -p | awk '$1 == "libnftables.so.1" { print $NF; exit }')
	[ -n "$lib" ] || skip "libnftables1 is not installed"
	warren network create --internal cell > /dev/null
	warren network create open > /dev/null
	# the library hidden from warren only (a mount namespace of its own)
	no_nft() {
		unshare -m bash -c 'mount --bind /dev/null "$1" && shift && . "$0" && warren "$@"' \
			"$BATS_TEST_DIRNAME/helpers.bash" "$lib" "$@"
	}
	run --separate-stderr no_nft run --rm --network cell --rootfs "$ROOTFS" sh -c 'ip -4 -o addr show eth0'
	[ "$status" -eq 0 ]
	[[ "$output" == *" 10.89.0."* ]]
	run --separate-stderr no_nft run --rm --network open --rootfs "$ROOTFS" true
	echo "$stderr"
	[ "$status" -eq 125 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"libnftables"*"apt install libnftables1"* ]]
	[ -z "$(warren ps -aq)" ]
	nothing_left
}
