#!/usr/bin/env bats
# User-defined networks (`warren network ...`), as the unprivileged test
# user and the single-ID user, compared with rootless podman where podman
# does the same thing here (Debian 12's podman 4.3 keeps its networks as
# CNI configs in ~/.config/cni/net.d).

bats_require_minimum_version 1.5.0

load lifecycle_helpers

CNI_DIR=/home/$TEST_USER/.config/cni

setup() {
	lc_setup
	rm -rf "$CNI_DIR" "/home/$NOSUB_USER/.local/share/warren"
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
}

teardown() {
	lc_teardown
	rm -rf "$CNI_DIR" "/home/$NOSUB_USER/.local/share/warren"
}

# subnet_of NET: the network's subnet as warren inspect shows it
subnet_of() { warren network inspect -f '{{(index .IPAM.Config 0).Subnet}}' "$1"; }

@test "network create, ls, inspect, rm have Docker's output" {
	run --separate-stderr warren network create --label tier=db --label x app
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run warren network ls
	[[ "${lines[0]}" =~ ^NETWORK\ ID\ +NAME\ +DRIVER\ +SCOPE$ ]]
	[[ "${lines[1]}" =~ ^${id:0:12}\ +app\ +bridge\ +local$ ]]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(warren network ls -q --no-trunc)" = "$id" ]
	[ "$(warren network ls --format '{{.Name}} {{.Labels}} {{.Internal}}')" = "app tier=db,x= false" ]
	warren network inspect app | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert len(v) == 1, v
n = v[0]
assert n["Name"] == "app" and n["Driver"] == "bridge" and n["Scope"] == "local", n
assert n["Id"] == sys.argv[1] and n["Internal"] is False and n["EnableIPv6"] is False, n
assert n["IPAM"]["Config"] == [{"Subnet": "10.89.0.0/24", "Gateway": "10.89.0.1"}], n
assert n["Labels"] == {"tier": "db", "x": ""} and n["Containers"] == {}, n
' "$id"
	# by ID and by a prefix of it, as Docker looks networks up
	[ "$(warren network inspect -f '{{.Name}}' "${id:0:5}")" = app ]
	# and `inspect` finds networks too (after containers and images)
	[ "$(warren inspect -f '{{.Driver}} {{.Name}}' app)" = "bridge app" ]
	[ "$(warren inspect --type network -f '{{.Id}}' app)" = "$id" ]
	run --separate-stderr warren network rm "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ -z "$(warren network ls -q)" ]
}

