#!/usr/bin/env bats
# Interoperability with the peers on the machine: skopeo and rootless podman
# (run as the test user, with their own storage per test) read what warren
# writes, and warren reads what they write: registry pushes, save/load
# archives in both formats, and the same file tree from the same image.

load helpers
load images_helpers

setup() {
	fresh_store
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
	ARCH_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$ARCH_DIR"
}
teardown() { common_teardown; }

skopeo_u() { as_user skopeo "$@"; }

@test "an image pushed by skopeo pulls and runs in warren" {
	skopeo_u copy -q --dest-tls-verify=false "oci:$WARREN_TEST_ROOT/registry/layouts/config:latest" \
		"docker://$REG/interop/skopeo:1"
	run warren_s run --entrypoint cat "$REG/interop/skopeo:1" /etc/passwd
	[ "$status" -eq 0 ]
	[[ "$output" == *"tester:x:1000:1000"* ]]
}

@test "an image pushed by podman pulls and runs in warren" {
	podman_u pull -q --tls-verify=false "$REG/warren/shared" >/dev/null
	podman_u tag "$REG/warren/shared" "$REG/interop/podman:1"
	podman_u push -q --tls-verify=false "$REG/interop/podman:1"
	run warren_s run "$REG/interop/podman:1"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "shared" ]
}

@test "warren push output pulls in skopeo with the same manifest digest" {
	warren_s pull -q "$REG/warren/layers"
	run warren_s push -q "$REG/warren/layers" "$REG/interop/warren-pushed:1"
	[ "$status" -eq 0 ]
	local digest=$output
	[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]
	run skopeo_u inspect --tls-verify=false --format '{{.Digest}}' "docker://$REG/interop/warren-pushed:1"
	[ "$output" = "$digest" ]
	skopeo_u copy -q --src-tls-verify=false "docker://$REG/interop/warren-pushed:1" "oci:$ARCH_DIR/copied:1"
	[ -f "$ARCH_DIR/copied/index.json" ]
	# a second push finds every blob on the registry
	run warren_s push "$REG/warren/layers" "$REG/interop/warren-pushed:2"
	[ "$(grep -c 'already exists' <<< "$output")" -eq 5 ]
}

@test "warren save (docker-archive) loads in podman with the same image ID" {
	local id
	id=$(warren_s pull -q "$REG/warren/layers")
	warren_s save -o "$ARCH_DIR/w.tar" "$REG/warren/layers"
	run podman_u load -i "$ARCH_DIR/w.tar"
	[ "$status" -eq 0 ]
	run podman_u images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}'
	[[ "$output" == *"sha256:$id $REG/warren/layers:latest"* ]] || [[ "$output" == *"$id $REG/warren/layers:latest"* ]]
}

@test "warren save (oci-archive) loads in podman with the same image ID" {
	local id
	id=$(warren_s pull -q "$REG/warren/shared")
	warren_s save --format oci-archive -o "$ARCH_DIR/w.tar" "$REG/warren/shared"
	run podman_u load -i "$ARCH_DIR/w.tar"
	[ "$status" -eq 0 ]
	run podman_u images --no-trunc --format '{{.ID}}'
	[[ "$output" == *"$id"* ]]
}

@test "podman save loads in warren with the same image ID (docker-archive)" {
	# podman writes no zstd layers into a docker-archive: the gzip image
	podman_u pull -q --tls-verify=false "$REG/warren/shared" >/dev/null
	local id
	id=$(podman_u images --no-trunc --format '{{.ID}}' | head -1)
	id=${id#sha256:}
	podman_u save -o "$ARCH_DIR/p.tar" "$REG/warren/shared"
	run warren_s load -i "$ARCH_DIR/p.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: $REG/warren/shared:latest" ]
	run warren_s images -q --no-trunc
	[ "$output" = "sha256:$id" ]
	run warren_s run "$REG/warren/shared"
	[ "$output" = "shared" ]
}

@test "podman save loads in warren with the same image ID (oci-archive, zstd layer)" {
	podman_u pull -q --tls-verify=false "$REG/warren/layers" >/dev/null
	local id
	id=$(podman_u images --no-trunc --format '{{.ID}}' | head -1)
	id=${id#sha256:}
	podman_u save --format oci-archive -o "$ARCH_DIR/po.tar" "$REG/warren/layers"
	run warren_s load -i "$ARCH_DIR/po.tar"
	[ "$status" -eq 0 ]
	run warren_s images -q --no-trunc
	[ "$output" = "sha256:$id" ]
	run warren_s run "$REG/warren/layers" sh -c "$TREE_CMD"
	[ "${#lines[@]}" -eq 18 ]
}

@test "warren and podman show the same tree, owners and modes for the layered image" {
	warren_s pull -q "$REG/warren/layers"
	podman_u pull -q --tls-verify=false "$REG/warren/layers" >/dev/null
	run warren_s run "$REG/warren/layers" sh -c "$TREE_CMD"
	[ "$status" -eq 0 ]
	local mine=$output
	run podman_u run --rm "$REG/warren/layers" sh -c "$TREE_CMD"
	[ "$status" -eq 0 ]
	[ "$output" = "$mine" ]
}

@test "OCI layout directories: warren's is read by skopeo, skopeo's is loaded by warren" {
	local id
	id=$(warren_s pull -q "$REG/warren/layers")
	run warren_s save --format oci-dir -o "$ARCH_DIR/w" "$REG/warren/layers"
	[ "$status" -eq 0 ]
	run skopeo_u inspect --format '{{.Digest}}' "oci:$ARCH_DIR/w:$REG/warren/layers:latest"
	[ "$status" -eq 0 ]
	[ "$output" = "$(warren_s image inspect --format '{{.Digest}}' "$REG/warren/layers")" ]
	skopeo_u copy -q --src-tls-verify=false "docker://$REG/warren/config:latest" "oci:$ARCH_DIR/s:cfg"
	STORE=$ARCH_DIR/store2
	run warren_s load -i "$ARCH_DIR/s"
	[ "$status" -eq 0 ]
	[[ "$output" == "Loaded image ID: sha256:"* ]]
	run warren_s run "${output#Loaded image ID: }"
	[ "${lines[-1]}" = "ep default-arg" ]
}
