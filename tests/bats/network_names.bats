#!/usr/bin/env bats
# Names on user-defined networks: the DNS responder on each network's
# gateway (container names, --network-alias, short IDs, PTR; the rest
# forwarded to the host's resolver, here a dnsmasq on $WARREN_NET_DNS_IP
# that the host's resolv.conf names), as the test user and the single-ID
# user.

bats_require_minimum_version 1.5.0

load lifecycle_helpers
load net_helpers

setup() {
	lc_setup
	rm -rf "/home/$NOSUB_USER/.local/share/warren"
	PIDS=()
	DNS_SEARCH=1 start_dnsmasq host.warren.test,192.0.2.10
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	lc_teardown
	rm -rf "/home/$NOSUB_USER/.local/share/warren"
}

# w ARGS... / w_nosub ARGS...: warren on a host whose resolv.conf names the
# dnsmasq (the network namespace's holder, started by the first run, keeps
# that view for its life)
w() {
	unshare -m bash -c 'mount --bind "$1" /etc/resolv.conf && shift && . "$0" && warren "$@"' \
		"$BATS_TEST_DIRNAME/helpers.bash" "$RESOLV" "$@"
}
w_nosub() {
	unshare -m bash -c 'mount --bind "$1" /etc/resolv.conf && shift && . "$0" && warren_nosub "$@"' \
		"$BATS_TEST_DIRNAME/helpers.bash" "$RESOLV" "$@"
}

# web NAME NET [FN] [ARGS...]: a detached busybox httpd named NAME on NET
# serving "hello from NAME" (from a directory of its own: the containers
# share one --rootfs)
web() {
	local name=$1 net=$2 fn=${3:-w}
	shift 3 || shift $#
	$fn run -d --name "$name" --network "$net" "$@" --rootfs "$ROOTFS" sh -c \
		"mkdir -p /www-$name && echo 'hello from $name' > /www-$name/index.html && exec httpd -f -p 80 -h /www-$name" \
		> /dev/null 2>&1
}