@test "network create picks the subnets podman picks, and refuses what podman refuses" {
	# the same commands on both; an accepted create's subnet must match
	local cmds=("a" "b" "--subnet 10.89.1.128/25 c" "--subnet 10.90.0.0/16 --gateway 10.90.7.7 d"
		"--subnet 10.90.3.0/24 e" "a" "f")
	for c in "${cmds[@]}"; do
		run podman_u network create $c
		pst=$status
		echo "podman: $output"
		run --separate-stderr warren network create $c
		wst=$status
		echo "$c: podman $pst warren $wst $stderr"
		{ [ "$pst" -eq 0 ] && [ "$wst" -eq 0 ]; } || { [ "$pst" -ne 0 ] && [ "$wst" -eq 1 ]; }
		[ "$wst" -eq 0 ] || [ "${#stderr_lines[@]}" -eq 1 ]
	done
	for n in a b d f; do
		p=$(podman_u network inspect --format '{{range .Subnets}}{{.Subnet}} {{.Gateway}}{{end}}' "$n")
		w=$(warren network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' "$n")
		echo "$n: podman $p warren $w"
		[ "$p" = "$w" ]
	done
	[ "$(warren network ls --format '{{.Name}}' | tr '\n' ' ')" = "a b d f " ]
}

@test "network create: bad input is one line, exit 1, and creates nothing" {
	warren network create keep
	before=$(warren network ls -q --no-trunc)
	host_net=$(ip -4 route show scope link | awk 'NR == 1 { print $1 }')
	for args in "keep" "a/b" ".x" "host" "none" "--subnet 10.1.2.3/24 x" "--subnet 10.1.0.0/33 x" \
		"--subnet notacidr x" "--subnet fd00::/64 x" "--subnet 10.89.0.0/16 x" \
		"--gateway 10.1.0.1 x" "--subnet 10.1.0.0/24 --gateway 10.2.0.1 x" \
		"--subnet 10.1.0.0/24 --gateway 10.1.0.255 x" "--subnet 10.1.0.0/31 x" \
		${host_net:+"--subnet $host_net x"}; do
		run --separate-stderr warren network create $args
		echo "$args: $status $stderr"
		[ "$status" -eq 1 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[ -z "$output" ]
	done
	[ "$(warren network ls -q --no-trunc)" = "$before" ]
	for args in "inspect nosuch" "rm nosuch" "frobnicate"; do
		run --separate-stderr warren network $args
		[ "$status" -eq 1 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
	done
	# Docker: rm -f of a network that is not there is no error
	run warren network rm -f nosuch
	[ "$status" -eq 0 ]
	[ "$(warren network ls -q --no-trunc)" = "$before" ]
}

@test "network ls filters and network prune with filters" {
	warren network create --label env=ci one
	warren network create two
	warren network create --internal three
	[ "$(warren network ls --format '{{.Name}}' -f label=env=ci)" = one ]
	[ "$(warren network ls --format '{{.Name}}' -f name=tw)" = two ]
	[ "$(warren network ls --format '{{.Name}}' -f type=custom | wc -l)" -eq 3 ]
	[ -z "$(warren network ls -q -f type=builtin)" ]
	[ "$(warren network ls --format '{{.Name}}:{{.Internal}}' -f name=three)" = three:true ]
	run --separate-stderr warren network ls -f bogus=1
	[ "$status" -eq 1 ]
	run warren network prune -f --filter label!=env=ci
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted Networks:" ]
	[ "$(printf '%s\n' "${lines[@]:1}" | sort | tr '\n' ' ')" = "three two " ]
	[ "$(warren network ls --format '{{.Name}}')" = one ]
	# a no at the prompt keeps everything
	run warren_stdin n network prune
	[ "$(warren network ls --format '{{.Name}}')" = one ]
}

@test "concurrent network creates get distinct subnets" {
	local pids=() i
	for i in $(seq 1 8); do
		warren network create "n$i" > /dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	[ "$(warren network ls -q | wc -l)" -eq 8 ]
	[ "$(for i in $(seq 1 8); do subnet_of "n$i"; done | sort -u | wc -l)" -eq 8 ]
}

@test "the single-ID user creates and removes networks" {
	run warren_nosub network create solo
	[ "$status" -eq 0 ]
	[ "$(warren_nosub network ls --format '{{.Name}}')" = solo ]
	warren_nosub network rm solo
	[ -z "$(warren_nosub network ls -q)" ]
}

# web_on NET [USER-FN]: a detached busybox httpd named web-NET on NET
# serving "hello from NET"; echoes its address
web_on() {
	local w=${2:-warren}
	$w run -d --name "web-$1" --network "$1" --rootfs "$ROOTFS" sh -c \
		"mkdir -p /www && echo 'hello from $1' > /www/index.html && exec httpd -f -p 80 -h /www" > /dev/null
	$w inspect -f "{{(index .NetworkSettings.Networks \"$1\").IPAddress}}" "web-$1" 2> /dev/null
}

# no_network_left [USER-FN]: every container gone: no holder of the
# network namespace left (polled: it leaves once the kernel drops the last
# veth) and no lease
no_network_left() {
	local i u=${1:-$TEST_USER}
	for ((i = 0; i < 100; i++)); do
		pgrep -u "$u" -x warren-nethold > /dev/null || break
		sleep 0.1
	done
	! pgrep -u "$u" -x -a warren-nethold
	[ -z "$(find "/home/$u/.local/share/warren/networks" -path '*/leases/*' 2>/dev/null)" ]
}

@test "two containers on one network talk over HTTP; one on another network cannot" {
	warren network create app > /dev/null
	warren network create other > /dev/null
	ip=$(web_on app)
	[[ "$ip" == 10.89.0.* ]]
	# the network namespace's holder is there while a container is
	pgrep -u "$TEST_USER" -x warren-nethold
	run warren run --rm --network app --rootfs "$ROOTFS" timeout 5 wget -q -O- "http://$ip/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from app" ]
	# the same request from the other network's subnet goes nowhere (--init:
	# timeout's signal must reach wget, which PID 1 would ignore)
	run warren run --rm --init --network other --rootfs "$ROOTFS" timeout 3 wget -q -O- "http://$ip/"
	[ "$status" -ne 0 ]
	[[ "$output" != *hello* ]]
	# inspect shows the network, the address and the gateway, as Docker does
	[ "$(warren inspect -f '{{.HostConfig.NetworkMode}} {{(index .NetworkSettings.Networks "app").Gateway}} {{(index .NetworkSettings.Networks "app").IPPrefixLen}}' web-app)" = "app 10.89.0.1 24" ]
	[ "$(warren network inspect -f '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}' app)" = "web-app $ip/24" ]
	run --separate-stderr warren network rm app
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"in use by container web-app"* ]]
	warren rm -f web-app > /dev/null
	no_network_left
	warren network rm app other
}

