#!/usr/bin/env bats
# warren build, what the conformance corpus (build_conformance.bats) cannot
# see in an image: BuildKit's warnings, and `--output` (-o DIR, -o -,
# type=local, type=tar), checked against `warren export` of the same image
# and against rootless podman build's local output.

load helpers
load images_helpers
load build_helpers

bats_require_minimum_version 1.5.0

setup() { build_setup; }
teardown() { common_teardown; }

# tree DIR: one line per entry below DIR, "path type mode [target|sha256]",
# sorted (owners left out: a local output is the caller's)
tree() {
	(cd "$1" && find . -mindepth 1 -printf '%P %y %m %l\n' | sort) | while read -r p t m l; do
		case $t in
		f) echo "$p f $m $(sha256sum < "$1/$p" | cut -c1-16)" ;;
		l) echo "$p l $l" ;;
		*) echo "$p $t $m" ;;
		esac
	done
}

# app_df: a Dockerfile whose /app holds a file of each kind, modes and owners
app_df() {
	file data.txt "from the context"
	df <<EOF
FROM $BASE
COPY data.txt /app/data.txt
RUN mkdir -p /app/sub/deep && echo secret > /app/sub/private && chmod 0600 /app/sub/private && \\
    ln -s ../data.txt /app/sub/link && ln /app/data.txt /app/hard && \\
    chown -R 1000:1000 /app/sub && chmod 0750 /app/sub/deep
EOF
}

@test "build: a duplicate stage name is BuildKit's warning, and FROM NAME takes the last one" {
	df <<EOF
FROM $BASE AS part
RUN echo first > /which
FROM $BASE AS part
RUN echo second > /which
FROM part
CMD ["cat", "/which"]
EOF
	run --separate-stderr build -t dup:1
	echo "$output"
	echo "$stderr"
	[ "$status" -eq 0 ]
	# Docker's DuplicateStageName check: the message of its reference page
	[[ "$stderr" == *'Duplicate stage name "part", stage names should be unique'* ]]
	run warren_s run --rm dup:1
	[ "$output" = second ]
}

@test "build --output type=local: the final stage's tree, as podman build writes it" {
	app_df
	warren_s pull -q "$BASE" > /dev/null
	local out=$CTX.out
	mkdir "$out" && chown "$TEST_USER" "$out"
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
	build -q -t out:1 --output "type=local,dest=$out/warren" > /dev/null
	[ -f "$out/warren/app/data.txt" ]
	podman_u pull -q --tls-verify=false "$BASE" > /dev/null
	podman_u build -q --network none -o "type=local,dest=$out/podman" "$CTX" > /dev/null
	diff <(tree "$out/podman/app") <(tree "$out/warren/app")
	# the files are the caller's, as podman's
	[ -z "$(find "$out/warren" ! -user "$TEST_USER" -print -quit)" ]
	# the image is in the store too
	warren_s image inspect out:1 > /dev/null
}

@test "build -o DIR is type=local; type=tar and -o - give export's tar of the image" {
	app_df
	local out=$CTX.out cid
	mkdir "$out" && chown "$TEST_USER" "$out"
	build -q -t out:2 -o "$out/short" > /dev/null
	build -q -t out:2 --output "type=tar,dest=$out/image.tar" > /dev/null
	run --separate-stderr build -t out:2 -o -
	[ "$status" -eq 0 ]
	# the steps went to stderr, and stdout is the tar alone
	[[ "$stderr" == *"STEP 1/3"* ]]
	build -t out:2 -o - 2> /dev/null > "$out/stdout.tar"
	cmp "$out/image.tar" "$out/stdout.tar"
	# the same entries, owners and content as warren export of a container
	cid=$(warren_s create out:2 /bin/true)
	warren_s export -o "$out/export.tar" "$cid"
	diff <(tar -tvf "$out/export.tar" | awk '{print $1, $2, $3, $6, $7, $8}' | grep -v -e ' dev/' -e ' proc/' -e ' sys/' -e ' etc/host' -e ' etc/resolv' | sort) \
		<(tar -tvf "$out/image.tar" | awk '{print $1, $2, $3, $6, $7, $8}' | sort)
	tar -xOf "$out/image.tar" app/sub/private 2> /dev/null | grep -qx secret ||
		tar -xOf "$out/image.tar" ./app/sub/private | grep -qx secret
	mkdir "$out/x" && tar -C "$out/x" -xf "$out/image.tar"
	diff <(tree "$out/x/app") <(tree "$out/short/app")
}

@test "build --output: what it cannot do is refused with one line, 125" {
	df <<EOF
FROM $BASE
EOF
	bad_input "type registry is not supported" -t bad:1 --output type=registry,dest=x
	bad_input "type image is not supported" -t bad:1 --output type=image
	bad_input "give dest=DIR" -t bad:1 --output type=local
	bad_input "a local output needs a directory" -t bad:1 --output type=local,dest=-
	bad_input "unexpected name=x" -t bad:1 --output type=tar,dest=/tmp/x,name=x
	bad_input "only one --output" -t bad:1 -o "$CTX/a" -o "$CTX/b"
	# a destination that cannot be written is refused before the build
	bad_input "--output $CTX/none/x.tar: $CTX/none: No such file" -t bad:1 \
		--output "type=tar,dest=$CTX/none/x.tar"
	bad_input "not a directory" -t bad:1 -o "$CTX/Dockerfile"
}
