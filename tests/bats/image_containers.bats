#!/usr/bin/env bats
# Recorded containers made from an image (create IMAGE, run -d IMAGE): the
# writable layer in the container's directory kept across stop and start and
# removed by rm, on each storage driver; the image's config; published ports,
# DNS and hosts options at every start; port, ps and inspect; rmi of an image
# a container uses. Images come from the local registry or `warren import`.

bats_require_minimum_version 1.5.0

load helpers
load images_helpers
load lifecycle_helpers
load net_helpers

setup() {
	lc_setup
	tar -C "$ROOTFS_PRISTINE" --numeric-owner -cf "$(dirname "$ROOTFS")/bb.tar" .
	chmod 644 "$(dirname "$ROOTFS")/bb.tar"
	warren import --change "EXPOSE 80" --change "STOPSIGNAL KILL" "$(dirname "$ROOTFS")/bb.tar" \
		bb:1 >/dev/null
}

teardown() { lc_teardown; }

# containers_left: what containers/ of the store holds besides names/
containers_left() { ls -A "$STORE/containers" 2>/dev/null | grep -vx names || true; }

# layer_kept DRIVER: create, start, stop, start again: a file written by the
# first run is there in the second; then rm removes the layer and helpers
layer_kept() {
	export WARREN_STORAGE_DRIVER=$1
	run warren create --name keep bb:1 sh -c 'echo run >> /data.txt; cat /data.txt | wc -l; sleep 60'
	[ "$status" -eq 0 ]
	id=$output
	[ -d "$STORE/containers/$id" ]
	[ -f "$STORE/containers/$id/config.json" ]
	# inspect names the driver and the layer's directories, as Podman does
	if [ "$1" = vfs ]; then
		run warren inspect -f '{{.Driver}} {{.GraphDriver.Data.Dir}}' keep
		[ "$output" = "vfs $STORE/containers/$id/rootfs" ]
	else
		run warren inspect -f '{{.Driver}} {{.GraphDriver.Data.UpperDir}}' keep
		[ "$output" = "$1 $STORE/containers/$id/upper" ]
	fi
	warren start keep
	wait_log keep 1
	warren stop keep
	wait_state keep exited
	warren start keep
	wait_log keep 2
	# the overlay drivers keep the file in upper/ of the container's directory
	[ "$1" = vfs ] || [ "$(cat "$STORE/containers/$id/upper/data.txt")" = "run
run" ]
	run warren rm -f keep
	[ "$status" -eq 0 ]
	[ -z "$(containers_left)" ]
	for ((i = 0; i < 100; i++)); do
		pgrep -u "$TEST_USER" -x warren-overlay >/dev/null || break
		sleep 0.05
	done
	! pgrep -u "$TEST_USER" -x warren-overlay
}

@test "overlay: create IMAGE, start, stop, start keeps the files written; rm removes the layer" {
	layer_kept overlay
}

@test "fuse-overlay: create IMAGE, start, stop, start keeps the files written; rm removes the layer" {
	layer_kept fuse-overlay
}

@test "vfs: create IMAGE, start, stop, start keeps the files written; rm removes the copy" {
	layer_kept vfs
}

@test "a created container applies the image's Entrypoint, Cmd, Env, User and WorkingDir" {
	imgid=$(warren pull -q "$REG/warren/config")
	run warren create --name c1 "$REG/warren/config"
	[ "$status" -eq 0 ]
	run warren start -a c1
	[ "$status" -eq 0 ]
	[ "$output" = "ep default-arg" ]
	warren create --name c2 --entrypoint sh "$REG/warren/config" -c 'id -u; pwd; echo "$GREETING"'
	run warren start -a c2
	[ "$output" = "1000
/home/tester/work
hi there" ]
	# inspect: Config.Image as given, Image the image's ID; ps shows the name
	run warren inspect -f '{{.Config.Image}} {{.Image}}' c1
	[ "$output" = "$REG/warren/config sha256:$imgid" ]
	run warren ps -a --format '{{.Names}} {{.Image}}'
	[ "$output" = "c2 $REG/warren/config
c1 $REG/warren/config" ]
}

@test "the image's StopSignal and Volumes apply to a recorded container" {
	run warren inspect -f '{{.Config.StopSignal}}' "$(warren create bb:1 true)"
	[ "$output" = KILL ]
	warren pull -q "$REG/warren/layers" >/dev/null
	run warren run -d --name v "$REG/warren/layers" sh -c 'ls /vol; sleep 60'
	[ "$status" -eq 0 ]
	run warren inspect -f '{{json .Mounts}}' v
	[[ "$output" == *'"Destination":"/vol"'* && "$output" == *'"Type":"volume"'* ]]
	# an anonymous volume, as Docker's: listed, and kept across starts
	[ "$(warren volume ls -q | wc -l)" -eq 1 ]
	warren exec v sh -c 'echo in-volume > /vol/f'
	warren kill v
	wait_state v exited
	warren start v
	run warren exec v cat /vol/f
	[ "$output" = in-volume ]
	run warren inspect -f '{{json .Config.ExposedPorts}}' v
	[ "$output" = '{"8080/tcp":{}}' ]
}

@test "run -d IMAGE -p: busybox httpd in the container answers on the host; port, ps and inspect show it" {
	port=$(free_port)
	run warren run -d --name web -p "127.0.0.1:$port:80" bb:1 \
		sh -c 'mkdir -p /www && echo hello-image > /www/index.html && httpd -f -p 80 -h /www'
	[ "$status" -eq 0 ]
	wait_for_listen "$port"
	run http_get "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = hello-image ]
	run warren port web
	[ "$status" -eq 0 ]
	[ "$output" = "80/tcp -> 127.0.0.1:$port" ]
	run warren port web 80/tcp
	[ "$output" = "127.0.0.1:$port" ]
	run warren ps --format '{{.Names}} {{.Image}} {{.Ports}}'
	[ "$output" = "web bb:1 127.0.0.1:$port->80/tcp" ]
	run warren inspect -f '{{json .NetworkSettings.Ports}}' web
	[ "$output" = "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}" ]
	run warren inspect -f '{{json .HostConfig.PortBindings}}' web
	[ "$output" = "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}" ]
}

@test "-P on run -d publishes the image's ExposedPorts; port CONTAINER 80 names the host port" {
	run warren run -d --name web -P bb:1 sh -c 'echo hello-P > /index.html && httpd -f -p 80 -h /'
	[ "$status" -eq 0 ]
	run warren port web 80
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^0\.0\.0\.0:[0-9]+$ ]]
	hostport=${lines[0]#0.0.0.0:}
	# as Docker: [::] on the same port too, where the host has IPv6
	if grep -q . /proc/net/if_inet6 2>/dev/null; then
		[ "${lines[1]}" = "[::]:$hostport" ]
	fi
	run http_get "http://127.0.0.1:$hostport/"
	[ "$output" = hello-P ]
	run warren port web 81
	[ "$status" -eq 1 ]
	[ "$output" = "warren: no public port '81/tcp' published for web" ]
}

@test "a stopped container's ports are published again at start and gone with rm -f: no warren-net, listener or layer left" {
	port=$(free_port)
	warren run -d --name web -p "127.0.0.1:$port:80" bb:1 sh -c 'echo up > /index.html; httpd -f -p 80 -h /'
	wait_for_listen "$port"
	warren stop web
	wait_state web exited
	wait_no_warren_net_left
	! ss -H -ltn "sport = :$port" | grep -q .
	# ps shows the exposed port only, no mapping, while the container is stopped
	run warren ps -a --format '{{.Ports}}'
	[ "$output" = 80/tcp ]
	run warren port web
	[ -z "$output" ]
	warren start web
	run http_get "http://127.0.0.1:$port/"
	[ "$output" = up ]
	run warren rm -f web
	[ "$status" -eq 0 ]
	wait_no_warren_net_left
	! ss -H -ltn "sport = :$port" | grep -q .
	[ -z "$(containers_left)" ]
}

@test "--dns, --dns-search and --add-host apply at every start of a created container" {
	warren create --name d --dns 192.0.2.53 --dns-search example.test \
		--add-host gw.local:192.0.2.7 bb:1 sh -c 'cat /etc/resolv.conf /etc/hosts'
	for i in 1 2; do
		run warren start -a d
		[ "$status" -eq 0 ]
		echo "$output" | grep -qx 'nameserver 192.0.2.53'
		echo "$output" | grep -qx 'search example.test'
		echo "$output" | grep -qP '^192\.0\.2\.7\tgw\.local$'
	done
	run warren inspect -f '{{json .HostConfig.Dns}} {{json .HostConfig.ExtraHosts}}' d
	[ "$output" = '["192.0.2.53"] ["gw.local:192.0.2.7"]' ]
}

@test "run -dt IMAGE gives the command a terminal; run --rm -d IMAGE leaves nothing when it exits" {
	warren run -dt --name t bb:1 sh -c '[ -t 0 ] && [ -t 1 ] && echo terminal; sleep 60'
	wait_log t terminal
	warren rm -f t
	warren run --rm -d bb:1 true
	for ((i = 0; i < 100; i++)); do
		[ -z "$(containers_left)" ] && break
		sleep 0.05
	done
	[ -z "$(containers_left)" ]
	# a start that fails leaves nothing either
	run warren run --rm -d bb:1 nosuchcmd
	[ "$status" -eq 127 ]
	[ "$output" = 'warren: "nosuchcmd": executable file not found in $PATH' ]
	[ -z "$(containers_left)" ]
}

@test "rmi of an image a stopped container uses is refused; -f removes it and the container still starts" {
	warren create --name keep bb:1 sh -c 'echo still-runs'
	run warren rmi bb:1
	[ "$status" -eq 1 ]
	[[ "$output" == "warren: unable to delete image bb:1: it is being used by stopped container "* ]]
	[ "$(echo "$output" | wc -l)" -eq 1 ]
	warren images --format '{{.Repository}}' | grep -q bb
	run warren rmi -f bb:1
	[ "$status" -eq 0 ]
	! warren images --format '{{.Repository}}' | grep -q bb
	run warren start -a keep
	[ "$status" -eq 0 ]
	[ "$output" = still-runs ]
	# once the container is gone, so are the image's layers
	warren rm keep
	warren image prune -f >/dev/null
	[ -z "$(ls -A "$STORE/layers")" ]
}

@test "rmi of an image a running container uses is refused even with -f" {
	warren run -d --name r bb:1 sleep 60
	run warren rmi -f bb:1
	[ "$status" -eq 1 ]
	[[ "$output" == "warren: unable to delete image bb:1 (cannot be forced): it is being used by running container "* ]]
	warren images --format '{{.Repository}}' | grep -q bb
}

@test "create of an unknown image: one error line, exit 125, nothing left in the store" {
	before=$(cd "$STORE" && find . | sort)
	run warren create --name x "$REG/warren/nosuch"
	[ "$status" -eq 125 ]
	[ "$(echo "$output" | grep -c '^warren: ')" -eq 1 ]
	[[ "$output" == *"warren/nosuch"*"not found"* ]]
	[ -z "$(containers_left)" ]
	[ -z "$(ls -A "$STORE/containers/names" 2>/dev/null)" ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	run warren ps -a -q
	[ -z "$output" ]
}

@test "create IMAGE with a name in use fails with one line and removes the new layer" {
	warren create --name taken bb:1 true
	run warren create --name taken bb:1 true
	[ "$status" -eq 125 ]
	[[ "$output" == 'warren: the container name "taken" is already in use'* ]]
	[ "$(containers_left | wc -l)" -eq 1 ]
}

@test "the user without subordinate IDs creates, starts and removes an image container" {
	d=$(user_tmpdir)
	chown "$NOSUB_USER" "$d"
	tar -C "$ROOTFS_PRISTINE" --numeric-owner -cf "$d/bb.tar" .
	chmod 644 "$d/bb.tar"
	ns() { as_nosub "$WARREN" --root "$d/store" "$@"; }
	ns import "$d/bb.tar" bb:1 >/dev/null
	ns create --name n bb:1 sh -c 'echo x >> /f; wc -l < /f'
	run ns start -a n
	[ "$output" = 1 ]
	run ns start -a n
	[ "$output" = 2 ]
	run ns rm n
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$d/store/containers" | grep -vx names)" ]
}

@test "slirp options are kept: every start of a created container gets --network slirp:mtu=1500; exec sees its files" {
	warren run -d --name m --network slirp:mtu=1500 bb:1 sh -c 'echo kept > /k; sleep 60'
	run warren exec m cat /sys/class/net/tap0/mtu /k
	[ "$output" = "1500
kept" ]
	warren stop m
	warren start m
	run warren exec m cat /sys/class/net/tap0/mtu /k
	[ "$output" = "1500
kept" ]
}

@test "rmi and image prune leave container records alone, --rootfs ones included" {
	warren create --name fromdir --rootfs "$ROOTFS" true
	warren create --name fromimg bb:1 true
	warren import "$(dirname "$ROOTFS")/bb.tar" other:1 >/dev/null
	warren rmi other:1
	warren image prune -a -f
	run warren ps -a --format '{{.Names}}'
	[ "$output" = "fromimg
fromdir" ]
	run warren start -a fromimg
	[ "$status" -eq 0 ]
	run warren start -a fromdir
	[ "$status" -eq 0 ]
}
