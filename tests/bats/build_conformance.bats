#!/usr/bin/env bats
# Build conformance (issue 20): each case of tests/build-conformance/cases/
# is built by warren and by rootless `podman build`, a container of each
# image exported, and the two manifests (tree: owners, modes, link groups,
# symlink targets, content hashes; the config) compared; a Docker-reference
# case (a `docker` file, where podman 4.3 differs from Docker) checks
# warren's manifest against the lines written there. The format of a case
# is in tests/build-conformance/README.md. podman builds every case once, in
# the background, while the tests build them with warren one by one.
# tests/build-conformance/sync.sh writes the block of per-case tests below.

load helpers
load images_helpers

CONF=$BATS_TEST_DIRNAME/../build-conformance
CASES=$CONF/cases
# shared by the file's tests: common_teardown removes only t.* directories
WORK=$WARREN_BATS_TMP/build-conformance
STORE=$WORK/store
PODMAN_DIR=$WORK/podman-store

setup_file() {
	rm -rf "$WORK"
	mkdir -p "$WARREN_BATS_TMP" "$WORK"/{ctx,podman,warren,result} "$PODMAN_DIR"
	chmod 0755 "$WARREN_BATS_TMP" "$WORK"
	local c name
	# each case's context: its directory without the runner's own files
	for c in "$CASES"/*/; do
		name=$(basename "$c")
		mkdir "$WORK/ctx/$name"
		tar -C "$c" --exclude=./args --exclude=./docker -cf - . | tar -C "$WORK/ctx/$name" -xf -
	done
	chown -R "$TEST_USER:$(id -g "$TEST_USER")" "$WORK"
	warren_s pull -q "$REG/warren/shared" > /dev/null
	warren_s tag "$REG/warren/shared" busybox-base
	podman_u pull -q --tls-verify=false "$REG/warren/shared" > /dev/null
	podman_u tag "$REG/warren/shared" busybox-base
	podman_all > "$WORK/podman.out" 2>&1 3>&- &
	echo $! > "$WORK/podman.pid"
}

teardown_file() {
	local pid
	pid=$(cat "$WORK/podman.pid" 2> /dev/null) && kill "$pid" 2> /dev/null
	common_teardown
	rm -rf "$WORK"
}

# case_args NAME: the case's extra build arguments into $ARGS, a --file=
# taken relative to its context
case_args() {
	ARGS=()
	local a
	[ -f "$CASES/$1/args" ] || return 0
	while IFS= read -r a || [ -n "$a" ]; do
		[ -n "$a" ] || continue
		case $a in
		--file=/* | -f=/*) ;;
		--file=* | -f=*) a="--file=$WORK/ctx/$1/${a#*=}" ;;
		esac
		ARGS+=("$a")
	done < "$CASES/$1/args"
}

# podman_all: every case without a `docker` file built by podman, a
# container of it exported; then one save of all the images for their
# configs, and the manifests, each marked done (or failed) in podman/NAME.*
podman_all() {
	local c name cid out=$WORK/podman images=()
	for c in "$CASES"/*/; do
		name=$(basename "$c")
		[ -f "$c/docker" ] && continue
		case_args "$name"
		if podman_u build -q --format docker --network none --pull=never -t "localhost/bc-$name" \
			"${ARGS[@]}" "$WORK/ctx/$name" > "$out/$name.log" 2>&1 &&
			cid=$(podman_u create "localhost/bc-$name" /bin/true 2>> "$out/$name.log") &&
			podman_u export -o "$out/$name.tar" "$cid" 2>> "$out/$name.log" &&
			podman_u rm "$cid" > /dev/null 2>> "$out/$name.log"; then
			images+=("localhost/bc-$name")
		else
			touch "$out/$name.failed"
		fi
	done
	if [ ${#images[@]} -gt 0 ]; then
		podman_u save -q --multi-image-archive --format docker-archive -o "$out/all.tar" "${images[@]}" &&
			python3 "$CONF/manifest.py" --configs "$out/all.tar" "$out"
	fi
	for c in "${images[@]}"; do
		name=${c#localhost/}
		name=${name#bc-}
		if python3 "$CONF/manifest.py" "$out/$name.tar" "$out/bc-$name.json" > "$out/$name.manifest" 2>> "$out/$name.log"; then
			touch "$out/$name.done"
		else
			touch "$out/$name.failed"
		fi
	done
}

# podman_wait NAME: until podman's result for NAME is there (10 minutes)
podman_wait() {
	local i
	for ((i = 0; i < 6000; i++)); do
		[ -e "$WORK/podman/$1.done" ] && return 0
		if [ -e "$WORK/podman/$1.failed" ]; then
			cat "$WORK/podman/$1.log"
			echo "podman build could not build case $1 (a case both builders refuse is a Docker-reference case with fail:)"
			return 1
		fi
		sleep 0.1
	done
	echo "timed out waiting for podman's build of $1"
	return 1
}

# check_case NAME: warren builds the case; its manifest equals podman's, or
# holds the `docker` file's lines (or the build fails as it says)
check_case() {
	local name=$1 out=$WORK/warren ref=$CASES/$1/docker cid line want fail=
	[ -f "$CASES/$name/Dockerfile" ] || [ -f "$CASES/$name/args" ] || {
		echo "case $name has no Dockerfile"
		return 1
	}
	case_args "$name"
	[ -f "$ref" ] && fail=$(sed -n 's/^fail: //p' "$ref")
	if [ -n "$fail" ]; then
		run --separate-stderr warren_s build -q --network none -t "bc-$name" "${ARGS[@]}" "$WORK/ctx/$name"
		echo "$stderr"
		[ "$status" -eq 125 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "${stderr_lines[0]}" == *"$fail"* ]]
		echo docker > "$WORK/result/$name"
		return 0
	fi
	run warren_s build -q --network none -t "bc-$name" "${ARGS[@]}" "$WORK/ctx/$name"
	echo "$output"
	[ "$status" -eq 0 ]
	cid=$(warren_s create "bc-$name" /bin/true)
	warren_s export -o "$out/$name.tar" "$cid"
	warren_s rm "$cid" > /dev/null
	warren_s image inspect "bc-$name" > "$out/$name.json"
	python3 "$CONF/manifest.py" "$out/$name.tar" "$out/$name.json" > "$out/$name.manifest"
	if [ -f "$ref" ]; then
		want=0
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in
			'#'* | '') continue ;;
			'!'*)
				if grep -qxF -- "${line#!}" "$out/$name.manifest"; then
					echo "warren's manifest has: ${line#!}"
					want=1
				fi
				;;
			*)
				if ! grep -qxF -- "$line" "$out/$name.manifest"; then
					echo "warren's manifest lacks: $line"
					want=1
				fi
				;;
			esac
		done < "$ref"
		[ "$want" -eq 0 ] || { cat "$out/$name.manifest"; return 1; }
		echo docker > "$WORK/result/$name"
		return 0
	fi
	podman_wait "$name"
	if ! diff -u --label podman --label warren "$WORK/podman/$name.manifest" "$out/$name.manifest"; then
		show_contents "$name"
		return 1
	fi
	echo agree > "$WORK/result/$name"
}

