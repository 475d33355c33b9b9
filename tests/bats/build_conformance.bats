#!/usr/bin/env bats
# Build conformance (issue 20): each case of tests/build-conformance/cases/
# is built by warren and by rootless `podman build`, a container of each
# image exported, and the two manifests (tree: owners, modes, link groups,
# symlink targets, content hashes; the config) compared; a Docker-reference
# case (a `docker` file, where podman 4.3 differs from Docker) checks
# warren's manifest against the lines written there. The format of a case
# is in tests/build-conformance/README.md. podman (two builds at a time) and
# warren build every case in the background, started by setup_file; each
# test waits for its case's two results and compares them.
# tests/build-conformance/sync.sh writes the block of per-case tests below.

load helpers
load images_helpers

CONF=$BATS_TEST_DIRNAME/../build-conformance
CASES=$CONF/cases
# shared by the file's tests: common_teardown removes only t.* directories
WORK=$WARREN_BATS_TMP/build-conformance
STORE=$WORK/store
# short: podman refuses a runroot path past 50 characters
PODMAN_DIR=$WORK/pm

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
	warren_all > "$WORK/warren.out" 2>&1 3>&- &
	echo $! > "$WORK/warren.pid"
}

teardown_file() {
	local pid
	for pid in $(cat "$WORK/podman.pid" "$WORK/warren.pid" 2> /dev/null); do
		kill "$pid" 2> /dev/null || true
	done
	common_teardown
	rm -rf "$WORK"
}

