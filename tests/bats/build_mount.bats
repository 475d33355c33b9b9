#!/usr/bin/env bats
# warren build: RUN --mount (bind, cache, tmpfs, secret, ssh) as BuildKit's
# Dockerfile reference describes it, compared with `podman build` where
# podman 4.3 does the same; the build flags that go with them (--secret,
# --ssh, -f -, --pull, --progress, --iidfile) and ADD --checksum.

load helpers
load images_helpers
load build_helpers

bats_require_minimum_version 1.5.0

setup() {
	build_setup
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
	SOCK_PID=
}
teardown() {
	http_stop
	[ -z "$SOCK_PID" ] || kill "$SOCK_PID" 2> /dev/null || true
	common_teardown
}

# every byte of IMAGE as `warren save` writes it: the archive's files, and
# the listing and content of each layer tar, to grep (with "names": only
# the layers' listings)
saved_bytes() {
	local d f
	d=$(user_tmpdir)
	chown "$TEST_USER" "$d"
	warren_s save -o "$d/s.tar" "$1"
	mkdir "$d/x"
	tar -xf "$d/s.tar" -C "$d/x"
	[ "${2:-}" = names ] || cat "$d/s.tar"
	for f in $(find "$d/x" -type f); do
		tar -tvf "$f" 2> /dev/null || true
		[ "${2:-}" = names ] || tar -xOf "$f" 2> /dev/null || true
	done
}

@test "build mount: a cache keeps its content between builds by id, and none of it enters the image" {
	df <<EOF
FROM $BASE
RUN --mount=type=cache,target=/var/cache/app sh -c 'echo one >> /var/cache/app/log; cat /var/cache/app/log > /seen1'
EOF
	build -q -t c:1
	[ "$(warren_s run --rm c:1 cat /seen1)" = one ]
	# another step, same id (the target): the first build's file is there
	df <<EOF
FROM $BASE
RUN echo other > /other
RUN --mount=type=cache,target=/var/cache/app,sharing=locked sh -c 'echo two >> /var/cache/app/log; cat /var/cache/app/log > /seen2'
RUN --mount=type=cache,id=elsewhere,target=/var/cache/app ls -A /var/cache/app > /seen3
EOF
	build -q -t c:2
	[ "$(warren_s run --rm c:2 cat /seen2)" = "$(printf 'one\ntwo')" ]
	[ "$(warren_s run --rm c:2 cat /seen3)" = "" ]
	# the mount point is no stub in the image, as BuildKit
	run warren_s run --rm c:2 ls -d /var/cache/app
	[ "$status" -ne 0 ]
	saved_bytes c:2 names > "$CTX/../names.$$"
	grep -q seen2 "$CTX/../names.$$" # the listing has the layers
	! grep -q "var/cache/app" "$CTX/../names.$$" || false
}

@test "build mount: cache uid, gid and mode apply to a new cache; private and shared are accepted" {
	df <<EOF
FROM $BASE
RUN --mount=type=cache,target=/c,uid=1000,gid=1001,mode=0750,sharing=private stat -c '%u:%g %a' /c > /st
USER 1000
RUN --mount=type=cache,target=/c,sharing=shared touch /c/by-user && stat -c %u /c/by-user > /tmp/u
RUN --mount=type=cache,target=/c,ro sh -c 'ls /c; touch /c/z 2> /dev/null && echo rw || echo ro' > /tmp/ro
EOF
	build -q -t cu:1
	[ "$(warren_s run --rm cu:1 cat /st)" = "1000:1001 750" ]
	[ "$(warren_s run --rm cu:1 cat /tmp/u)" = "1000" ]
	[ "$(warren_s run --rm cu:1 cat /tmp/ro)" = "$(printf 'by-user\nro')" ]
}

