#!/usr/bin/env bats
# warren build: Dockerfiles built into images that warren runs; every
# instruction and form, the step cache, multi-stage builds, and one-line
# errors for bad input. Runs as the unprivileged user, RUN steps with
# --network none. Interoperability (push, podman, skopeo): build_interop.bats.

load helpers
load images_helpers
load build_helpers

bats_require_minimum_version 1.5.0

setup() { build_setup; }
teardown() {
	http_stop
	common_teardown
}

@test "build: FROM ARG ENV WORKDIR COPY RUN USER LABEL EXPOSE CMD make a tagged image that runs" {
	file hello.txt "hello"
	file sub/inner.txt "inner"
	df <<EOF
FROM $BASE
ARG GREETING=hi
ENV APP=/app \\
    MODE=test
WORKDIR /app
COPY hello.txt sub/ ./
RUN echo "\$GREETING \$MODE" > run.txt
USER 1000:1000
LABEL org.example.k=v other="two words"
EXPOSE 8080 53/udp
CMD ["cat", "/app/run.txt"]
EOF
	run build -t built:1
	[ "$status" -eq 0 ]
	[[ "$output" == *"STEP 6/10: RUN echo"* ]]
	id=${lines[-1]}
	[ ${#id} -eq 64 ]
	run warren_s run built:1
	[ "$status" -eq 0 ]
	[ "$output" = "hi test" ]
	run warren_s run built:1 sh -c 'cat /app/hello.txt /app/inner.txt; echo; id -u; pwd'
	[ "$output" = "$(printf 'helloinner\n1000\n/app')" ]
	cfg=$(warren_s image inspect built:1 | jq -c '.[0].Config')
	[ "$(jq -r '.Labels.other' <<<"$cfg")" = "two words" ]
	[ "$(jq -c '.ExposedPorts | keys' <<<"$cfg")" = '["53/udp","8080/tcp"]' ]
	[ "$(jq -r '.WorkingDir, .User' <<<"$cfg")" = "$(printf '/app\n1000:1000')" ]
	[ "$(jq -c '.Env' <<<"$cfg")" = '["PATH=/bin","APP=/app","MODE=test"]' ]
	run warren_s history built:1
	[ "$status" -eq 0 ]
	[[ "$output" == *"RUN echo"* ]]
	[[ "$output" == *"COPY hello.txt sub/ ./"* ]]
}

@test "build: --build-arg overrides a default, reaches RUN, and an ARG before FROM picks the base" {
	df <<EOF
ARG BASE_IMAGE=nothing-here
FROM \$BASE_IMAGE
ARG WHO=nobody
ARG UNUSED
RUN echo "who=\$WHO" > /who
ENV FROM_ARG=\$WHO
EOF
	run build --build-arg BASE_IMAGE="$BASE" --build-arg WHO=alice -t args:1
	[ "$status" -eq 0 ]
	run warren_s run args:1 sh -c 'cat /who; echo $FROM_ARG'
	[ "$output" = "$(printf 'who=alice\nalice')" ]
}

@test "build: heredocs in RUN and COPY, SHELL, exec-form RUN, ENTRYPOINT with CMD" {
	df <<EOF
FROM $BASE
ENV NAME=world
RUN <<END
echo one > /h1
echo two >> /h1
END
RUN cat <<'QUOTED' > /h2
\$NAME stays
QUOTED
COPY <<GREET /etc/greet
hello \$NAME
GREET
SHELL ["/bin/sh", "-ec"]
RUN test "\$0" = /bin/sh && echo shell-ok > /h3
RUN ["/bin/sh", "-c", "echo exec-ok > /h4"]
ENTRYPOINT ["/bin/cat"]
CMD ["/h1"]
EOF
	run build -t here:1
	[ "$status" -eq 0 ]
	run warren_s run here:1
	[ "$output" = "$(printf 'one\ntwo')" ]
	run warren_s run here:1 /h2 /etc/greet /h3 /h4
	[ "$output" = "$(printf '$NAME stays\nhello world\nshell-ok\nexec-ok')" ]
}

@test "build: COPY --chown and --chmod give owners and modes visible inside the image" {
	file app/run.sh "#!/bin/sh"
	file app/data/d.txt "d"
	file one.txt "1"
	df <<EOF
FROM $BASE
COPY --chown=1000:1000 app /srv/app
COPY --chown=tester --chmod=0600 one.txt /srv/one.txt
COPY one.txt /srv/root-owned
EOF
	run build -t chown:1
	[ "$status" -eq 0 ]
	run warren_s run chown:1 sh -c 'cd /srv && for f in app app/run.sh app/data/d.txt one.txt root-owned; do stat -c "%n %u:%g" $f; done; stat -c %a one.txt'
	[ "$output" = "$(printf 'app 1000:1000\napp/run.sh 1000:1000\napp/data/d.txt 1000:1000\none.txt 1000:1000\nroot-owned 0:0\n600')" ]
}

@test "build: .dockerignore keeps files out of COPY, with ! exceptions" {
	file keep.txt "k"
	file secret.key "s"
	file logs/a.log "a"
	file logs/important.log "i"
	printf 'secret.key\nlogs/*.log\n!logs/important.log\n' > "$CTX/.dockerignore"
	df <<EOF
FROM $BASE
COPY . /ctx
EOF
	run build -t ign:1
	[ "$status" -eq 0 ]
	run warren_s run ign:1 sh -c 'cd /ctx && find . -type f | sort'
	[ "$output" = "$(printf './.dockerignore\n./Dockerfile\n./keep.txt\n./logs/important.log')" ]
}

@test "build: a rebuild with nothing changed is all cache hits, the same image, no new layer" {
	file a.txt "a"
	df <<EOF
FROM $BASE
RUN echo slow > /slow
COPY a.txt /a.txt
RUN cat /a.txt > /b.txt
ENV X=1
EOF
	run build -t cache:1
	[ "$status" -eq 0 ]
	first=${lines[-1]}
	layers=$(ls "$STORE/layers" | wc -l)
	run build -t cache:1
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$first" ]
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 4 ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq "$layers" ]
}

@test "build: editing one copied file rebuilds from its COPY on only" {
	file a.txt "one"
	df <<EOF
FROM $BASE
RUN head -c 16 /dev/urandom | od -x > /before
COPY a.txt /a.txt
RUN head -c 16 /dev/urandom | od -x > /after
EOF
	build -t edit:1
	before=$(warren_s run edit:1 cat /before)
	after=$(warren_s run edit:1 cat /after)
	file a.txt "two"
	run build -t edit:1
	[ "$status" -eq 0 ]
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 1 ]
	[ "$(warren_s run edit:1 cat /before)" = "$before" ]
	[ "$(warren_s run edit:1 cat /after)" != "$after" ]
	[ "$(warren_s run edit:1 cat /a.txt)" = "two" ]
}