# case_args NAME: the case's extra build arguments into $ARGS, a --file=
# taken relative to its context, {ctx} replaced by the context's path
case_args() {
	ARGS=()
	local a
	[ -f "$CASES/$1/args" ] || return 0
	while IFS= read -r a || [ -n "$a" ]; do
		[ -n "$a" ] || continue
		a=${a//\{ctx\}/$WORK/ctx/$1}
		case $a in
		--file=/* | -f=/*) ;;
		--file=* | -f=*) a="--file=$WORK/ctx/$1/${a#*=}" ;;
		esac
		ARGS+=("$a")
	done < "$CASES/$1/args"
}

# podman_all: every case without a `docker` file built by podman (two at a
# time), a container of each exported; then one save of all the images for
# their configs, and the manifests, each marked done (or failed) in
# podman/NAME.*. A manifest is kept in $PODMAN_CACHE under a key of the
# case's files, podman's version, the base image and manifest.py, and used
# instead of a build while they stay the same (WARREN_CONFORMANCE_FRESH=1:
# build every case)
# (one for every lane of tests/run.sh: lane N's root is the first's /laneN,
# and an entry appears whole, by a rename)
PODMAN_CACHE=${WARREN_TEST_ROOT%/lane[0-9]*}/build-conformance-podman
podman_all() {
	local c name key salt out=$WORK/podman todo=() built=()
	set +e
	mkdir -p "$PODMAN_CACHE"
	salt=$({
		podman --version
		podman_u image inspect --format '{{.Id}}' busybox-base
		cat "$CONF/manifest.py"
	} | sha256sum)
	for c in "$CASES"/*/; do
		name=$(basename "$c")
		[ -f "$c/docker" ] && continue
		key=$({
			echo "$salt"
			tar -C "$c" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - .
		} | sha256sum | cut -c1-64)
		echo "$key" > "$out/$name.key"
		if [ "${WARREN_CONFORMANCE_FRESH:-0}" != 1 ] && [ -s "$PODMAN_CACHE/$key" ]; then
			cp "$PODMAN_CACHE/$key" "$out/$name.manifest"
			touch "$out/$name.done"
		else
			todo+=("$name")
		fi
	done
	[ ${#todo[@]} -gt 0 ] || return 0
	podman_build_some 0 "${todo[@]}" &
	podman_build_some 1 "${todo[@]}"
	wait
	for name in "${todo[@]}"; do
		[ -e "$out/$name.failed" ] || built+=("localhost/bc-$name")
	done
	[ ${#built[@]} -gt 0 ] || return 0
	podman_u save -q --multi-image-archive --format docker-archive -o "$out/all.tar" "${built[@]}" > /dev/null 2>&1 &&
		python3 "$CONF/manifest.py" --configs "$out/all.tar" "$out"
	for c in "${built[@]}"; do
		name=${c#localhost/bc-}
		if python3 "$CONF/manifest.py" "$out/$name.tar" "$out/bc-$name.json" > "$out/$name.manifest" 2>> "$out/$name.log"; then
			cp "$out/$name.manifest" "$PODMAN_CACHE/.$name.$$" &&
				mv -f "$PODMAN_CACHE/.$name.$$" "$PODMAN_CACHE/$(cat "$out/$name.key")"
			touch "$out/$name.done"
		else
			touch "$out/$name.failed"
		fi
	done
}

# podman_base: busybox-base in podman's store, pulled and tagged again if a
# build removed it
podman_base() {
	podman_u image exists busybox-base && return 0
	podman_u pull -q --tls-verify=false "$REG/warren/shared" > /dev/null &&
		podman_u tag "$REG/warren/shared" busybox-base
}

# podman_build_some I NAME...: every other NAME (from the Ith) built by
# podman and a container of it exported to podman/NAME.tar
podman_build_some() {
	local i=$1 n=0 name cid out=$WORK/podman
	shift
	for name in "$@"; do
		n=$((n + 1))
		[ $((n % 2)) -eq "$i" ] || continue
		case_args "$name"
		# --layers=false: no image per step (the result is the same tree).
		# podman 4.3 then removes a stage that is its base unchanged
		# (`FROM busybox-base AS tools`) with the base itself, whose other
		# build may be running: the base is put back, and a build that lost
		# it is tried once more
		podman_base
		podman_u build -q --format docker --layers=false --network none --pull=never \
			-t "localhost/bc-$name" "${ARGS[@]}" "$WORK/ctx/$name" > "$out/$name.log" 2>&1 ||
			{ grep -q 'image not known' "$out/$name.log" && podman_base &&
				podman_u build -q --format docker --layers=false --network none --pull=never \
					-t "localhost/bc-$name" "${ARGS[@]}" "$WORK/ctx/$name" >> "$out/$name.log" 2>&1; } &&
			cid=$(podman_u create "localhost/bc-$name" /bin/true 2>> "$out/$name.log") &&
			podman_u export -o "$out/$name.tar" "$cid" 2>> "$out/$name.log" &&
			podman_u rm "$cid" > /dev/null 2>> "$out/$name.log" ||
			touch "$out/$name.failed"
	done
}

# warren_all: every case built by warren, one after the other, a container
# of each exported and its manifest made; warren/NAME.rc is the build's exit
# status, written last (the output in NAME.out and NAME.err)
warren_all() {
	local c
	set +e # a build that fails is a result, not the job's end (bats runs set -e)
	for c in "$CASES"/*/; do
		warren_case "$(basename "$c")"
	done
}

# warren_case NAME: warren_all's work for one case
warren_case() {
	local name=$1 out=$WORK/warren cid rc
	case_args "$name"
	warren_s build -q --network none -t "bc-$name" "${ARGS[@]}" "$WORK/ctx/$name" \
		> "$out/$name.out" 2> "$out/$name.err"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		{
			cid=$(warren_s create "bc-$name" /bin/true) &&
				warren_s export -o "$out/$name.tar" "$cid" &&
				warren_s rm "$cid" > /dev/null &&
				warren_s image inspect "bc-$name" > "$out/$name.json" &&
				python3 "$CONF/manifest.py" "$out/$name.tar" "$out/$name.json" > "$out/$name.manifest"
		} 2>> "$out/$name.err" || rc=1
	fi
	echo "$rc" > "$out/$name.rc"
}

# result_wait WHO NAME: until WHO's (warren or podman) result for NAME is
# there (10 minutes), or WHO's background job is gone without it
result_wait() {
	local i pid
	pid=$(cat "$WORK/$1.pid")
	for ((i = 0; i < 6000; i++)); do
		[ -e "$WORK/$1/$2.rc" ] || [ -e "$WORK/$1/$2.done" ] || [ -e "$WORK/$1/$2.failed" ] && return 0
		if ! kill -0 "$pid" 2> /dev/null; then
			[ -e "$WORK/$1/$2.rc" ] || [ -e "$WORK/$1/$2.done" ] || [ -e "$WORK/$1/$2.failed" ] && return 0
			echo "$1's background builds ended before case $2 (killed?):"
			tail -5 "$WORK/$1.out"
			return 1
		fi
		sleep 0.1
	done
	echo "timed out waiting for $1's build of $2"
	return 1
}

# docker_lines NAME: warren's manifest holds the `docker` file's lines and
# none of its !lines
docker_lines() {
	local line bad=0 m=$WORK/warren/$1.manifest
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'#'* | '') continue ;;
		'!'*)
			grep -qxF -- "${line#!}" "$m" || continue
			echo "warren's manifest has: ${line#!}"
			;;
		*)
			grep -qxF -- "$line" "$m" && continue
			echo "warren's manifest lacks: $line"
			echo "  it has: $(grep -F -- "${line%% *} " "$m" | head -3)"
			;;
		esac
		bad=1
	done < "$CASES/$1/docker"
	return "$bad"
}

# check_case NAME: warren's build of the case (done by warren_all) gives
# podman's manifest, or the `docker` file's lines, or fails as it says
check_case() {
	local name=$1 ref=$CASES/$1/docker out=$WORK/warren fail=
	[ -f "$CASES/$name/Dockerfile" ] || [ -f "$CASES/$name/args" ] || {
		echo "case $name has no Dockerfile"
		return 1
	}
	[ -f "$ref" ] && fail=$(sed -n 's/^fail: //p' "$ref")
	result_wait warren "$name"
	cat "$out/$name.out" "$out/$name.err"
	if [ -n "$fail" ]; then
		[ "$(cat "$out/$name.rc")" -eq 125 ]
		[ "$(wc -l < "$out/$name.err")" -eq 1 ]
		grep -qF -- "$fail" "$out/$name.err"
		echo docker > "$WORK/result/$name"
		return 0
	fi
	[ "$(cat "$out/$name.rc")" -eq 0 ]
	if [ -f "$ref" ]; then
		docker_lines "$name"
		echo docker > "$WORK/result/$name"
		return 0
	fi
	result_wait podman "$name"
	if [ ! -e "$WORK/podman/$name.done" ]; then
		cat "$WORK/podman/$name.log"
		echo "podman could not build case $name (one both builders refuse is a Docker-reference case with fail:)"
		return 1
	fi
	if ! diff -u --label podman --label warren "$WORK/podman/$name.manifest" "$out/$name.manifest"; then
		show_contents "$name"
		return 1
	fi
	echo agree > "$WORK/result/$name"
}

# show_contents NAME: the contents of each file both images have with
# different hashes (the first 2000 bytes of each, made printable)
show_contents() {
	local p
	join <(awk '$2 == "f" {print $1, $5}' "$WORK/podman/$1.manifest" | sort) \
		<(awk '$2 == "f" {print $1, $5}' "$WORK/warren/$1.manifest" | sort) |
		awk '$2 != $3 {print $1}' | while read -r p; do
		echo "== $p in podman's image:"
		python3 "$CONF/manifest.py" --cat "$WORK/podman/$1.tar" "$p" | head -c 2000 | cat -v
		echo "== $p in warren's image:"
		python3 "$CONF/manifest.py" --cat "$WORK/warren/$1.tar" "$p" | head -c 2000 | cat -v
	done
}

# BEGIN CASES (written by tests/build-conformance/sync.sh from cases/)
@test "build conformance: gen-add-local-tar" { check_case gen-add-local-tar; }
@test "build conformance: gen-arg-build-arg" { check_case gen-arg-build-arg; }
@test "build conformance: gen-arg-default" { check_case gen-arg-default; }
@test "build conformance: gen-arg-env-precedence" { check_case gen-arg-env-precedence; }
@test "build conformance: gen-arg-global-scope" { check_case gen-arg-global-scope; }
@test "build conformance: gen-build-arg-unused" { check_case gen-build-arg-unused; }
@test "build conformance: gen-cmd-exec" { check_case gen-cmd-exec; }
@test "build conformance: gen-cmd-last-wins" { check_case gen-cmd-last-wins; }
@test "build conformance: gen-cmd-not-json" { check_case gen-cmd-not-json; }
@test "build conformance: gen-cmd-shell" { check_case gen-cmd-shell; }
@test "build conformance: gen-copy-basic" { check_case gen-copy-basic; }
@test "build conformance: gen-copy-chown-arg" { check_case gen-copy-chown-arg; }
@test "build conformance: gen-copy-chown-chmod" { check_case gen-copy-chown-chmod; }
@test "build conformance: gen-copy-dest-workdir" { check_case gen-copy-dest-workdir; }
@test "build conformance: gen-copy-directory" { check_case gen-copy-directory; }
@test "build conformance: gen-copy-modes" { check_case gen-copy-modes; }
@test "build conformance: gen-copy-overwrite" { check_case gen-copy-overwrite; }
@test "build conformance: gen-copy-parent-dirs" { check_case gen-copy-parent-dirs; }
@test "build conformance: gen-copy-symlinks" { check_case gen-copy-symlinks; }
@test "build conformance: gen-copy-wildcards" { check_case gen-copy-wildcards; }
@test "build conformance: gen-dockerignore" { check_case gen-dockerignore; }
@test "build conformance: gen-entrypoint-exec" { check_case gen-entrypoint-exec; }
@test "build conformance: gen-entrypoint-resets-cmd" { check_case gen-entrypoint-resets-cmd; }
@test "build conformance: gen-entrypoint-shell" { check_case gen-entrypoint-shell; }
@test "build conformance: gen-env-expansion" { check_case gen-env-expansion; }
@test "build conformance: gen-env-in-instructions" { check_case gen-env-in-instructions; }
@test "build conformance: gen-env-legacy-form" { check_case gen-env-legacy-form; }
@test "build conformance: gen-env-override" { check_case gen-env-override; }
@test "build conformance: gen-escape-directive" { check_case gen-escape-directive; }
@test "build conformance: gen-expose-protocols" { check_case gen-expose-protocols; }
@test "build conformance: gen-fail-no-from" { check_case gen-fail-no-from; }
@test "build conformance: gen-fail-unknown-instruction" { check_case gen-fail-unknown-instruction; }
@test "build conformance: gen-file-flag" { check_case gen-file-flag; }
@test "build conformance: gen-from-arg" { check_case gen-from-arg; }
@test "build conformance: gen-from-platform" { check_case gen-from-platform; }
@test "build conformance: gen-from-scratch" { check_case gen-from-scratch; }
@test "build conformance: gen-from-stage-as" { check_case gen-from-stage-as; }
@test "build conformance: gen-from-stage-chain" { check_case gen-from-stage-chain; }
@test "build conformance: gen-from-stage-index" { check_case gen-from-stage-index; }
@test "build conformance: gen-healthcheck-none" { check_case gen-healthcheck-none; }
@test "build conformance: gen-healthcheck" { check_case gen-healthcheck; }
@test "build conformance: gen-instruction-case" { check_case gen-instruction-case; }
@test "build conformance: gen-label-forms" { check_case gen-label-forms; }
@test "build conformance: gen-label-inherit" { check_case gen-label-inherit; }
@test "build conformance: gen-multistage-target" { check_case gen-multistage-target; }
@test "build conformance: gen-onbuild" { check_case gen-onbuild; }
@test "build conformance: gen-run-exec-form" { check_case gen-run-exec-form; }
@test "build conformance: gen-run-hardlink" { check_case gen-run-hardlink; }
@test "build conformance: gen-run-heredoc" { check_case gen-run-heredoc; }
@test "build conformance: gen-run-modes-owners" { check_case gen-run-modes-owners; }
@test "build conformance: gen-run-mount-bind-stage" { check_case gen-run-mount-bind-stage; }
@test "build conformance: gen-run-mount-bind" { check_case gen-run-mount-bind; }
@test "build conformance: gen-run-mount-cache" { check_case gen-run-mount-cache; }
@test "build conformance: gen-run-mount-stubs" { check_case gen-run-mount-stubs; }
@test "build conformance: gen-run-mount-tmpfs" { check_case gen-run-mount-tmpfs; }
@test "build conformance: gen-run-shell-continuation" { check_case gen-run-shell-continuation; }
@test "build conformance: gen-run-whiteouts" { check_case gen-run-whiteouts; }
@test "build conformance: gen-shell-instruction" { check_case gen-shell-instruction; }
@test "build conformance: gen-stopsignal-number" { check_case gen-stopsignal-number; }
@test "build conformance: gen-stopsignal" { check_case gen-stopsignal; }
@test "build conformance: gen-syntax-directive" { check_case gen-syntax-directive; }
@test "build conformance: gen-user-name-group" { check_case gen-user-name-group; }
@test "build conformance: gen-user-name" { check_case gen-user-name; }
@test "build conformance: gen-user-uid-gid" { check_case gen-user-uid-gid; }
@test "build conformance: gen-user-unknown-uid" { check_case gen-user-unknown-uid; }
@test "build conformance: gen-volume-forms" { check_case gen-volume-forms; }
@test "build conformance: gen-volume-run-after" { check_case gen-volume-run-after; }
@test "build conformance: gen-workdir-absolute" { check_case gen-workdir-absolute; }
@test "build conformance: gen-workdir-env" { check_case gen-workdir-env; }
@test "build conformance: gen-workdir-relative" { check_case gen-workdir-relative; }
@test "build conformance: i01-copy-from-owner" { check_case i01-copy-from-owner; }
@test "build conformance: i02-workdir-copy-into" { check_case i02-workdir-copy-into; }
@test "build conformance: i02-workdir-symlinks" { check_case i02-workdir-symlinks; }
@test "build conformance: i02-workdir-user-writes" { check_case i02-workdir-user-writes; }
@test "build conformance: i03-arg-no-value" { check_case i03-arg-no-value; }
@test "build conformance: i03-platform-args-global" { check_case i03-platform-args-global; }
@test "build conformance: i03-platform-args" { check_case i03-platform-args; }
@test "build conformance: i05-add-keep-git-dir" { check_case i05-add-keep-git-dir; }
@test "build conformance: i05-add-unpack-false" { check_case i05-add-unpack-false; }
@test "build conformance: i05-copy-exclude" { check_case i05-copy-exclude; }
@test "build conformance: i05-copy-link" { check_case i05-copy-link; }
@test "build conformance: i05-copy-parents" { check_case i05-copy-parents; }
@test "build conformance: i05-healthcheck-start-interval" { check_case i05-healthcheck-start-interval; }
@test "build conformance: i06-dockerignore-per-dockerfile" { check_case i06-dockerignore-per-dockerfile; }
@test "build conformance: i06-dockerignore-symlink-out" { check_case i06-dockerignore-symlink-out; }
@test "build conformance: i07-copy-dangling-symlink" { check_case i07-copy-dangling-symlink; }
@test "build conformance: i07-copy-from-abs-symlink" { check_case i07-copy-from-abs-symlink; }
@test "build conformance: i07-copy-from-hardlinks" { check_case i07-copy-from-hardlinks; }
@test "build conformance: i08-add-archive-symlink" { check_case i08-add-archive-symlink; }
@test "build conformance: i08-add-chown-archive" { check_case i08-add-chown-archive; }
@test "build conformance: i08-add-tar-xz" { check_case i08-add-tar-xz; }
@test "build conformance: i09-heredoc-shebang" { check_case i09-heredoc-shebang; }
@test "build conformance: i10-default-path" { check_case i10-default-path; }
@test "build conformance: i11-duplicate-stage-name" { check_case i11-duplicate-stage-name; }
@test "build conformance: i11-expose-range" { check_case i11-expose-range; }
@test "build conformance: i11-trailing-backslash" { check_case i11-trailing-backslash; }
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
