#!/usr/bin/env bats
# warren commit: a container's writable layer becomes a new image layer,
# with -c changes, -m and -a; files added, changed and deleted in the
# container are what the new image shows. As the unprivileged user.

load helpers
load images_helpers

bats_require_minimum_version 1.5.0

setup() {
	fresh_store
	BASE=$REG/warren/shared
}
teardown() {
	warren_s rm -f c1 > /dev/null 2>&1 || true
	common_teardown
}

@test "commit: a running container's changes, -c CMD and ENV, -m, a tag" {
	warren_s run -d --name c1 --network none "$BASE" sh -c \
		'echo added > /added; rm /shared; mkdir -p /home/tester/x; chown 1000 /added; echo ready > /ready; sleep infinity'
	for i in $(seq 50); do warren_s exec c1 test -f /ready && break; sleep 0.1; done
	run warren_s commit -c 'CMD ["cat", "/added"]' -c "ENV FOO=bar" -m "a message" -a someone c1 committed:1
	[ "$status" -eq 0 ]
	[ ${#output} -eq 64 ]
	run warren_s run --rm --network none committed:1
	[ "$output" = "added" ]
	run warren_s run --rm --network none committed:1 sh -c 'echo $FOO; stat -c %u /added; test -e /shared || echo gone; test -d /home/tester/x && echo dir'
	[ "$output" = "$(printf 'bar\n1000\ngone\ndir')" ]
	run warren_s history committed:1
	[[ "${lines[1]}" == *"warren commit"*"a message"* ]]
	[ "$(warren_s image inspect committed:1 | jq '.[0].RootFS.Layers | length')" -eq 3 ]
}

@test "commit: a stopped container without a name gives an untagged image" {
	warren_s run -d --name c1 --network none "$BASE" sh -c 'echo x > /x'
	warren_s wait c1
	before=$(warren_s images -q | wc -l)
	run warren_s commit c1
	[ "$status" -eq 0 ]
	id=$output
	[ "$(warren_s images -q | wc -l)" -eq $((before + 1)) ]
	run warren_s run --rm --network none "$id" cat /x
	[ "$output" = "x" ]
}

@test "commit bad input: unknown container, --rootfs container, bad change: one line, exit 1" {
	warren_s pull -q "$BASE" > /dev/null
	before=$(warren_s images -q | wc -l)
	run --separate-stderr warren_s commit nosuchcontainer img:1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == warren:*nosuchcontainer* ]]
	make_rootfs
	warren_s create --name c1 --rootfs "$ROOTFS" true > /dev/null
	run --separate-stderr warren_s commit c1 img:1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *rootfs* ]]
	warren_s rm -f c1
	warren_s create --name c1 --network none "$BASE" true > /dev/null
	run --separate-stderr warren_s commit -c "FROB x" c1 img:1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *FROB* ]]
	[ "$(warren_s images -q | wc -l)" -eq "$before" ]
	! warren_s image inspect img:1 > /dev/null 2>&1
}