# DNS_TCP (python3 -c): NAME SERVER: one A query over TCP; prints the
# RCODE and the answer's last address
DNS_TCP='
import socket, struct, sys
q = struct.pack(">6H", 0x1234, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(l)]) + l.encode() for l in sys.argv[1].split(".")) + b"\0"
q += struct.pack(">HH", 1, 1)
s = socket.create_connection((sys.argv[2], 53), timeout=5)
s.sendall(struct.pack(">H", len(q)) + q)
def rd(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        assert c
        b += c
    return b
r = rd(struct.unpack(">H", rd(2))[0])
i, fl, qd, an = struct.unpack(">4H", r[:8])
assert i == 0x1234 and fl & 0x8000
print(fl & 15, socket.inet_ntoa(r[-4:]) if an else "-")
'

# gone [USER]: no holder of the network namespace left (polled) and no
# lease or name in any network of USER's store
gone() {
	local i u=${1:-$TEST_USER}
	for ((i = 0; i < 100; i++)); do
		pgrep -u "$u" -x warren-nethold > /dev/null || break
		sleep 0.1
	done
	! pgrep -u "$u" -a warren-nethold
	# nor any other process of the user's (monitors, warren-net)
	for ((i = 0; i < 100; i++)); do
		pgrep -u "$u" > /dev/null || break
		sleep 0.1
	done
	! pgrep -u "$u" -a
	[ -z "$(find "/home/$u/.local/share/warren/networks" -path '*/leases/*' 2>/dev/null)" ]
	[ -z "$(find "/home/$u/.local/share/warren/networks" -path '*/names/*' 2>/dev/null)" ]
}

# reach_by_names FN USER: the check of the first two tests for one user
reach_by_names() {
	local fn=$1 u=$2
	$fn network create app > /dev/null 2>&1
	$fn network create other > /dev/null 2>&1
	web db app "$fn" --network-alias database --network-alias pg
	web far other "$fn"
	# by name and by each alias, over HTTP
	for n in db database pg; do
		run --separate-stderr $fn run --rm --network app --rootfs "$ROOTFS" timeout 5 wget -q -O- "http://$n/"
		echo "$n: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "hello from db" ]
	done
	# the other network's container: its name does not resolve here...
	run --separate-stderr $fn run --rm --network app --rootfs "$ROOTFS" nslookup far
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" != *"Address: 10.89.1."* ]]
	# ...and its address is not reachable
	ip=$($fn inspect -f '{{(index .NetworkSettings.Networks "other").IPAddress}}' far 2>/dev/null)
	[[ "$ip" == 10.89.1.* ]]
	run --separate-stderr $fn run --rm --init --network app --rootfs "$ROOTFS" timeout 3 wget -q -O- "http://$ip/"
	[ "$status" -ne 0 ]
	[[ "$output" != *hello* ]]
	# while on its own network it resolves to that address
	run --separate-stderr $fn run --rm --network other --rootfs "$ROOTFS" nslookup far
	[[ "$output" == *"Address: $ip"* ]]
	$fn rm -f db far > /dev/null 2>&1
	gone "$u"
}

@test "containers on one network reach each other by name and alias; another network's do not" {
	reach_by_names w "$TEST_USER"
}

@test "the single-ID user's containers find each other by name too" {
	make_rootfs "$NOSUB_USER"
	reach_by_names w_nosub "$NOSUB_USER"
}

@test "the gateway answers short IDs, PTR and AAAA as Docker's DNS; host names go to the host's resolver" {
	w network create app > /dev/null
	web db app w --network-alias database
	id=$(w inspect -f '{{.Id}}' db)
	ip=$(w inspect -f '{{(index .NetworkSettings.Networks "app").IPAddress}}' db)
	# podman's resolv.conf on a network (the gateway, dns.podman searched
	# first, then the host's domains) with Docker's ndots:0
	run w run --rm --network app --rootfs "$ROOTFS" cat /etc/resolv.conf
	[ "$output" = "$(printf 'nameserver 10.89.0.1\nsearch dns.podman warren.test\noptions ndots:0')" ]
	run w run --rm --network app --rootfs "$ROOTFS" sh -c \
		"nslookup ${id:0:12}; nslookup db.dns.podman; nslookup $ip; nslookup -type=aaaa db; nslookup host.warren.test"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep -c "^Address: $ip\$")" -eq 2 ]
	# PTR: the container's name, as podman answers it
	[[ "$output" == *"name = db"* ]]
	# AAAA of a container (IPv4-only networks): an empty answer, not an error
	[[ "$output" != *"can't find db.dns.podman"* ]]
	# a host name: through the host's resolver (the test's dnsmasq)
	[[ "$output" == *"Address: 192.0.2.10"* ]]
	# over TCP too (a client of the host's, in db's network namespace)
	pid=$(w inspect -f '{{.State.Pid}}' db)
	[ "$(nsenter -t "$pid" -n python3 -c "$DNS_TCP" database 10.89.0.1)" = "0 $ip" ]
	[ "$(nsenter -t "$pid" -n python3 -c "$DNS_TCP" host.warren.test 10.89.0.1)" = "0 192.0.2.10" ]
	# a name no container has, inside dns.podman: NXDOMAIN at once
	run w run --rm --network app --rootfs "$ROOTFS" nslookup nosuch.dns.podman
	[ "$status" -ne 0 ]
	[[ "$output" == *NXDOMAIN* ]]
	# inspect shows the MAC address the container has, an endpoint ID, the
	# aliases and the DNS names, as Docker 25 does
	mac=$(w exec db cat /sys/class/net/eth0/address)
	[ "$(w inspect -f '{{(index .NetworkSettings.Networks "app").MacAddress}}' db)" = "$mac" ]
	[[ "$(w inspect -f '{{(index .NetworkSettings.Networks "app").EndpointID}}' db)" =~ ^[0-9a-f]{64}$ ]]
	[ "$(w network inspect -f '{{range .Containers}}{{.MacAddress}} {{.EndpointID}}{{end}}' app)" = \
		"$mac $(w inspect -f '{{(index .NetworkSettings.Networks "app").EndpointID}}' db)" ]
	[ "$(w inspect -f '{{(index .NetworkSettings.Networks "app").Aliases}}' db)" = "[database]" ]
	[ "$(w inspect -f '{{(index .NetworkSettings.Networks "app").DNSNames}}' db)" = "[db database ${id:0:12}]" ]
	# the responder that parsed all this runs under a seccomp filter of its
	# own, and can gain no privilege
	holder=$(pgrep -u "$TEST_USER" -x warren-nethold)
	grep -E '^Seccomp:[[:space:]]+2$' "/proc/$holder/status"
	grep -E '^NoNewPrivs:[[:space:]]+1$' "/proc/$holder/status"
	w rm -f db > /dev/null
	gone
}