@test "build: multi-stage with COPY --from; --target builds only the stages it needs" {
	df <<EOF
FROM $BASE AS builder
RUN mkdir /out && echo artifact > /out/app
FROM $BASE AS unused
RUN echo unused-stage-ran && false
FROM builder AS tester
RUN echo tester-stage > /t
FROM scratch AS final
COPY --from=builder /out/app /app
COPY --from=0 /bin/busybox /bin/busybox
EOF
	run build --target tester -t ms:tester
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *unused-stage-ran* ]]
	run warren_s run ms:tester cat /out/app /t
	[ "$output" = "$(printf 'artifact\ntester-stage')" ]
	run build -t ms:final
	[ "$status" -eq 0 ]
	[[ "$output" != *unused-stage-ran* ]]
	[[ "$output" != *tester-stage* ]]
	run warren_s run ms:final /bin/busybox cat /app
	[ "$output" = "artifact" ]
	[ "$(warren_s image inspect ms:final | jq '.[0].RootFS.Layers | length')" -eq 2 ]
}

@test "build: a failing RUN names the step, the line and the exit code, exits 1, tags nothing" {
	df <<EOF
FROM $BASE
RUN true

RUN exit 3
EOF
	run build -t fail:1
	[ "$status" -eq 1 ]
	[[ "${lines[-1]}" == "warren: STEP 3/3: Dockerfile:4: RUN exit 3: "*": 3" ]]
	! warren_s image inspect fail:1 >/dev/null 2>&1
}

@test "build bad input: unknown instruction and bad syntax name the line" {
	printf 'FROM %s\nRUN true\nFROBNICATE now\n' "$BASE" > "$CTX/Dockerfile"
	bad_input "Dockerfile:3" -t bad:1
	printf 'FROM %s\nENV\n' "$BASE" > "$CTX/Dockerfile"
	bad_input "Dockerfile:2" -t bad:1
	printf 'RUN true\n' > "$CTX/Dockerfile"
	bad_input "Dockerfile:1" -t bad:1
}

@test "build bad input: missing context file, COPY from outside the context, missing Dockerfile" {
	printf 'FROM %s\nCOPY missing.txt /m\n' "$BASE" > "$CTX/Dockerfile"
	bad_input "missing.txt" -t bad:1
	printf 'FROM %s\nCOPY ../etc/passwd /p\n' "$BASE" > "$CTX/Dockerfile"
	bad_input "../etc/passwd" -t bad:1
	rm "$CTX/Dockerfile"
	bad_input "Dockerfile" -t bad:1
}

