#!/usr/bin/env bats
# BuildKit's inline cache, Docker's documented workflow for sharing a build
# cache through a registry: build with --build-arg BUILDKIT_INLINE_CACHE=1
# (or --cache-to type=inline), push, and build the same context elsewhere
# with --cache-from IMAGE: the steps the image holds are cache hits there.

load helpers
load images_helpers
load build_helpers

bats_require_minimum_version 1.5.0

setup() {
	build_setup
	APP=$REG/cachefrom/app-$BATS_TEST_NUMBER
	file a.txt "a"
	file b.txt "b"
	df <<EOF2
FROM $BASE
COPY a.txt /a.txt
RUN echo ran-one && cat /a.txt > /one
ENV STEP=three
COPY b.txt /b.txt
RUN echo ran-two && cat /b.txt > /two
EOF2
}
teardown() { common_teardown; }

# registry_config IMAGE: the image's config as the registry holds it
registry_config() {
	as_user skopeo inspect --tls-verify=false --config --raw "docker://$1"
}

# layers IMAGE: the image's diff_ids, one line
layers() { warren_s image inspect "$1" | jq -c '.[0].RootFS.Layers'; }

@test "inline cache: pushed, then a fresh store's build is all cache hits, the same image" {
	build -t "$APP:1" --build-arg BUILDKIT_INLINE_CACHE=1 > /dev/null
	id_a=$(warren_s image inspect -f '{{.Id}}' "$APP:1")
	layers_a=$(layers "$APP:1")
	warren_s push -q "$APP:1" > /dev/null
	# the registry's config holds the map: one entry per history entry,
	# null for the base image's, a key for each of the five steps
	cfg=$(registry_config "$APP:1")
	[ "$(jq '.history | length' <<<"$cfg")" -eq "$(jq '."warren.cache.v0" | length' <<<"$cfg")" ]
	[ "$(jq '[."warren.cache.v0"[] | select(. != null)] | length' <<<"$cfg")" -eq 5 ]
	[ "$(jq -c '[."warren.cache.v0"[] | select(. != null) | .empty_layer]' <<<"$cfg")" = \
		'[false,false,true,false,false]' ]

	fresh_store
	run build -t "$APP:1" --build-arg BUILDKIT_INLINE_CACHE=1 --cache-from "$APP:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 5 ]
	! grep -q '^ran-' <<<"$output"
	[ "$(warren_s image inspect -f '{{.Id}}' "$APP:1")" = "$id_a" ]
	[ "$(layers "$APP:1")" = "$layers_a" ]
	[ "$(warren_s run --rm "$APP:1" cat /one /two)" = ab ]
	# the hits went into this store's own cache: without --cache-from too
	run build --build-arg BUILDKIT_INLINE_CACHE=1
	[ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 5 ]
}

@test "inline cache: a changed COPY source re-runs the steps from there, earlier ones hit" {
	build -t "$APP:1" --cache-to type=inline > /dev/null
	warren_s push -q "$APP:1" > /dev/null
	fresh_store
	file b.txt "B"
	run build -t "$APP:2" --cache-from "type=registry,ref=$APP:1"
	echo "$output"
	[ "$status" -eq 0 ]
	# COPY a.txt, RUN, ENV hit; COPY b.txt and the RUN after it run
	[ "$(grep -c -- '--> Using cache' <<<"$output")" -eq 3 ]
	! grep -q '^ran-one' <<<"$output"
	grep -q '^ran-two' <<<"$output"
	# the shared layers are the pushed image's, the others new
	[ "$(layers "$APP:2" | jq -c '.[:-2]')" = "$(layers "$APP:1" | jq -c '.[:-2]')" ]
	[ "$(layers "$APP:2" | jq -c '.[-1]')" != "$(layers "$APP:1" | jq -c '.[-1]')" ]
	[ "$(warren_s run --rm "$APP:2" cat /one /two)" = aB ]
}

@test "inline cache: an image built without it has no map, and --cache-from gives no hits" {
	build -t "$APP:1" --build-arg BUILDKIT_INLINE_CACHE=0 > /dev/null
	warren_s push -q "$APP:1" > /dev/null
	[ "$(registry_config "$APP:1" | jq 'has("warren.cache.v0")')" = false ]
	fresh_store
	run build -t "$APP:2" --cache-from "$APP:1"
	echo "$output"
	[ "$status" -eq 0 ]
	! grep -q -- '--> Using cache' <<<"$output"
	grep -q '^ran-one' <<<"$output"
	# an image built FROM one with the map does not inherit it
	build -t "$APP:m" --cache-to type=inline > /dev/null
	printf 'FROM %s\nENV X=1\n' "$APP:m" > "$CTX/Dockerfile.child"
	build -t "$APP:child" -f "$CTX/Dockerfile.child" > /dev/null
	warren_s push -q "$APP:child" > /dev/null
	[ "$(registry_config "$APP:child" | jq 'has("warren.cache.v0")')" = false ]
}

@test "inline cache: --no-cache ignores --cache-from; an image that cannot be pulled is a warning" {
	build -t "$APP:1" --build-arg BUILDKIT_INLINE_CACHE=1 > /dev/null
	warren_s push -q "$APP:1" > /dev/null
	fresh_store
	run build -t "$APP:2" --no-cache --cache-from "$APP:1"
	[ "$status" -eq 0 ]
	! grep -q -- '--> Using cache' <<<"$output"
	fresh_store
	run --separate-stderr build -t "$APP:3" --cache-from "$REG/cachefrom/absent:1"
	echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^warning: --cache-from' <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == *"$REG/cachefrom/absent:1"*"building without it"* ]]
	warren_s image inspect "$APP:3" > /dev/null
}

@test "inline cache: other cache types and exports are refused with one line, 125" {
	bad_input "type=registry,ref=IMAGE" -t bad:1 --cache-from type=local,src=/tmp
	bad_input "cache type gha is not supported" -t bad:1 --cache-from type=gha
	bad_input "give ref=IMAGE" -t bad:1 --cache-from type=registry
	bad_input "unexpected mode=max" -t bad:1 --cache-from "type=registry,ref=$APP,mode=max"
	bad_input "only type=inline is supported" -t bad:1 --cache-to "type=registry,ref=$APP:c"
	bad_input "only type=inline is supported" -t bad:1 --cache-to type=local,dest=/tmp/c
	bad_input "only type=inline is supported" -t bad:1 --cache-to "$APP:c"
}
