#!/usr/bin/env bats
# --network container:NAME|ID: a container that shares a running recorded
# container's network namespace (its interfaces, ports, host name, hosts and
# resolv.conf, as Docker's), while its mounts and processes stay its own.
# Everything on namespaces the tests create, as the unprivileged test users.

bats_require_minimum_version 1.5.0

load lifecycle_helpers

NOSUB_STORE=/home/$NOSUB_USER/.local/share/warren

setup() {
	lc_setup
	rundir_rm "$NOSUB_USER"
	rm -rf "$NOSUB_STORE"
	mkdir -p "$ROOTFS/www"
	echo "hello from A" > "$ROOTFS/www/index.html"
	chown -R "$TEST_USER:$TEST_GID" "$ROOTFS/www"
}

teardown() {
	lc_teardown
	rundir_rm "$NOSUB_USER"
	rm -rf "$NOSUB_STORE"
}

# start_httpd [WARREN-FUNCTION]: container A serving /www on its 127.0.0.1:8080
start_httpd() {
	local w=${1:-warren}
	$w run -d --name A --rootfs "$ROOTFS" httpd -f -p 127.0.0.1:8080 -h /www
	wait_exec_ready "$w" A 'netstat -ltn | grep -q 127.0.0.1:8080'
}

# wait_exec_ready WARREN-FUNCTION NAME SCRIPT: until SCRIPT succeeds in NAME
wait_exec_ready() {
	local i
	for ((i = 0; i < 100; i++)); do
		"$1" exec "$2" sh -c "$3" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "$2 never got ready for: $3" >&2
	return 1
}

# the interfaces as ip shows them: name, family, address (no DAD flags)
ifaces='ip -o addr | awk "{print \$2, \$3, \$4}"; cat /sys/class/net/*/address'

@test "container:NAME reaches busybox httpd of container A on 127.0.0.1" {
	start_httpd
	run warren run --rm --network container:A --rootfs "$ROOTFS" wget -qO- http://127.0.0.1:8080/
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from A" ]
	# without it, the new container has a network of its own
	run warren run --rm --rootfs "$ROOTFS" wget -T 2 -qO- http://127.0.0.1:8080/
	[ "$status" -ne 0 ]
}

@test "container:ID sees A's interfaces, host name, hosts and resolv.conf" {
	start_httpd
	# the global IPv6 address comes with slirp's first router advertisement
	wait_exec_ready warren A 'ip -o -6 addr show tap0 | grep -q "inet6 fd00:"'
	id=$(warren inspect --format '{{.Id}}' A)
	a=$(warren exec A sh -c "$ifaces; hostname; cat /etc/hosts /etc/resolv.conf")
	b=$(warren run --rm --network "container:$id" --rootfs "$ROOTFS" \
		sh -c "$ifaces; hostname; cat /etc/hosts /etc/resolv.conf")
	echo "A: $a"
	echo "B: $b"
	[ "$a" = "$b" ]
	echo "$b" | grep -q '^tap0 inet 10.0.2.100/24$'
	[ "$(warren run --rm --network "container:${id:0:12}" --rootfs "$ROOTFS" hostname)" = "${id:0:12}" ]
}

@test "a detached container:A keeps its mounts and processes private and its record says container:ID" {
	start_httpd
	warren run -d --name B --network container:A --tmpfs /mnt/bonly --rootfs "$ROOTFS" sleep infinity
	wait_state B running
	id=$(warren inspect --format '{{.Id}}' A)
	[ "$(warren inspect --format '{{.HostConfig.NetworkMode}}' B)" = "container:$id" ]
	[ "$(warren exec B wget -qO- http://127.0.0.1:8080/)" = "hello from A" ]
	warren exec B grep -q ' /mnt/bonly ' /proc/mounts
	run warren exec A grep ' /mnt/bonly ' /proc/mounts
	[ "$status" -ne 0 ]
	# each has its own PID namespace: A does not see B's sleep
	run warren exec A ps -o comm
	[[ "$output" != *sleep* ]]
	# a server in B listens in A's network too
	warren exec -d B httpd -f -p 127.0.0.1:8081 -h /www
	wait_exec_ready warren A 'wget -qO- http://127.0.0.1:8081/ | grep -q "hello from A"'
}

@test "an image container joins A's network on the kernel overlay and on warren-overlay" {
	start_httpd
	d=$(user_tmpdir)
	tar -C "$ROOTFS" -cf "$d/rootfs.tar" .
	chmod 0644 "$d/rootfs.tar"
	warren import "$d/rootfs.tar" joiner:1
	export WARREN_STORAGE_DRIVER=overlay
	run warren run --rm --network container:A joiner:1 \
		sh -c 'grep -q "^overlay / " /proc/mounts && wget -qO- http://127.0.0.1:8080/'
	[ "$status" -eq 0 ]
	[ "$output" = "hello from A" ]
	export WARREN_STORAGE_DRIVER=fuse-overlay
	run warren run --rm --network container:A joiner:1 \
		sh -c 'grep -q "^warren-overlay / " /proc/mounts && wget -qO- http://127.0.0.1:8080/'
	[ "$status" -eq 0 ]
	[ "$output" = "hello from A" ]
}

@test "create --network container:A starts only while A runs; errors are one line, exit 125" {
	start_httpd
	warren create --name C --network container:A --rootfs "$ROOTFS" wget -qO- http://127.0.0.1:8080/
	run warren start -a C
	[ "$status" -eq 0 ]
	[ "$output" = "hello from A" ]
	warren stop -t 1 A
	run --separate-stderr warren start C
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$stderr" = "warren: cannot join the network of container A: it is not running (start it first)" ]
	run --separate-stderr warren run --rm --network container:A --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[ "$stderr" = "warren: cannot join the network of container A: it is not running (start it first)" ]
	run --separate-stderr warren run -d --name D --network container:A --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	run warren inspect D
	[ "$status" -ne 0 ] # nothing created
	run --separate-stderr warren run --rm --network container:nosuch --rootfs "$ROOTFS" true
	[ "$status" -eq 125 ]
	[ "$stderr" = "warren: --network container:nosuch: no such container: nosuch" ]
}

@test "options that container:A's network decides are refused with one line and exit 125" {
	start_httpd
	for args in "--hostname h" "--dns 192.0.2.1" "--add-host x:192.0.2.1" "-p 18080:80" \
		"--userns keep-id"; do
		run --separate-stderr warren run --rm --network container:A $args --rootfs "$ROOTFS" true
		echo "$args -> $status: $stderr"
		[ "$status" -eq 125 ]
		[ "$(echo "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == "warren: "* ]]
	done
	[ "$(warren ps -aq | wc -l)" -eq 1 ]
}

@test "container:A works for the user without subordinate IDs (single-ID mode)" {
	make_rootfs "$NOSUB_USER"
	mkdir -p "$ROOTFS/www"
	echo "hello from A" > "$ROOTFS/www/index.html"
	chown -R "$NOSUB_USER:$NOSUB_GID" "$ROOTFS/www"
	start_httpd warren_nosub
	run warren_nosub run --rm --network container:A --rootfs "$ROOTFS" wget -qO- http://127.0.0.1:8080/
	[ "$status" -eq 0 ]
	[[ "$output" == *"hello from A" ]]
	warren_nosub rm -f A
}
