#!/usr/bin/env bats
# Docker's CLI behaviours warren's first wave missed (issue 26): flags after
# operands (until "--"; a run/exec command's own arguments untouched), stop
# of a --rm container that goes away as it stops, duplicate mount points
# refused, and a port-in-use error whose suggested port is free.

bats_require_minimum_version 1.5.0

load helpers
load images_helpers
load lifecycle_helpers
load net_helpers

setup() { lc_setup; }
teardown() { lc_teardown; }

@test "flags after operands: save IMAGE -o, export CTR -o, inspect IMAGE --format, images NAME --format" {
	base_image
	d=$(user_tmpdir)
	chown "$TEST_USER" "$d"
	run warren save base:1 -o "$d/s.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	tar -tf "$d/s.tar" | grep -qx manifest.json
	warren create --name c1 base:1 true > /dev/null
	run warren export c1 -o "$d/e.tar"
	echo "$output"
	[ "$status" -eq 0 ]
	tar -tf "$d/e.tar" | grep -q 'bin/busybox'
	id=$(warren image inspect --format '{{.Id}}' base:1)
	run warren inspect base:1 --format '{{.Id}}'
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	run warren images base --format '{{.Repository}}:{{.Tag}}'
	[ "$status" -eq 0 ]
	[[ "$output" == *base:1 ]]
	[ "$output" = "$(warren images --format '{{.Repository}}:{{.Tag}}' base)" ]
	# short flags after the operand too; an unknown one is still refused
	[ "$(warren images base -q)" = "$(warren images -q base)" ]
	run --separate-stderr warren images base --bogus
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"unknown flag: --bogus"* ]]
	# after "--" everything is an operand
	run --separate-stderr warren inspect -- --format
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"--format"* ]]
}

@test "flags after operands: a run, create or exec command's own arguments are left to it" {
	base_image
	run --separate-stderr warren run --rm base:1 echo -o x --format y
	[ "$status" -eq 0 ]
	[ "$output" = "-o x --format y" ]
	warren run -d --name ex base:1 sleep infinity > /dev/null
	run --separate-stderr warren exec ex echo -it --user z
	[ "$status" -eq 0 ]
	[ "$output" = "-it --user z" ]
	warren create --name cr base:1 echo -d --rm > /dev/null
	run warren start -a cr
	[ "$output" = "-d --rm" ]
}

@test "stop of a --rm container prints its name and exits 0, 20 times" {
	base_image
	local round name
	for round in $(seq 20); do
		name=rm$round
		warren run -d --rm --name "$name" base:1 \
			sh -c 'trap "exit 0" TERM; sleep infinity & wait' > /dev/null
		run --separate-stderr warren stop "$name"
		echo "$name: status $status, stdout [$output], stderr [$stderr]"
		[ "$status" -eq 0 ]
		[ "$output" = "$name" ]
		[ -z "$stderr" ]
	done
	# each went with its stop
	run warren ps -aq
	[ -z "$output" ]
}

@test "duplicate mount points are refused with 125 and one line, whatever the options (-v, --mount, --tmpfs)" {
	base_image
	a=$(user_tmpdir)
	b=$(user_tmpdir)
	chown "$TEST_USER" "$a" "$b"
	for opts in "-v $a:/x -v $b:/x" \
		"-v $a:/x --mount type=bind,source=$b,target=/x" \
		"--tmpfs /x -v vol:/x" \
		"--mount type=volume,target=/x --tmpfs /x/" \
		"-v $a:/x//y -v vol:/x/y/"; do
		run --separate-stderr warren run --rm $opts base:1 true
		echo "$opts: $stderr"
		one_line_125
		[[ "$stderr" == "warren: Duplicate mount point: /x"* ]]
		run --separate-stderr warren create $opts base:1 true
		one_line_125
	done
	# nothing was made: no container, no volume
	[ -z "$(warren ps -aq)" ]
	[ -z "$(warren volume ls -q)" ]
	# one destination each is fine
	run warren run --rm -v "$a:/x" -v "$b:/y" --tmpfs /z base:1 true
	[ "$status" -eq 0 ]
}

# listen_on PORT: a TCP listener of the test user on 127.0.0.1:PORT
listen_on() {
	as_user python3 -c 'import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()
time.sleep(600)' "$1" &
	wait_for_listen "$1"
}

@test "a host port in use: the port the error suggests instead is free" {
	# two ports in a row nobody uses, both then taken
	for ((i = 0; i < 50; i++)); do
		port=$(free_port)
		python3 -c 'import socket, sys
for p in (int(sys.argv[1]) + 1,):
    s = socket.socket(); s.bind(("127.0.0.1", p)); s.close()' "$port" 2> /dev/null && break
	done
	listen_on "$port"
	listen_on "$((port + 1))"
	run --separate-stderr warren run --rm -p "127.0.0.1:$port:80" --rootfs "$ROOTFS" true
	echo "$stderr"
	one_line_125
	[[ "$stderr" =~ e\.g\.\ -p\ ([0-9]+):80 ]]
	other=${BASH_REMATCH[1]}
	[ "$other" -ne "$port" ]
	[ "$other" -ne "$((port + 1))" ]
	# what it suggests publishes
	run warren run --rm -p "127.0.0.1:$other:80" --rootfs "$ROOTFS" true
	[ "$status" -eq 0 ]
}
