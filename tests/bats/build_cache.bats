#!/usr/bin/env bats
# The build cache (store/build-cache/) as Docker's `builder prune`, `system
# prune` and `system df` treat theirs: entries no image uses go (-a: all of
# them), df counts them; and a gc (image prune) running while builds store
# layers never takes a layer a build is about to record.

load helpers
load images_helpers
load build_helpers

bats_require_minimum_version 1.5.0

setup() {
	build_setup
	file a.txt "a"
	df <<EOF2
FROM $BASE
COPY a.txt /a.txt
RUN echo run > /run
ENV STEP=three
EOF2
}
teardown() {
	[ -z "${GC_PID:-}" ] || kill "$GC_PID" 2>/dev/null || true
	common_teardown
}

# entries: how many build cache entries the store holds
entries() { find "$STORE/build-cache" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l; }

# df_cache: the TOTAL column of system df's "Build Cache" line
df_cache() { warren_s system df | awk '$1 == "Build" && $2 == "Cache" {print $3}'; }

@test "builder prune: Docker's prompt; no removes nothing; entries an image uses stay; -a removes all" {
	build -t c:1 >/dev/null
	[ "$(entries)" -eq 3 ]
	[ "$(df_cache)" -eq 3 ]
	# Docker's question, and a no keeps everything (exit 0)
	run warren_stdin n --root "$STORE" builder prune
	[ "$status" -eq 0 ]
	[[ "$output" == "WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N]"* ]]
	[ "$(entries)" -eq 3 ]
	run warren_stdin n --root "$STORE" builder prune -a
	[[ "$output" == "WARNING! This will remove all build cache. Are you sure you want to continue? [y/N]"* ]]
	[ "$(entries)" -eq 3 ]
	# c:1 (and its step images) use every entry
	run warren_s builder prune -f
	[ "$status" -eq 0 ]
	[ "$output" = "Total reclaimed space: 0B" ]
	[ "$(entries)" -eq 3 ]
	# -a: all of it; the image still runs, the next build runs every step
	run warren_s builder prune -a -f
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted build cache objects:" ]
	[ "$(echo "$output" | grep -cE '^[0-9a-f]{64}$')" -eq 3 ]
	[[ "${lines[-1]}" == "Total reclaimed space: "* ]]
	[ "$(entries)" -eq 0 ]
	[ "$(df_cache)" -eq 0 ]
	# a.txt has no newline
	[ "$(warren_s run --rm c:1 cat /a.txt /run)" = arun ]
	run build -t c:1
	[ "$status" -eq 0 ]
	! grep -q 'Using cache' <<<"$output"
	[ "$(entries)" -eq 3 ]
}

@test "builder prune removes the entries whose image was removed, and their layers" {
	build -t c:1 >/dev/null
	printf 'FROM %s\nENV KEEP=1\n' "$BASE" > "$CTX/Dockerfile.keep"
	build -t keep:1 -f "$CTX/Dockerfile.keep" >/dev/null
	[ "$(entries)" -eq 4 ]
	warren_s rmi c:1 >/dev/null
	run warren_s builder prune -f
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(echo "$output" | grep -cE '^[0-9a-f]{64}$')" -eq 3 ]
	# keep:1's ENV step stays: its base is keep:1's
	[ "$(entries)" -eq 1 ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq "$(warren_s image inspect "$BASE" | jq '.[0].RootFS.Layers | length')" ]
	run build -t keep:1 -f "$CTX/Dockerfile.keep"
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 1 ]
}

@test "system prune removes the build cache no image uses (-a: all), and counts it" {
	build -t c:1 >/dev/null
	run warren_s system prune -f
	[ "$status" -eq 0 ]
	[ "$(entries)" -eq 3 ]
	warren_s rmi c:1 >/dev/null
	run warren_s system prune -f
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *"Deleted build cache objects:"* ]]
	[ "$(entries)" -eq 0 ]
	build -t c:1 >/dev/null
	run warren_s system prune -a -f
	[ "$status" -eq 0 ]
	[ "$(entries)" -eq 0 ]
}

# issue 26: a gc (here image prune's, in a loop) running during a build
# must not remove a layer the build stored but no image references yet
@test "a build and a gc in parallel, 20 rounds: every build's image runs" {
	warren_s pull -q "$BASE" >/dev/null
	df <<EOF2
FROM $BASE
COPY a.txt /a.txt
RUN cat /a.txt > /b.txt
EOF2
	touch "$CTX/.go"
	(
		while [ -e "$CTX/.go" ]; do
			warren_s image prune -f >/dev/null 2>&1 || true
		done
	) &
	GC_PID=$!
	for i in $(seq 20); do
		file a.txt "round $i"
		run build -t race:$i
		[ "$status" -eq 0 ] || { echo "round $i: $output"; false; }
		run warren_s run --rm --network none race:$i cat /a.txt /b.txt
		[ "$status" -eq 0 ] || { echo "round $i: $output"; false; }
		[ "$output" = "round ${i}round $i" ]
	done
	rm -f "$CTX/.go"
	wait "$GC_PID"
	GC_PID=
}
