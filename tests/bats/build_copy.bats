#!/usr/bin/env bats
# warren build's COPY and ADD where the conformance corpus cannot check them
# (issue 20): hard links of the build context (git keeps none in the
# corpus), compared with what `podman build` makes; ADD --unpack of a
# download; flags refused in one line; a --from copy keyed by its owners.

load helpers
load images_helpers
load build_helpers

bats_require_minimum_version 1.5.0

setup() {
	build_setup
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
}
teardown() {
	http_stop
	common_teardown
}

# links_of CLI IMAGE: each file below /t with its link count and inode
# group (the first path of the files sharing its inode)
links_of() {
	"$1" run --rm --network none "$2" sh -c \
		'cd /t && find . -type f | sort | while read -r f; do
			first=$(find . -samefile "$f" | sort | head -n1)
			echo "$f $(stat -c %h "$f") $first"; done'
}

@test "build: hard links of the build context stay links of one file within a source (a directory), not across two sources, as podman build makes them" {
	file h1 "h"
	ln "$CTX/h1" "$CTX/h2"
	file d/z1 "z"
	ln "$CTX/d/z1" "$CTX/d/z2"
	ln "$CTX/d/z1" "$CTX/d/z3"
	file d/lone "l"
	df <<EOF
FROM $BASE
COPY h1 h2 /t/hl/
COPY d /t/d
EOF
	build -q -t hl:1 > /dev/null
	run links_of warren_s hl:1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"./hl/h2 1 ./hl/h2"* ]]
	[[ "$output" == *"./d/z3 3 ./d/z1"* ]]
	[[ "$output" == *"./d/lone 1 ./d/lone"* ]]
	warren_links=$output
	podman_u pull -q --tls-verify=false "$BASE" > /dev/null
	podman_u build -q --network none --tls-verify=false -t hl:1 "$CTX" > /dev/null
	run links_of podman_u hl:1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$warren_links" ]
}

@test "build: ADD --unpack extracts a downloaded archive, without it the download is kept whole" {
	srv=$(user_tmpdir)
	mkdir -p "$srv/tree/sub"
	echo t > "$srv/tree/sub/t.txt"
	tar -C "$srv/tree" -cJf "$srv/t.tar.xz" .
	http_serve "$srv"
	df <<EOF
FROM $BASE
ADD --unpack http://127.0.0.1:$PORT/t.tar.xz /opt/x/
ADD http://127.0.0.1:$PORT/t.tar.xz /opt/y/
EOF
	run build -t unpack:1
	echo "$output"
	[ "$status" -eq 0 ]
	run warren_s run --rm unpack:1 sh -c 'cat /opt/x/sub/t.txt; ls /opt/y'
	[ "$output" = "$(printf 't\nt.tar.xz')" ]
}

@test "build: ADD --keep-git-dir and a malformed --exclude pattern are refused in one line" {
	file f "f"
	df <<EOF
FROM $BASE
ADD --keep-git-dir f /f
EOF
	bad_input "ADD --keep-git-dir: warren does not add git repositories" -t bad:1
	df <<EOF
FROM $BASE
COPY --exclude=[a- f /f
EOF
	bad_input "--exclude" -t bad:1
}

@test "build: a COPY --from is keyed by the owners it copies: a chown in the source stage re-runs it" {
	df <<EOF
FROM $BASE AS src
RUN echo x > /x && chown 1:1 /x
FROM $BASE
COPY --from=src /x /x
EOF
	build -q -t own:1 > /dev/null
	[ "$(warren_s run --rm own:1 stat -c %u:%g /x)" = 1:1 ]
	df <<EOF
FROM $BASE AS src
RUN echo x > /x && chown 2:3 /x
FROM $BASE
COPY --from=src /x /x
EOF
	build -q -t own:1 > /dev/null
	[ "$(warren_s run --rm own:1 stat -c %u:%g /x)" = 2:3 ]
}