@test "build mount: bind from the context is read-only, follows the files' content in the cache key, and leaves nothing" {
	file data/f.txt "v1"
	file data/sub/g.txt "g"
	df <<EOF
FROM $BASE
RUN --mount=type=bind,source=data,target=/d cat /d/f.txt /d/sub/g.txt > /out
RUN --mount=type=bind,source=data/f.txt,target=/single cat /single > /single.out
RUN --mount=type=bind,target=/d,source=data sh -c 'touch /d/x 2> /dev/null && echo writable || echo ro' > /ro
RUN --mount=type=bind,target=/d,source=data,rw sh -c 'echo changed > /d/f.txt && touch /d/new && cat /d/f.txt' > /rw
EOF
	build -q -t b:1
	[ "$(warren_s run --rm b:1 cat /out)" = "v1g" ]
	[ "$(warren_s run --rm b:1 cat /single.out)" = "v1" ]
	[ "$(warren_s run --rm b:1 cat /ro)" = "ro" ]
	[ "$(warren_s run --rm b:1 cat /rw)" = "changed" ]
	# rw writes are discarded: the context is as it was, the image has no /d
	[ "$(cat "$CTX/data/f.txt")" = "v1" ]
	[ ! -e "$CTX/data/new" ]
	run warren_s run --rm b:1 ls -d /d /single
	[ "$status" -ne 0 ]
	# a changed bound file invalidates the step, an unchanged one hits
	run build -t b:2
	[[ "$output" == *"Using cache"* ]]
	file data/f.txt "v2"
	run build -q -t b:3
	[ "$status" -eq 0 ]
	[ "$(warren_s run --rm b:3 cat /out)" = "v2g" ]
}

@test "build mount: bind from a stage and from an image, source inside them" {
	df <<EOF
FROM $BASE AS tools
RUN mkdir -p /opt/t && echo tool > /opt/t/bin
FROM $BASE
RUN --mount=type=bind,from=tools,source=/opt/t,target=/mnt/t cat /mnt/t/bin > /got
RUN --mount=type=bind,from=$BASE,target=/base ls /base/bin/busybox > /img
EOF
	build -q -t bf:1
	[ "$(warren_s run --rm bf:1 cat /got)" = tool ]
	[ "$(warren_s run --rm bf:1 cat /img)" = /base/bin/busybox ]
	run warren_s run --rm bf:1 ls /opt/t
	[ "$status" -ne 0 ]
}

@test "build mount: tmpfs is a tmpfs of the given size whose files stay out of the layer" {
	df <<EOF
FROM $BASE
RUN --mount=type=tmpfs,target=/scratch,size=1m sh -c 'echo x > /scratch/f; grep " /scratch " /proc/mounts | cut -d" " -f3; dd if=/dev/zero of=/scratch/big bs=1k count=2048 2> /dev/null && echo fits || echo full' > /t
EOF
	build -q -t t:1
	[ "$(warren_s run --rm t:1 cat /t)" = "$(printf 'tmpfs\nfull')" ]
	run warren_s run --rm t:1 ls /scratch
	[ "$status" -ne 0 ]
}

@test "build mount: a --secret is readable in its RUN and in no layer, history entry or config" {
	secret=s3cr3t-$RANDOM$RANDOM
	printf '%s' "$secret" > "$CTX/../tok.$$"
	chown "$TEST_USER" "$CTX/../tok.$$"
	sum=$(printf '%s' "$secret" | sha256sum | cut -d' ' -f1)
	# the Dockerfile does not hold the secret (it is in the history): the
	# steps keep its hash to compare
	df <<EOF
FROM $BASE
RUN --mount=type=secret,id=tok sha256sum /run/secrets/tok | cut -d' ' -f1 > /sum && stat -c '%a %u:%g' /run/secrets/tok > /st
RUN --mount=type=secret,id=tok,target=/etc/tok,uid=1000,mode=0440 stat -c '%a %u:%g' /etc/tok > /st2
RUN --mount=type=secret,id=tok,env=TOKEN printf '%s' "\$TOKEN" | sha256sum | cut -d' ' -f1 > /env
RUN --mount=type=secret,id=absent cat /run/secrets/absent > /absent 2>&1 || echo missing > /absent
EOF
	build -q -t s:1 --secret id=tok,src="$CTX/../tok.$$"
	[ "$(warren_s run --rm s:1 cat /sum)" = "$sum" ]
	[ "$(warren_s run --rm s:1 cat /st)" = "400 0:0" ]
	[ "$(warren_s run --rm s:1 cat /st2)" = "440 1000:0" ]
	[ "$(warren_s run --rm s:1 cat /env)" = "$sum" ]
	[ "$(warren_s run --rm s:1 cat /absent)" = "missing" ]
	run warren_s run --rm s:1 ls -d /run/secrets /etc/tok
	[ "$status" -ne 0 ]
	saved_bytes s:1 > "$CTX/../saved.$$"
	grep -aq "$sum" "$CTX/../saved.$$" # the grep finds what is there
	! grep -aq "$secret" "$CTX/../saved.$$" || false
	! warren_s history --no-trunc s:1 | grep -q "$secret" || false
	! warren_s image inspect s:1 | grep -q "$secret" || false
	# nor does the file stay in the runtime directory
	rd=$(rundir_of "$TEST_USER")
	[ -d "$rd" ]
	[ -z "$(find "$rd" -maxdepth 1 -name 'build-*')" ]
	# --secret id=X with X in the environment (type env, as buildx)
	df <<EOF
FROM $BASE
RUN --mount=type=secret,id=MYENV,required=true cat /run/secrets/MYENV > /e
EOF
	run --separate-stderr as_user env MYENV=from-env "$WARREN" --root "$STORE" build -q --network none --secret id=MYENV -t s:2 "$CTX"
	[ "$status" -eq 0 ]
	[ "$(warren_s run --rm s:2 cat /e)" = "from-env" ]
}

