#!/usr/bin/env bats
# warren build against its peers: a built image pushed to the local registry
# keeps its whiteouts (read back by skopeo), runs under rootless podman with
# the same file tree and config, and matches what `podman build` makes of the
# same Dockerfile.

load helpers
load images_helpers
load build_helpers

setup() {
	build_setup
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
}
teardown() { common_teardown; }

# the file tree of IMAGE as podman shows it: path, type, mode, owner, size
podman_tree() {
	podman_u run --rm --network none --user 0 --entrypoint /bin/sh "$1" -c \
		'find / -xdev \( -path /proc -o -path /sys -o -path /dev \) -prune -o -print | sort |
		 while read -r f; do stat -c "%n %F %a %u:%g %s" "$f"; done' |
		grep -vE '^/(etc/(hosts|hostname|resolv.conf)|run/.containerenv|proc|sys|dev|run) '
}

# the config fields a Dockerfile sets, with podman's own label left out
podman_config() {
	podman_u image inspect "$1" | jq -cS '.[0].Config | del(.Labels["io.buildah.version"]) |
		{Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Labels, Volumes, StopSignal}'
}

DOCKERFILE='FROM BASE
ENV A=1 B="two words"
WORKDIR /app
COPY f.txt sub ./
COPY --chown=1000:1000 --chmod=0640 f.txt /srv/owned
RUN echo hi > /app/r.txt && rm /shared && mkdir -p /var/x && touch /var/x/y && ln -s /app/r.txt /link
RUN rm -rf /home/tester && mkdir /home/tester && echo new > /home/tester/n
USER 1000
LABEL k=v
EXPOSE 8080
CMD ["cat", "/app/r.txt"]'

interop_context() {
	file f.txt "f"
	file sub/s.txt "s"
	df <<<"${DOCKERFILE//BASE/$BASE}"
}

@test "build interop: a RUN rm of a lower file is a whiteout in the pushed image, as skopeo reads it" {
	interop_context
	build -q -t "$REG/bld/wh:1"
	warren_s push -q "$REG/bld/wh:1"
	layout=$(user_tmpdir)
	chown "$TEST_USER" "$layout"
	as_user skopeo copy -q --src-tls-verify=false "docker://$REG/bld/wh:1" "oci:$layout/o:1"
	m=$(jq -r '.manifests[0].digest' "$layout/o/index.json")
	run jq -r '.layers[].digest' "$layout/o/blobs/sha256/${m#sha256:}"
	# the base's, WORKDIR's (it makes /app, as BuildKit's does), the two
	# COPYs' and the two RUNs'
	[ "${#lines[@]}" -eq 7 ]
	run tar tf "$layout/o/blobs/sha256/$(echo "${lines[5]}" | cut -c8-)"
	echo "$output"
	[[ "$output" == *".wh.shared"* ]]
	[[ "$output" == *"app/r.txt"* ]]
	run tar tf "$layout/o/blobs/sha256/$(jq -r '.layers[6].digest' "$layout/o/blobs/sha256/${m#sha256:}" | cut -c8-)"
	echo "$output"
	[[ "$output" == *"home/tester/.wh..wh..opq"* ]]
	[[ "$output" == *"home/tester/n"* ]]
}

@test "build interop: the image warren built runs in podman with the tree and config podman build gives" {
	interop_context
	build -q -t "$REG/bld/w:1"
	warren_s push -q "$REG/bld/w:1"
	podman_u pull -q --tls-verify=false "$REG/bld/w:1" > /dev/null
	run podman_u run --rm --network none "$REG/bld/w:1"
	[ "$status" -eq 0 ]
	[ "$output" = "hi" ]
	podman_u build -q --network none --tls-verify=false -t pb:1 "$CTX" > /dev/null
	diff <(podman_tree pb:1) <(podman_tree "$REG/bld/w:1")
	diff <(podman_config pb:1) <(podman_config "$REG/bld/w:1")
	[ "$(podman_tree "$REG/bld/w:1" | grep -c '^/home/tester/n ')" -eq 1 ]
	[ "$(podman_tree "$REG/bld/w:1" | grep -c '^/shared ')" -eq 0 ]
}