@test "a restarted container keeps its name and alias, a renamed one answers to its new name; rm takes them away" {
	w network create app > /dev/null
	w run -d --name keep --network app --network-alias kept --rootfs "$ROOTFS" sleep infinity > /dev/null
	w restart -t 0 keep > /dev/null
	# a rename renames it in the network's DNS at once
	w rename keep kept2
	run w run --rm --network app --rootfs "$ROOTFS" sh -c 'nslookup kept2.dns.podman; nslookup keep.dns.podman'
	[[ "$output" == *"Address: 10.89.0.2"* ]]
	[[ "$output" == *"can't find keep.dns.podman: NXDOMAIN"* ]]
	w rename kept2 keep
	# (busybox's nslookup fails when any search domain does: count answers)
	run w run --rm --network app --rootfs "$ROOTFS" sh -c 'nslookup keep; nslookup kept'
	[ "$(echo "$output" | grep -c '^Address: 10\.89\.0\.2$')" -eq 2 ]
	# stopped, it has no name (Docker's DNS answers running containers
	# only) but keeps its address for the next start
	w run -d --name other --network app --rootfs "$ROOTFS" sleep infinity > /dev/null
	w stop -t 0 keep > /dev/null
	run w exec other nslookup keep.dns.podman
	[[ "$output" == *NXDOMAIN* ]]
	w start keep > /dev/null
	run w exec other nslookup keep.dns.podman
	[[ "$output" == *"Address: 10.89.0.2"* ]]
	w rm -f keep other > /dev/null
	[ -z "$(ls "$STORE/networks/app/names")" ]
	gone
}

@test "network connect of a created container: the interface and the name come with its start" {
	w network create a > /dev/null
	w network create b > /dev/null
	w create --name late --network a --rootfs "$ROOTFS" sleep infinity > /dev/null
	w network connect --alias tardy b late
	w run -d --name peer --network b --rootfs "$ROOTFS" sleep infinity > /dev/null
	# created: no name yet
	run w exec peer nslookup tardy.dns.podman
	[[ "$output" == *NXDOMAIN* ]]
	w start late > /dev/null
	run w exec late sh -c 'ls /sys/class/net; ip route show default'
	[[ "$output" == *eth1* ]]
	[[ "$output" == *"default via 10.89.0.1 dev eth0"* ]]
	ip=$(w inspect -f '{{(index .NetworkSettings.Networks "b").IPAddress}}' late)
	run w exec peer nslookup tardy.dns.podman
	[[ "$output" == *"Address: $ip"* ]]
	# and disconnect of a stopped one leaves it on its first network only
	w stop -t 0 late > /dev/null
	w network disconnect b late
	[ "$(w inspect -f '{{len .NetworkSettings.Networks}}' late)" = 1 ]
	w start late > /dev/null
	[ "$(w exec late ls /sys/class/net | tr '\n' ' ')" = "eth0 lo " ]
	w rm -f late peer > /dev/null
	gone
}