@test "an --internal network gives its containers no route out; peers still reach each other" {
	warren network create --internal inner > /dev/null
	warren network create outer > /dev/null
	ip=$(web_on inner)
	run warren run --rm --network inner --rootfs "$ROOTFS" ip route
	[[ "$output" == "10.89.0.0/24 dev eth0 "* ]]
	[[ "$output" != *default* ]]
	run warren run --rm --network outer --rootfs "$ROOTFS" ip route
	[[ "$output" == *"default via 10.89.1.1 dev eth0"* ]]
	run warren run --rm --network inner --rootfs "$ROOTFS" timeout 5 wget -q -O- "http://$ip/"
	[ "$output" = "hello from inner" ]
	warren rm -f web-inner > /dev/null
	no_network_left
}

@test "--ip gives the address asked for; outside the subnet or in use it is one line, exit 125" {
	warren network create --subnet 10.42.7.0/24 fixed > /dev/null
	warren run -d --name a --network fixed --ip 10.42.7.50 --rootfs "$ROOTFS" sleep infinity > /dev/null
	[ "$(warren exec a sh -c 'ip -4 -o addr show eth0' | awk '{ print $4 }')" = 10.42.7.50/24 ]
	for args in "--ip 10.42.7.50" "--ip 10.42.8.1" "--ip 10.42.7.1" "--ip 10.42.7.255" "--ip bad"; do
		run --separate-stderr warren run --rm --network fixed $args --rootfs "$ROOTFS" true
		echo "$args: $status $stderr"
		[ "$status" -eq 125 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
	done
	run --separate-stderr warren run --rm --ip 10.42.7.9 --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"--ip 10.42.7.9 needs --network NAME"* ]]
	# the refused runs left no lease behind: only a's
	[ "$(ls "$STORE/networks/fixed/leases")" = 10.42.7.50 ]
	warren rm -f a > /dev/null
	no_network_left
}