@test "build bad input: unknown stage, a FROM a build arg leaves blank, bad tag" {
	printf 'FROM %s AS a\nRUN true\n' "$BASE" > "$CTX/Dockerfile"
	bad_input "nope" --target nope -t bad:1
	printf 'FROM %s\nCOPY --from=nope /x /x\n' "$BASE" > "$CTX/Dockerfile"
	bad_input "nope" -t bad:1
	# an ARG without value is unset, as Docker's (build_conformance.bats):
	# only a FROM it leaves blank is an error
	printf 'ARG VERSION\nFROM ${VERSION}\n' > "$CTX/Dockerfile"
	bad_input "VERSION" -t bad:1
	printf 'FROM %s\n' "$BASE" > "$CTX/Dockerfile"
	bad_input "Bad:Tag:x" -t Bad:Tag:x
}

@test "build: -q prints only the image ID; --no-cache runs every step again" {
	df <<EOF
FROM $BASE
RUN head -c 16 /dev/urandom | od -x > /r
EOF
	run build -q -t q:1
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ ${#output} -eq 64 ]
	r1=$(warren_s run q:1 cat /r)
	run build -q --no-cache -t q:1
	[ "$status" -eq 0 ]
	[ "$(warren_s run q:1 cat /r)" != "$r1" ]
}

@test "build: VOLUME STOPSIGNAL HEALTHCHECK ONBUILD MAINTAINER and --label are recorded" {
	df <<EOF
FROM $BASE
MAINTAINER someone@example.com
VOLUME ["/data", "/logs"]
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --retries=2 CMD true
ONBUILD RUN echo triggered
EOF
	run build --label built.by=warren -t meta:1
	[ "$status" -eq 0 ]
	cfg=$(warren_s image inspect meta:1 | jq -c '.[0].Config')
	[ "$(jq -c '.Volumes | keys' <<<"$cfg")" = '["/data","/logs"]' ]
	[ "$(jq -r '.StopSignal' <<<"$cfg")" = SIGINT ]
	[ "$(jq -c '.Healthcheck.Test' <<<"$cfg")" = '["CMD-SHELL","true"]' ]
	[ "$(jq -r '.Healthcheck.Interval' <<<"$cfg")" = 5000000000 ]
	[ "$(jq -c '.OnBuild' <<<"$cfg")" = '["RUN echo triggered"]' ]
	[ "$(jq -r '.Labels["built.by"]' <<<"$cfg")" = warren ]
}

@test "build: ADD extracts a local archive and downloads a URL; COPY keeps an archive whole" {
	mkdir -p "$CTX/tree/sub"
	echo t > "$CTX/tree/sub/t.txt"
	tar -C "$CTX/tree" -czf "$CTX/t.tar.gz" .
	rm -rf "$CTX/tree"
	srv=$(user_tmpdir)
	echo served > "$srv/dl.txt"
	http_serve "$srv"
	df <<EOF
FROM $BASE
ADD t.tar.gz /opt/x/
COPY t.tar.gz /opt/y/
ADD http://127.0.0.1:$PORT/dl.txt /opt/dl/
EOF
	run build -t add:1
	echo "$output"
	[ "$status" -eq 0 ]
	run warren_s run add:1 sh -c 'cat /opt/x/sub/t.txt /opt/dl/dl.txt; stat -c %a /opt/dl/dl.txt; ls /opt/y'
	[ "$output" = "$(printf 't\nserved\n600\nt.tar.gz')" ]
}

@test "build: ADD of a local archive holding .wh. names is refused, not read as whiteouts" {
	# kept as files, the step's layer tar would carry them as whiteouts
	# (OCI layer format): /etc/passwd deleted, /bin emptied of the base's
	mkdir -p "$CTX/tree/etc" "$CTX/tree/bin"
	echo w > "$CTX/tree/etc/.wh.passwd"
	echo o > "$CTX/tree/bin/.wh..wh..opq"
	tar -C "$CTX/tree" -cf "$CTX/wh.tar" etc/.wh.passwd
	tar -C "$CTX/tree" -cf "$CTX/opq.tar" bin
	rm -rf "$CTX/tree"
	printf 'FROM %s\nADD wh.tar /\n' "$BASE" > "$CTX/Dockerfile"
	bad_input ".wh." -t bad:1
	[[ "${stderr_lines[0]}" == *"etc/.wh.passwd"*rename* ]]
	printf 'FROM %s\nADD opq.tar /\n' "$BASE" > "$CTX/Dockerfile"
	bad_input "bin/.wh..wh..opq" -t bad:1
}

@test "build: ONBUILD triggers of the base run in the child build" {
	df <<EOF
FROM $BASE
ONBUILD RUN echo triggered > /onbuild
ONBUILD ENV FROM_ONBUILD=yes
EOF
	build -t parent:1
	df <<EOF
FROM parent:1
RUN cat /onbuild
EOF
	run build -t child:1
	[ "$status" -eq 0 ]
	run warren_s run child:1 sh -c 'cat /onbuild; echo $FROM_ONBUILD'
	[ "$output" = "$(printf 'triggered\nyes')" ]
	[ "$(warren_s image inspect child:1 | jq -r '.[0].Config.OnBuild')" = null ]
}

@test "build: escape directive, comments, globs, \${VAR:-x} and \${VAR:+y}, COPY --from=IMAGE, FROM --platform" {
	file a1.txt "a1"
	file a2.txt "a2"
	file b.md "b"
	cat > "$CTX/Dockerfile" <<EOF
# syntax=docker/dockerfile:1
# escape=\`
# a comment before FROM
FROM --platform=linux/amd64 $BASE
ENV SET=yes
# a comment between instructions
COPY a*.txt /globbed/
RUN echo "\${UNSET:-default} \${SET:+alt} \${UNSET:+never}" > /exp && \`
    echo continued >> /exp
COPY --from=$BASE /shared /from-image
EOF
	run build -t syn:1
	[ "$status" -eq 0 ]
	run warren_s run syn:1 sh -c 'ls /globbed; cat /exp /from-image'
	[ "$output" = "$(printf 'a1.txt\na2.txt\ndefault alt \ncontinued\nshared')" ]
}

@test "build: --network host lets RUN reach a service on the host's loopback" {
	srv=$(user_tmpdir)
	echo from-host > "$srv/x"
	http_serve "$srv"
	df <<EOF
FROM $BASE
RUN wget -q -O /got http://127.0.0.1:$PORT/x
EOF
	chown -R "$TEST_USER" "$CTX"
	run warren_s build --network host -t net:1 "$CTX"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(warren_s run net:1 cat /got)" = from-host ]
}

@test "build: a user without subordinate IDs builds and runs an image (single-ID mode)" {
	d=$(user_tmpdir)
	chown "$NOSUB_USER" "$d"
	file f.txt "f"
	df <<EOF
FROM $BASE
COPY f.txt /f
RUN echo hi > /r && rm /shared
RUN touch /owned && chown 100:101 /owned && su -s /bin/sh nobody -c true
CMD ["cat", "/r"]
EOF
	chown -R "$NOSUB_USER" "$CTX"
	run as_nosub "$WARREN" --root "$d/store" build -q --network none -t ns:1 "$CTX"
	[ "$status" -eq 0 ]
	run as_nosub "$WARREN" --root "$d/store" run --network none ns:1 sh -c 'cat /r /f; echo; test -e /shared || echo gone'
	[ "${lines[-3]}" = "hi" ]
	[ "${lines[-2]}" = "f" ]
	[ "${lines[-1]}" = "gone" ]
}

@test "build: RUN --network=none overrides the build's network; RUN --security is refused, not ignored" {
	printf 'FROM %s\nRUN --network=none ip link show | grep -c "^[0-9]" > /links\n' "$BASE" > "$CTX/Dockerfile"
	chown -R "$TEST_USER" "$CTX"
	run warren_s build --network host -t netnone:1 "$CTX"
	[ "$status" -eq 0 ]
	[ "$(warren_s run --network none netnone:1 cat /links)" = 1 ]
	printf 'FROM %s\nRUN --security=insecure true\n' "$BASE" > "$CTX/Dockerfile"
	bad_input "RUN --security=insecure is not supported" -t bad:1
}

@test "build --storage-driver vfs and fuse-overlay (the global flag) build; an unknown driver is refused" {
	for drv in vfs fuse-overlay; do
		printf 'FROM %s\nRUN echo on-%s > /drv && rm /etc/group\n' "$BASE" "$drv" > "$CTX/Dockerfile"
		chown -R "$TEST_USER" "$CTX"
		run --separate-stderr warren_s --storage-driver "$drv" build --network none -t "drv:$drv" "$CTX"
		[ "$status" -eq 0 ]
		run --separate-stderr warren_s run --rm "drv:$drv" sh -c 'cat /drv; test -e /etc/group || echo gone'
		[ "$output" = "$(printf 'on-%s\ngone' "$drv")" ]
	done
	run --separate-stderr warren_s --storage-driver nope build --network none -t bad:1 "$CTX"
	[ "$status" -eq 125 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"unknown storage driver"* ]]
	! warren_s image inspect bad:1 > /dev/null 2>&1
}
