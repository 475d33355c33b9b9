#!/usr/bin/env bats
# warren build's COPY and ADD sources as Docker treats them (issue 26): a
# context directory holding one file is copied as a directory (COPY, ADD,
# COPY --from), the tree compared with what `podman build` makes; and a
# COPY --from is keyed by the content it copies, on every storage driver.

load helpers
load images_helpers
load build_helpers

bats_require_minimum_version 1.5.0

setup() {
	build_setup
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
}
teardown() { common_teardown; }

# the files below /t of IMAGE as a container of CLI (warren_s or podman_u)
# sees them: path and type
tree_of() {
	local cli=$1 img=$2
	"$cli" run --rm --network none "$img" sh -c \
		'cd /t && find . | sort | while read -r f; do stat -c "%n %F" "$f"; done'
}

@test "build: a context directory holding one file is a directory in the image (COPY, ADD, COPY --from), as podman build makes it" {
	file onedir/only.txt "only"
	file addir/only.txt "add"
	mkdir "$CTX/emptydir"
	df <<EOF
FROM $BASE AS src
COPY onedir /stage/onedir
FROM $BASE
COPY onedir /t/onedir
ADD addir /t/addir
COPY --from=src /stage/onedir /t/fromdir
COPY emptydir /t/emptydir
COPY onedir/only.txt /t/file
EOF
	build -q -t one:1 > /dev/null
	run tree_of warren_s one:1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"./onedir directory"* ]]
	[[ "$output" == *"./onedir/only.txt regular file"* ]]
	[[ "$output" == *"./fromdir/only.txt regular file"* ]]
	[[ "$output" == *"./file regular file"* ]]
	warren_tree=$output
	# podman build of the same context and Dockerfile: the same tree
	warren_s pull -q "$BASE" > /dev/null
	podman_u pull -q --tls-verify=false "$BASE" > /dev/null
	podman_u build -q --network none --tls-verify=false -t one:1 "$CTX" > /dev/null
	run tree_of podman_u one:1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$warren_tree" ]
}

# cache_of STEP: the line after "STEP ...: STEP" in $output ("--> Using cache ..." on a hit)
cache_of() {
	local i
	for ((i = 0; i < ${#lines[@]} - 1; i++)); do
		[[ "${lines[i]}" == "STEP "*": $1" ]] && echo "${lines[i + 1]}" && return 0
	done
	return 1
}

# edit_b STAGE B: b.txt now holds B, rebuilt: the COPY --from=STAGE of a.txt
# is a cache hit, the one of b.txt is not, and the image holds a and B
edit_b() {
	file b.txt "$2"
	run build -t multi:1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$(cache_of "COPY --from=$1 /a.txt /a.txt")" == *"Using cache"* ]]
	[[ "$(cache_of "COPY --from=$1 /b.txt /b.txt")" != *"Using cache"* ]]
	[ "$(warren_s run --rm multi:1 cat /a.txt /b.txt)" = "a$2" ]
}

@test "build: a COPY --from is keyed by what it copies: editing b.txt re-runs only the step copying it, on every driver" {
	for driver in overlay fuse-overlay vfs; do
		export WARREN_STORAGE_DRIVER=$driver
		fresh_store
		file a.txt "a"
		file b.txt "b1"
		df <<EOF
FROM $BASE AS a
COPY a.txt b.txt /
RUN echo layer > /second
FROM $BASE
COPY --from=a /a.txt /a.txt
COPY --from=a /b.txt /b.txt
EOF
		build -q -t multi:1 > /dev/null
		edit_b a b2
		[[ "$(cache_of "COPY a.txt b.txt /")" != *"Using cache"* ]]
		# nothing changed: every step is a hit
		run build -t multi:1
		echo "$output"
		[ "$status" -eq 0 ]
		for step in "COPY a.txt b.txt /" "RUN echo layer > /second" \
			"COPY --from=a /a.txt /a.txt" "COPY --from=a /b.txt /b.txt"; do
			[[ "$(cache_of "$step")" == *"Using cache"* ]]
		done
		# a --from stage of one layer (read from its layer directory) too
		df <<EOF
FROM scratch AS one
COPY a.txt b.txt /
FROM $BASE
COPY --from=one /a.txt /a.txt
COPY --from=one /b.txt /b.txt
EOF
		build -q -t multi:1 > /dev/null
		edit_b one b4
	done
}