# show_contents NAME: both contents of each file whose hash differs (the
# first 20 lines)
show_contents() {
	local p
	diff <(awk '$2 == "f" {print $1, $5}' "$WORK/podman/$1.manifest") \
		<(awk '$2 == "f" {print $1, $5}' "$WORK/warren/$1.manifest") |
		sed -n 's/^[<>] \([^ ]*\) .*/\1/p' | sort -u | while read -r p; do
		echo "== $p in podman's image:"
		python3 "$CONF/manifest.py" --cat "$WORK/podman/$1.tar" "$p" | head -20
		echo "== $p in warren's image:"
		python3 "$CONF/manifest.py" --cat "$WORK/warren/$1.tar" "$p" | head -20
	done
}

# BEGIN CASES (written by tests/build-conformance/sync.sh from cases/)
@test "build conformance: gen-env-expansion" { check_case gen-env-expansion; }
@test "build conformance: gen-workdir-relative" { check_case gen-workdir-relative; }
@test "build conformance: i01-copy-from-owner" { check_case i01-copy-from-owner; }
@test "build conformance: i05-add-keep-git-dir" { check_case i05-add-keep-git-dir; }
@test "build conformance: i05-add-unpack-false" { check_case i05-add-unpack-false; }
@test "build conformance: i05-copy-exclude" { check_case i05-copy-exclude; }
@test "build conformance: i05-copy-link" { check_case i05-copy-link; }
@test "build conformance: i05-copy-parents" { check_case i05-copy-parents; }
@test "build conformance: i07-copy-dangling-symlink" { check_case i07-copy-dangling-symlink; }
@test "build conformance: i07-copy-from-abs-symlink" { check_case i07-copy-from-abs-symlink; }
@test "build conformance: i07-copy-from-hardlinks" { check_case i07-copy-from-hardlinks; }
@test "build conformance: i08-add-archive-symlink" { check_case i08-add-archive-symlink; }
@test "build conformance: i08-add-chown-archive" { check_case i08-add-chown-archive; }
@test "build conformance: i08-add-tar-xz" { check_case i08-add-tar-xz; }
# END CASES

@test "build conformance: every case agrees with podman or with Docker's reference" {
	local c name agree=0 docker=0 fail=0 missing=()
	for c in "$CASES"/*/; do
		name=$(basename "$c")
		grep -qxF "@test \"build conformance: $name\" { check_case $name; }" "$BATS_TEST_FILENAME" ||
			missing+=("$name")
		case $(cat "$WORK/result/$name" 2> /dev/null) in
		agree) agree=$((agree + 1)) ;;
		docker) docker=$((docker + 1)) ;;
		*) fail=$((fail + 1)) ;;
		esac
	done
	echo "# $agree cases agree with podman, $docker are Docker-reference cases, $fail fail" >&3
	[ ${#missing[@]} -eq 0 ] || {
		echo "cases without a test (run tests/build-conformance/sync.sh): ${missing[*]}"
		return 1
	}
	[ "$fail" -eq 0 ]
}
