#!/usr/bin/env bats
# warren build's intermediate images: each step leaves an untagged image
# (hidden from `images`, listed by `images -a`) that `history` names, that
# runs and tags by ID, that the cache reuses, and that rmi and image prune
# remove with the image built on them when nothing else needs them.

load helpers
load images_helpers
load build_helpers

bats_require_minimum_version 1.5.0

setup() {
	build_setup
	file a.txt "a"
	df <<EOF2
FROM $BASE
RUN echo one > /one
ENV STEP=two
RUN echo two > /two && rm /one
COPY a.txt /a.txt
EOF2
}
teardown() { common_teardown; }

# ids IMAGE: the history's IMAGE column, newest first
ids() { warren_s history -q "$1"; }

# short_id IMAGE: its ID's first 12 hex digits
short_id() { warren_s image inspect "$1" | jq -r '.[0].Id' | cut -c8-19; }

@test "build history: an ID per step, each runnable and taggable with the tree as of its step" {
	build -t hist:1
	mapfile -t id < <(ids hist:1)
	# COPY (the image itself), RUN two, ENV, RUN one, then the base's top entry
	[ "${id[0]}" = "$(short_id hist:1)" ]
	for k in 0 1 2 3 4; do [[ "${id[$k]}" =~ ^[0-9a-f]{12}$ ]]; done
	[ "$(printf '%s\n' "${id[@]:0:5}" | sort -u | wc -l)" -eq 5 ]
	[ "${id[4]}" = "$(short_id "$BASE")" ]
	run warren_s history hist:1
	[[ "${lines[2]}" == "${id[1]}"*"RUN echo two"* ]]
	[[ "${lines[4]}" == "${id[3]}"*"RUN echo one"* ]]
	# after RUN one: /one, not yet /two nor /a.txt
	run warren_s run --rm "${id[3]}" sh -c 'cat /one; ls /two /a.txt 2>&1 | wc -l'
	[ "$output" = "$(printf 'one\n2')" ]
	# after ENV: its environment; after RUN two: /one removed (a whiteout), /two there
	[ "$(warren_s run --rm "${id[2]}" sh -c 'echo $STEP')" = "two" ]
	run warren_s run --rm "${id[1]}" sh -c 'cat /two; test -e /one || echo no-one; test -e /a.txt || echo no-a'
	[ "$output" = "$(printf 'two\nno-one\nno-a')" ]
	warren_s tag "${id[3]}" early:1
	[ "$(warren_s run --rm early:1 cat /one)" = "one" ]
	[ "$(short_id early:1)" = "${id[3]}" ]
}

@test "build history: images hides the intermediate images, images -a lists them as <none>" {
	build -t hist:1
	mapfile -t id < <(ids hist:1)
	run warren_s images
	[ "${#lines[@]}" -eq 3 ]
	for k in 1 2 3; do [[ "$output" != *"${id[$k]}"* ]]; done
	run warren_s images -a
	[ "${#lines[@]}" -eq 6 ]
	for k in 1 2 3; do
		grep -q "^<none> *<none> *${id[$k]}" <<<"$output"
	done
}

@test "build history: a rebuild reuses the step images; rmi removes those no other image needs" {
	build -t hist:1
	mapfile -t id < <(ids hist:1)
	run build -t hist:1
	[ "$status" -eq 0 ]
	mapfile -t used < <(sed -n 's/^--> Using cache \(.\{12\}\).*/\1/p' <<<"$output")
	[ "${used[*]}" = "${id[3]} ${id[2]} ${id[1]} ${id[0]}" ]
	[ "$(warren_s images -a -q | wc -l)" -eq 5 ]
	# another image built on the first step
	df <<EOF2
FROM $BASE
RUN echo one > /one
RUN echo other > /other
EOF2
	build -t other:1
	mapfile -t oid < <(ids other:1)
	[ "${oid[1]}" = "${id[3]}" ]
	# an image others are built on cannot go by ID
	run warren_s rmi "${id[3]}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"built on it"* ]]
	run warren_s rmi hist:1
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted: sha256:${id[1]}"* ]]
	[[ "$output" == *"Deleted: sha256:${id[2]}"* ]]
	[[ "$output" != *"${id[3]}"* ]]
	# left: the base, other:1 and the step it shares
	[ "$(warren_s images -a -q | sort)" = "$(printf '%s\n' "${oid[0]}" "${id[3]}" "${id[4]}" | sort)" ]
	[ "$(warren_s run --rm other:1 cat /one /other)" = "$(printf 'one\nother')" ]
	warren_s rmi other:1
	[ "$(warren_s images -a -q)" = "${id[4]}" ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq "$(warren_s image inspect "$BASE" | jq '.[0].RootFS.Layers | length')" ]
}

@test "build history: image prune removes an untagged build and its step images, not a tagged one's" {
	build -t hist:1
	mapfile -t id < <(ids hist:1)
	file a.txt "changed"
	run build
	[ "$status" -eq 0 ]
	[ "$(warren_s images -a -q | wc -l)" -eq 6 ]
	run warren_s image prune -f
	[ "$status" -eq 0 ]
	[ "$(grep -c '^deleted: ' <<<"$output")" -eq 1 ]
	[ "$(warren_s images -a -q | sort)" = "$(printf '%s\n' "${id[@]:0:5}" | sort)" ]
	warren_s rmi hist:1
	run warren_s image prune -f
	[ "$(warren_s images -a -q)" = "${id[4]}" ]
}