@test "build mount: a required secret not given fails with one line (125)" {
	df <<EOF
FROM $BASE
RUN --mount=type=secret,id=nope,required=true true
EOF
	bad_input "secret nope is required" -t bad:1
}

@test "build mount: ssh binds the agent socket at /run/buildkit/ssh_agent.0 with SSH_AUTH_SOCK set" {
	sockdir=$(user_tmpdir)
	chown "$TEST_USER" "$sockdir"
	as_user python3 -c 'import socket,sys,time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept(); c.sendall(b"agent-here\n"); c.close(); time.sleep(60)' "$sockdir/agent.sock" &
	SOCK_PID=$!
	wait_for_file "$sockdir/agent.sock"
	df <<EOF
FROM $BASE
RUN --mount=type=ssh sh -c 'echo "\$SSH_AUTH_SOCK"; test -S "\$SSH_AUTH_SOCK" && echo socket' > /ssh
EOF
	build -q -t ssh:1 --ssh default="$sockdir/agent.sock"
	run warren_s run --rm ssh:1 cat /ssh
	echo "$output"
	[ "${lines[0]}" = /run/buildkit/ssh_agent.0 ]
	[ "${lines[1]}" = socket ]
	run warren_s run --rm ssh:1 ls -d /run/buildkit
	[ "$status" -ne 0 ]
	# required without --ssh: one line
	df <<EOF
FROM $BASE
RUN --mount=type=ssh,required=true true
EOF
	bad_input "ssh agent default is required" -t bad:1
}

@test "build mount: bind, tmpfs, secret and cache give what podman build gives" {
	file data/f.txt "ctx"
	printf 'pw' > "$CTX/../pw.$$"
	chown "$TEST_USER" "$CTX/../pw.$$"
	df <<EOF
FROM $BASE
RUN --mount=type=bind,source=data,target=/d cat /d/f.txt > /res
RUN --mount=type=tmpfs,target=/t sh -c 'echo x > /t/x; cat /t/x; stat -c %a /t' >> /res
RUN --mount=type=secret,id=pw,required=true sh -c 'stat -c "%a %u:%g" /run/secrets/pw; cat /run/secrets/pw; echo' >> /res
RUN --mount=type=cache,target=/c sh -c 'stat -c "%a %u:%g" /c; echo v > /c/f; cat /c/f' >> /res
EOF
	build -q -t cmp:1 --secret id=pw,src="$CTX/../pw.$$"
	podman_u build -q --network none --tls-verify=false --secret id=pw,src="$CTX/../pw.$$" \
		-t cmp:1 "$CTX" > /dev/null
	diff <(podman_u run --rm --network none cmp:1 cat /res) <(warren_s run --rm cmp:1 cat /res)
	# where podman 4.3 differs from BuildKit's reference: podman leaves the
	# mount points (/d, /t, /c) in the image; BuildKit and warren do not
	run warren_s run --rm cmp:1 ls -d /d /t /c /run/secrets/pw
	[ "$status" -ne 0 ]
	[ -z "$(warren_s run --rm cmp:1 sh -c 'ls -d /d /t /c /run/secrets/pw 2> /dev/null')" ]
}

