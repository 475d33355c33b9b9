#!/usr/bin/env bats
# `warren search REGISTRY/TERM` against the test registry, side by side with
# rootless podman's search of the same registry: the same repositories, the
# same columns, --limit, --list-tags, --format; bad input is one line, exit 1.

bats_require_minimum_version 1.5.0

load helpers
load images_helpers

setup() {
	fresh_store
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
}
teardown() { common_teardown; }

# both TOOL-ARGS...: warren's and podman's output, columns one space apart
both() {
	w=$(warren_s search "$@" | tr -s ' ' | sed 's/ $//')
	p=$(podman_u search --tls-verify=false "$@" | tr -s ' ' | sed 's/ $//')
	echo "search $*: warren [$w] podman [$p]"
}

@test "search lists the catalog's repositories holding the term, as podman does" {
	for args in "$REG/warren" "$REG/shar" "$REG/evil" "--limit 2 $REG/evil" \
		"--no-trunc $REG/config" "$REG/nothing-like-this"; do
		# shellcheck disable=SC2086
		both $args
		[ "$w" = "$p" ]
	done
	# the header and every repository of the catalog holding the term
	# (other tests push more to this registry: counted now, not fixed)
	n=$(curl -s "http://$REG/v2/_catalog?n=1000" | jq -r '.repositories[]' | grep -c warren)
	[ "$n" -ge 10 ]
	[ "$(warren_s search --limit 1000 "$REG/warren" | wc -l)" -eq $((n + 1)) ]
}

@test "search --list-tags and --format agree with podman" {
	both --list-tags "$REG/warren/shared"
	[ "$w" = "$p" ]
	[ "$w" = "NAME TAG
$REG/warren/shared latest" ]
	both --format '{{.Name}}|{{.Index}}|{{.Description}}|{{.Stars}}|{{.Official}}|{{.Automated}}|{{.Tag}}' "$REG/shared"
	[ "$w" = "$p" ]
	both --format '{{.Name}}' --limit 3 "$REG/warren"
	[ "$w" = "$p" ]
	[ "$(echo "$w" | wc -l)" -eq 3 ]
	# json: podman prints one array, warren one object a line, as Docker's CLI
	[ "$(warren_s search --format json "$REG/shared" | jq -cS .)" = "$(podman_u search --tls-verify=false --format json "$REG/shared" | jq -cS '.[0]')" ]
}

@test "search: no registry, an unknown repository, a bad limit: one line, exit 1" {
	run --separate-stderr warren_s search busybox
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"needs a registry"* ]]
	run --separate-stderr warren_s search --list-tags "$REG/warren/nosuch"
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ "$stderr" == *"not found"* ]]
	run --separate-stderr warren_s search 127.0.0.1:1/x
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	run --separate-stderr warren_s search --limit zero "$REG/warren"
	[ "$status" -eq 125 ] # a refused flag, as Docker's parser
}