@test "20 containers started at once on one network get distinct addresses and resolve each other" {
	local pids=() i
	w network create many > /dev/null
	# the first starts the network namespace (and its view of resolv.conf)
	w run -d --name c1 --network many --rootfs "$ROOTFS" sleep infinity > /dev/null
	for i in $(seq 2 20); do
		w run -d --name "c$i" --network many --rootfs "$ROOTFS" sleep infinity > /dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	want=$(for i in $(seq 1 20); do
		echo "c$i $(w inspect -f '{{(index .NetworkSettings.Networks "many").IPAddress}}' "c$i")"
	done)
	echo "$want"
	[ "$(echo "$want" | awk '{ print $2 }' | grep -c '^10\.89\.0\.')" -eq 20 ]
	[ "$(echo "$want" | awk '{ print $2 }' | sort -u | wc -l)" -eq 20 ]
	# each one resolves all twenty names to the addresses inspect shows
	for i in $(seq 1 20); do
		got=$(w exec "c$i" sh -c 'for n in $(seq 1 20); do
			echo "c$n $(nslookup -type=a c$n | sed -n "s/^Address: //p" | grep -v :53)"; done')
		[ "$got" = "$want" ] || { echo "c$i: $got"; false; }
	done
	w rm -f $(seq -f 'c%g' 1 20) > /dev/null
	gone
}

@test "--network-alias: bad input is one line, exit 125, and creates nothing" {
	w network create app > /dev/null
	for args in "--network-alias x" "--network app --network-alias bad/name" \
		"--network app --network-alias -x" "--network app --network-alias ''"; do
		for cmd in run create; do
			eval "run --separate-stderr w $cmd $args --rootfs \"\$ROOTFS\" true"
			echo "$cmd $args: $status $stderr"
			[ "$status" -eq 125 ]
			[ "${#stderr_lines[@]}" -eq 1 ]
		done
	done
	[ -z "$(w ps -aq)" ]
	[ -z "$(ls "$STORE/networks/app/leases")" ]
}

# connect_disconnect FN USER: the connect test for one user
connect_disconnect() {
	local fn=$1 u=$2
	$fn network create front > /dev/null 2>&1
	$fn network create back > /dev/null 2>&1
	web api front "$fn"
	web db back "$fn"
	$fn run -d --name probe --network back --rootfs "$ROOTFS" sleep infinity > /dev/null 2>&1
	# before: api has eth0 only, and back's probe cannot resolve it
	[ "$($fn exec api ls /sys/class/net 2>/dev/null | tr '\n' ' ')" = "eth0 lo " ]
	run --separate-stderr $fn exec probe nslookup api
	[[ "$output" != *"Address: 10.89."* ]]
	run --separate-stderr $fn network connect --alias rest back api
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# now: eth1 with an address of back, and a name (and its alias) there
	ip=$($fn inspect -f '{{(index .NetworkSettings.Networks "back").IPAddress}}' api 2>/dev/null)
	[[ "$ip" == 10.89.1.* ]]
	[ "$($fn exec api ls /sys/class/net 2>/dev/null | tr '\n' ' ')" = "eth0 eth1 lo " ]
	[[ "$($fn exec api ip -4 -o addr show eth1 2>/dev/null)" == *" $ip/24 "* ]]
	for n in api rest; do
		run --separate-stderr $fn exec probe timeout 5 wget -q -O- "http://$n/"
		[ "$output" = "hello from api" ]
	done
	# api reaches back's db by name through its first network's gateway
	run --separate-stderr $fn exec api timeout 5 wget -q -O- http://db/
	[ "$output" = "hello from db" ]
	[ "$($fn network inspect -f '{{range .Containers}}{{.Name}} {{end}}' back 2>/dev/null | tr ' ' '\n' | sort | xargs)" = "api db probe" ]
	run --separate-stderr $fn network disconnect back api
	[ "$status" -eq 0 ]
	[ "$($fn exec api ls /sys/class/net 2>/dev/null | tr '\n' ' ')" = "eth0 lo " ]
	run --separate-stderr $fn exec probe nslookup api
	[[ "$output" != *"Address: 10.89."* ]]
	run --separate-stderr $fn exec --init probe timeout 3 wget -q -O- "http://$ip/"
	[[ "$output" != *hello* ]]
	[ "$($fn inspect -f '{{len .NetworkSettings.Networks}}' api 2>/dev/null)" = 1 ]
	$fn rm -f api db probe > /dev/null 2>&1
	gone "$u"
}

@test "network connect gives a running container an interface and a name; disconnect takes both" {
	connect_disconnect w "$TEST_USER"
}

@test "the single-ID user connects and disconnects too" {
	make_rootfs "$NOSUB_USER"
	connect_disconnect w_nosub "$NOSUB_USER"
}

@test "--network A --network B: eth0 and eth1, the default route via A, names on both; restart keeps both" {
	w network create a > /dev/null
	w network create b > /dev/null
	web wa a
	web wb b
	w run -d --name both --network a --network b --rootfs "$ROOTFS" sleep infinity > /dev/null
	check_both() {
		run w exec both sh -c 'ip -4 -o addr; ip route show default'
		echo "$output"
		[[ "$output" == *"eth0    inet 10.89.0."* ]]
		[[ "$output" == *"eth1    inet 10.89.1."* ]]
		[[ "$output" == *"default via 10.89.0.1 dev eth0"* ]]
		[ "$(w exec both timeout 5 wget -q -O- http://wa/)" = "hello from wa" ]
		[ "$(w exec both timeout 5 wget -q -O- http://wb/)" = "hello from wb" ]
		[ "$(w exec wb timeout 5 nslookup both.dns.podman | grep -c 'Address: 10\.89\.1\.')" -eq 1 ]
	}
	check_both
	[ "$(w inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}' both)" = \
		"a=$(w exec both ip -4 -o addr show eth0 | awk '{ print $4 }' | cut -d/ -f1) b=$(w exec both ip -4 -o addr show eth1 | awk '{ print $4 }' | cut -d/ -f1) " ]
	w restart -t 0 both > /dev/null
	check_both
	run --separate-stderr w network rm b
	[ "$status" -eq 1 ]
	w rm -f both wa wb > /dev/null
	gone
}

@test "Docker 25's --network name=A,alias=X --network name=B,alias=Y,ip=IP: each network its own alias and address" {
	w network create --subnet 10.89.40.0/24 a > /dev/null
	w network create --subnet 10.89.41.0/24 b > /dev/null
	w run -d --name two --network name=a,alias=front,alias=www --network name=b,alias=back,ip=10.89.41.77 \
		--rootfs "$ROOTFS" sh -c 'echo hello from two > /i.html && exec httpd -f -p 80 -h /' > /dev/null
	# a's containers know the aliases given on a, and not b's (as Docker)
	for n in front www; do
		[ "$(w run --rm --network a --rootfs "$ROOTFS" timeout 5 wget -q -O- "http://$n/i.html")" = "hello from two" ]
	done
	run --separate-stderr w run --rm --network a --rootfs "$ROOTFS" nslookup back
	[[ "$output" != *"Address: 10.89."* ]]
	# b's know back, at the address asked for
	run --separate-stderr w run --rm --network b --rootfs "$ROOTFS" nslookup back
	echo "$output"
	[[ "$output" == *"Address: 10.89.41.77"* ]]
	[ "$(w run --rm --network b --rootfs "$ROOTFS" timeout 5 wget -q -O- http://back/i.html)" = "hello from two" ]
	# inspect shows each network's aliases and address, and a restart keeps them
	w restart -t 0 two > /dev/null
	[ "$(w inspect -f '{{(index .NetworkSettings.Networks "b").IPAddress}}' two)" = 10.89.41.77 ]
	run w inspect -f '{{json (index .NetworkSettings.Networks "b").Aliases}} {{json (index .NetworkSettings.Networks "a").Aliases}}' two
	echo "$output"
	[[ "$output" == '["back"'*' ["front","www"'* ]]
	[ "$(w run --rm --network b --rootfs "$ROOTFS" timeout 5 wget -q -O- http://back/i.html)" = "hello from two" ]
	w rm -f two > /dev/null
	gone
}

@test "--network name=...: bad fields are one line, exit 125, and create nothing" {
	w network create app > /dev/null
	for v in "alias=x" "name=app,bogus=1" "name=app,ip6=fd00::5" "name=app,mac-address=02:42:ac:11:00:02" \
		"name=app,ip=300.1.1.1" "name=app,alias=bad/name" "name=app,name=app" "name=app,,alias=x" \
		"name=none,alias=x" "name=nosuch"; do
		run --separate-stderr w run --network "$v" --rootfs "$ROOTFS" true
		echo "$v: $status $stderr"
		[ "$status" -eq 125 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == *"--network"* ]]
	done
	[ -z "$(w ps -aq)" ]
	[ -z "$(ls "$STORE/networks/app/leases")" ]
}

@test "disconnect from the network of the default route: the next network's gateway takes it, as Docker's does" {
	w network create a > /dev/null
	w network create b > /dev/null
	w network create c > /dev/null
	w run -d --name three --network a --network b --network c --rootfs "$ROOTFS" sleep infinity > /dev/null
	gw() { w network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$1"; }
	[[ "$(w exec three sh -c 'ip route | grep ^default')" == "default via $(gw a) dev eth0"* ]]
	# off a side network: the route stays where it is
	w network disconnect c three
	[[ "$(w exec three sh -c 'ip route | grep ^default')" == "default via $(gw a) dev eth0"* ]]
	# off the first: b's gateway, on eth1, and the way out still works
	w network disconnect a three
	run w exec three sh -c 'ip route | grep ^default'
	echo "$output"
	[[ "$output" == "default via $(gw b) dev eth1"* ]]
	[ "${#lines[@]}" -eq 1 ]
	w rm -f three > /dev/null
	gone
}

@test "network connect and disconnect: bad input is one line, exit 1, and changes nothing" {
	w network create app > /dev/null
	w network create other > /dev/null
	w network create --subnet 10.42.7.0/24 fixed > /dev/null
	w run -d --name c --network app --rootfs "$ROOTFS" sleep infinity > /dev/null
	w run -d --name d --network fixed --ip 10.42.7.9 --rootfs "$ROOTFS" sleep infinity > /dev/null
	w run -d --name plain --rootfs "$ROOTFS" sleep infinity > /dev/null
	before=$(cat "$STORE"/containers/*/config.json | md5sum)
	for args in "connect nosuch c" "connect app nosuch" "connect app c" "connect --ip 10.42.8.1 fixed c" \
		"connect --ip 10.42.7.9 fixed c" "connect other plain" "disconnect nosuch c" \
		"disconnect app nosuch" "disconnect other c" "connect --alias bad/x other c"; do
		run --separate-stderr w network $args
		echo "$args: $status $stderr"
		[ "$status" -eq 1 ] || [ "$status" -eq 125 -a "${args#*bad/}" != "$args" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
	done
	[ "$(cat "$STORE"/containers/*/config.json | md5sum)" = "$before" ]
	[ "$(ls "$STORE/networks/fixed/leases")" = 10.42.7.9 ]
	[ -z "$(ls "$STORE/networks/other/leases" 2>/dev/null)" ]
	[ "$(w exec c ls /sys/class/net | tr '\n' ' ')" = "eth0 lo " ]
	w rm -f c d plain > /dev/null
	gone
}

@test "an --internal network answers its containers' names but forwards nothing" {
	w network create --internal inner > /dev/null
	web api inner
	run w run --rm --network inner --rootfs "$ROOTFS" sh -c \
		'nslookup api.dns.podman; nslookup host.warren.test; timeout 5 wget -q -O- http://api/'
	echo "$output"
	[[ "$output" == *"Address: 10.89.0.2"* ]]
	[[ "$output" != *"192.0.2.10"* ]]
	[[ "$output" == *"hello from api"* ]]
	w rm -f api > /dev/null
	gone
}

@test "--network INTERNAL --network OUTER: the default route via the one with a way out" {
	w network create --internal inner > /dev/null
	w network create outer > /dev/null
	# (busybox's ip prints every route: the default ones picked out)
	run w run --rm --network inner --network outer --rootfs "$ROOTFS" ip route
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | grep '^default')" = "default via 10.89.1.1 dev eth1 " ]
	gone
}