@test "containers started at once on one network get distinct addresses" {
	local pids=() i
	warren network create many > /dev/null
	for i in $(seq 1 12); do
		warren run -d --name "c$i" --network many --rootfs "$ROOTFS" sleep infinity > /dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	addrs=$(for i in $(seq 1 12); do
		warren inspect -f '{{(index .NetworkSettings.Networks "many").IPAddress}}' "c$i"
	done)
	echo "$addrs"
	# one network namespace (one holder) for all of them
	[ "$(pgrep -u "$TEST_USER" -x warren-nethold | wc -l)" -eq 1 ]
	[ "$(echo "$addrs" | grep -c '^10\.89\.0\.')" -eq 12 ]
	[ "$(echo "$addrs" | sort -u | wc -l)" -eq 12 ]
	# and each reaches the others: c1 reaches c12
	warren exec c12 sh -c 'mkdir -p /w && echo twelve > /w/i && httpd -p 81 -h /w'
	[ "$(warren exec c1 timeout 5 wget -q -O- "http://$(echo "$addrs" | tail -1):81/i")" = twelve ]
	warren rm -f $(seq -f 'c%g' 1 12) > /dev/null
	no_network_left
}

@test "a lease left by a container that vanished is taken back; a running one's is not" {
	warren network create lz > /dev/null
	# a foreground run holds 10.89.0.2 while it lasts
	warren run --rm --network lz --rootfs "$ROOTFS" sleep 61 3>&- &
	bg=$!
	for ((i = 0; i < 100; i++)); do
		pgrep -u "$TEST_USER" -f '^sleep 61$' > /dev/null && break
		sleep 0.1
	done
	[ -e "$STORE/networks/lz/leases/10.89.0.2" ]
	# 10.89.0.3 is held by a container that is gone without giving it back
	echo 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef |
		as_user tee "$STORE/networks/lz/leases/10.89.0.3" > /dev/null
	run warren run --rm --network lz --rootfs "$ROOTFS" sh -c 'ip -4 -o addr show eth0'
	[[ "$output" == *" 10.89.0.3/24 "* ]]
	# the first container ends (its PID 1 killed); its run gives the lease back
	pkill -KILL -u "$TEST_USER" -f '^sleep 61$'
	wait "$bg" || true
	no_network_left
}

@test "the single-ID user's containers talk over a network too" {
	make_rootfs "$NOSUB_USER"
	warren_nosub network create solo > /dev/null
	ip=$(web_on solo warren_nosub)
	run --separate-stderr warren_nosub run --rm --network solo --rootfs "$ROOTFS" \
		timeout 5 wget -q -O- "http://$ip/"
	[ "$output" = "hello from solo" ]
	warren_nosub rm -f web-solo > /dev/null
	no_network_left "$NOSUB_USER"
}

@test "run and create --network with an unknown network: one line, exit 125, nothing made" {
	for cmd in run create; do
		run --separate-stderr warren $cmd --network nosuch --rootfs "$ROOTFS" true
		[ "$status" -eq 125 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == *"network nosuch not found"* ]]
	done
	[ -z "$(warren ps -aq)" ]
	[ ! -e "$STORE/networks" ]
}

@test "network create and rm are events; system prune removes unused networks" {
	warren network create ev > /dev/null
	warren network rm ev > /dev/null
	run warren events --since 0 --until 0s --filter type=network \
		--format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}}'
	[ "$output" = "network create ev bridge
network destroy ev bridge" ]
	warren network create spare > /dev/null
	run warren_stdin n system prune
	[[ "$output" == *"  - all networks not used by at least one container"* ]]
	[ "$(warren network ls --format '{{.Name}}')" = spare ]
	run warren system prune -f
	[[ "$output" == *"Deleted Networks:"*"spare"* ]]
	[ -z "$(warren network ls -q)" ]
}

@test "bash completion offers the network names network ls lists" {
	local compl=$WARREN_PREFIX/share/bash-completion/completions/warren
	warren network create net-a > /dev/null
	warren network create net-b > /dev/null
	got=$(as_user bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_warren; printf "%s\n" "${COMPREPLY[@]}"' _ "$compl" "$WARREN" network rm net- | sort)
	[ "$got" = "$(warren network ls --format '{{.Name}}' | sort)" ]
	[ "$(echo "$got" | wc -l)" -eq 2 ]
}

@test "--network NAME with --userns=keep-id is one line, exit 125, and leaves no lease" {
	warren network create kid > /dev/null
	run --separate-stderr warren run --rm --network kid --userns=keep-id --rootfs "$ROOTFS" true
	echo "$stderr"
	[ "$status" -eq 125 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"--network kid"*"--userns"* ]]
	no_network_left
}