@test "build mount: on the vfs and fuse-overlay drivers the mounts work and leave no mount point" {
	file data/f.txt "ctx"
	printf 'pw' > "$CTX/../pw.$$"
	chown "$TEST_USER" "$CTX/../pw.$$"
	df <<EOF
FROM $BASE
RUN --mount=type=bind,source=data,target=/d --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --mount=type=secret,id=pw sh -c 'cat /d/f.txt /run/secrets/pw; touch /c/x /t/x; echo' > /res
EOF
	for drv in vfs fuse-overlay; do
		run --separate-stderr warren_s --storage-driver "$drv" build -q --network none \
			--secret id=pw,src="$CTX/../pw.$$" -t "m:$drv" "$CTX"
		echo "$stderr"
		[ "$status" -eq 0 ]
		[ "$(warren_s --storage-driver "$drv" run --rm "m:$drv" cat /res)" = ctxpw ]
		[ -z "$(warren_s --storage-driver "$drv" run --rm "m:$drv" sh -c 'ls -d /d /c /t /run/secrets 2> /dev/null')" ]
	done
}

@test "build mount: bad --mount values fail with one line (125)" {
	df <<EOF
FROM $BASE
RUN --mount=type=volume,target=/x true
EOF
	bad_input "type=volume: use bind, cache, tmpfs, secret or ssh" -t bad:1
	df <<EOF
FROM $BASE
RUN --mount=type=cache,target=/x,colour=blue true
EOF
	bad_input "unexpected key 'colour'" -t bad:1
	df <<EOF
FROM $BASE
RUN --mount=type=cache true
EOF
	bad_input "type=cache needs target=" -t bad:1
	df <<EOF
FROM $BASE
RUN --mount=type=bind,source=../outside,target=/x true
EOF
	bad_input "RUN --mount=type=bind,source=../outside" -t bad:1
}

@test "build: -f - reads the Dockerfile from stdin, --iidfile gets the ID, --progress=quiet prints only it" {
	d=$(user_tmpdir)
	printf 'FROM %s\nRUN echo stdin > /s\n' "$BASE" > "$d/df"
	chown -R "$TEST_USER" "$CTX" "$d"
	run --separate-stderr as_user sh -c "'$WARREN' --root '$STORE' build --network none -f - --iidfile '$d/iid' --progress=quiet -t in:1 '$CTX' < '$d/df'"
	echo "$output $stderr"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(cat "$d/iid")" = "sha256:${lines[0]}" ]
	[ "$(warren_s image inspect -f '{{.Id}}' in:1)" = "sha256:${lines[0]}" ]
	[ "$(warren_s run --rm in:1 cat /s)" = stdin ]
	bad_input "--progress fancy: use auto, plain, tty or quiet" --progress=fancy -t bad:1
}

@test "build: --pull takes the registry's base again, without it the stored one stays" {
	warren_s pull -q "$BASE" > /dev/null
	# a new image under a new name in the registry, then the same name locally
	df <<EOF
FROM $BASE
RUN echo v2 > /ver
EOF
	build -q -t "$REG/bld/pullbase:1"
	warren_s push -q "$REG/bld/pullbase:1"
	df <<EOF
FROM $BASE
RUN echo local > /ver
EOF
	build -q -t "$REG/bld/pullbase:1"
	df <<EOF
FROM $REG/bld/pullbase:1
RUN cat /ver > /seen
EOF
	build -q -t p:1
	[ "$(warren_s run --rm p:1 cat /seen)" = local ]
	build -q -t p:2 --pull --tls-verify=false
	[ "$(warren_s run --rm p:2 cat /seen)" = v2 ]
}

@test "build: ADD --checksum accepts the right digest and refuses a wrong one naming both" {
	srv=$(user_tmpdir)
	printf 'payload' > "$srv/dl.txt"
	good=sha256:$(sha256sum "$srv/dl.txt" | cut -d' ' -f1)
	wrong=sha256:$(printf '%064d' 0)
	http_serve "$srv"
	df <<EOF
FROM $BASE
ADD --checksum=$good http://127.0.0.1:$PORT/dl.txt /dl.txt
EOF
	build -q -t ck:1
	[ "$(warren_s run --rm ck:1 cat /dl.txt)" = payload ]
	df <<EOF
FROM $BASE
ADD --checksum=$wrong http://127.0.0.1:$PORT/dl.txt /dl.txt
EOF
	bad_input "expected $wrong, got $good" -t bad:1
	file local.txt "l"
	df <<EOF
FROM $BASE
ADD --checksum=$good local.txt /l
EOF
	bad_input "ADD --checksum is only for http(s) sources" -t bad:1
}
