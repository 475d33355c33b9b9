#!/usr/bin/env bats
# A store damaged behind warren's back: what a pull killed with kill -9
# leaves in tmp/, and a store partly deleted by hand. `system df` counts it,
# `system check` reports it (exit 1), `system check --repair` or the next
# pull removes it, and a pull restores what was lost. And a store whose
# filesystem a container filled: its exit is recorded, rm and prune work.

load helpers
load images_helpers

setup() { fresh_store; }
teardown() {
	common_teardown
	[ -f "$BATS_TEST_TMPDIR/mnt" ] && umount "$(cat "$BATS_TEST_TMPDIR/mnt")" 2>/dev/null || true
}

# full_store: $STORE on a 32 MB tmpfs of its own, holding $REG/warren/layers
full_store() {
	local full
	full=$(user_tmpdir)/full
	mkdir "$full"
	echo "$full" > "$BATS_TEST_TMPDIR/mnt"
	mount -t tmpfs -o size=32m tmpfs "$full"
	chown "$TEST_USER:$(id -g "$TEST_USER")" "$full"
	STORE=$full/store
	warren_s pull -q "$REG/warren/layers" > /dev/null
}

# avail: kB free on the store's filesystem
avail() { df --output=avail "$STORE" | tail -1 | tr -d ' '; }

# staging_row: the Staging row of `system df`, as "COUNT SIZE"
staging_row() {
	warren_s system df | awk '$1 == "Staging" {print $2, $3}'
}

# stalled_pull: a pull in the background that has staged half a layer and
# stays there (the faulty registry's "stall" sends no more)
stalled_pull() {
	local before i
	before=$(find "$STORE/tmp" -mindepth 2 -name 'blob-*' -size +0 2>/dev/null | wc -l)
	warren_s pull "$FAULTY_REG/warren/stall" > /dev/null 2>&1 &
	for ((i = 0; i < 600; i++)); do
		[ "$(find "$STORE/tmp" -mindepth 2 -name 'blob-*' -size +0 2>/dev/null | wc -l)" -gt "$before" ] && return 0
		sleep 0.05
	done
	return 1
}

# dead_staging N: wait until `system df` counts N dead staging directories
# (a killed pull's processes may take a moment to go and release its flock)
dead_staging() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(staging_row | cut -d' ' -f1)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

@test "a pull killed with kill -9: df counts its staging, check reports it, the next pull removes it" {
	# one pull that stays in progress, and one killed with kill -9
	stalled_pull
	live=$(ls "$STORE/tmp")
	local first
	first=$(pgrep -u "$TEST_USER" | sort)
	stalled_pull
	kill -KILL $(pgrep -u "$TEST_USER" | sort | comm -13 <(echo "$first") -)
	dead=$(ls "$STORE/tmp" | grep -vx "$live")
	[ "$(echo "$dead" | wc -l)" -eq 1 ]
	dead_staging 1
	run staging_row
	[[ "$output" =~ ^1\ [0-9.]+[kM]B$ ]]
	run warren_s system check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"staging tmp/$dead was left by a killed command"* ]]
	[[ "$output" != *"tmp/$live"* ]]
	# the next pull, of anything, takes the dead one and leaves the live one
	warren_s pull -q "$REG/warren/shared" > /dev/null
	[ "$(ls "$STORE/tmp")" = "$live" ]
	[ "$(staging_row)" = "0 0B" ]
	pkill -KILL -u "$TEST_USER" || true
	wait || true
	dead_staging 1
	warren_s pull -q "$REG/warren/big" > /dev/null
	[ -z "$(ls "$STORE/tmp")" ]
	run warren_s system check
	[ "$status" -eq 0 ]
	run warren_s run "$REG/warren/big" sh -c 'ls /big | wc -l'
	[ "$output" = "32" ]
}

@test "system check --repair removes the staging of a killed pull" {
	stalled_pull
	pkill -KILL -u "$TEST_USER" || true
	wait || true
	dead_staging 1
	run warren_s system check --repair
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"staging tmp/"*"(removed)"* ]]
	[ -z "$(ls "$STORE/tmp")" ]
	run warren_s system check
	[ "$status" -eq 0 ]
}

@test "a store partly deleted by hand: check reports it, --repair removes it, a pull restores it" {
	warren_s pull -q "$REG/warren/layers" > /dev/null
	local rec blob chain
	rec=$(ls "$STORE"/images/*.json)
	# the first layer's blob, and the second layer's size and part of its files
	blob=$(jq -r '.layers[0].digest' "$rec")
	blob1=$(jq -r '.layers[1].digest' "$rec")
	chain=$(jq -r '.layers[1].chain_id' "$rec")
	rm "$STORE/blobs/sha256/${blob#sha256:}"
	rm "$STORE/layers/${chain#sha256:}/size"
	rm -rf "$STORE/layers/${chain#sha256:}/diff/"*
	run warren_s system check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"has no blob $blob"* ]]
	[[ "$output" == *"layer $chain is incomplete: no size"* ]]
	[[ "$output" != *"no damage"* ]]
	run warren_s system check --repair
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"repaired"*"pull the images named above again"* ]]
	run warren_s system check
	[ "$status" -eq 0 ]
	run warren_s pull "$REG/warren/layers"
	echo "$output"
	[ "$status" -eq 0 ]
	# both damaged layers are fetched and unpacked again, not "already exists"
	[[ "$output" != *"$blob already exists"* ]]
	[[ "$output" != *"$blob1 already exists"* ]]
	[[ "$output" == *"Extracting $blob"* ]]
	[[ "$output" == *"Extracting $blob1"* ]]
	run warren_s system check
	[ "$status" -eq 0 ]
	[ -f "$STORE/blobs/sha256/${blob#sha256:}" ]
	run warren_s run "$REG/warren/layers" cat /data/replaced
	[ "$output" = "v2" ]
	# a repository of its own, so the registry asks for every blob
	run warren_s push "$REG/warren/layers" "$REG/damage-$$-$RANDOM/layers:1"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "a container that fills the store: its exit is recorded, rm -f and check work" {
	full_store
	run warren_s run --name filler "$REG/warren/layers" sh -c 'dd if=/dev/zero of=/fill bs=64k; exit 3'
	echo "$output"
	# Docker's run exits with the container's code; inspect and ps agree
	[ "$status" -eq 3 ]
	[[ "$output" == *"No space left on device"* ]]
	[ "$(warren_s inspect --format '{{.State.Status}} {{.State.ExitCode}}' filler)" = "exited 3" ]
	run warren_s ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" == "filler Exited (3) "* ]]
	run warren_s system check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no space left"* ]]
	run warren_s rm -f filler
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(warren_s ps -aq)" ]
	[ "$(avail)" -gt 1024 ]
	run warren_s system check
	echo "$output"
	[ "$status" -eq 0 ]
	run warren_s run --rm "$REG/warren/layers" cat /data/replaced
	[ "$output" = "v2" ]
}

@test "a detached container that fills the store: container prune and system prune free it" {
	full_store
	warren_s run -d --name filler "$REG/warren/layers" sh -c 'dd if=/dev/zero of=/fill bs=64k; exit 3'
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(warren_s inspect --format '{{.State.Status}}' filler)" = exited ] && break
		sleep 0.1
	done
	[ "$(warren_s inspect --format '{{.State.Status}} {{.State.ExitCode}}' filler)" = "exited 3" ]
	run warren_s container prune -f
	[ "$status" -eq 0 ]
	[ -z "$(warren_s ps -aq)" ]
	run warren_s system prune -a -f
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(warren_s images -q)" ]
	run warren_s system check
	[ "$status" -eq 0 ]
	[ "$(avail)" -gt 30000 ]
}

@test "a full store whose reserve is gone too: inspect says why the exit is unknown, rm -f works" {
	full_store
	# it fills the store again whenever room appears
	warren_s run -d --name filler "$REG/warren/layers" \
		sh -c 'while :; do cat /dev/zero >> /fill; sleep 0.05; done 2>/dev/null'
	local i
	rm -f "$STORE/reserve"
	for ((i = 0; i < 300; i++)); do
		[ "$(avail)" -lt 64 ] && break
		sleep 0.1
	done
	[ "$(avail)" -lt 64 ]
	warren_s kill filler
	for ((i = 0; i < 300; i++)); do
		[ "$(warren_s inspect --format '{{.State.Status}}' filler)" = exited ] && break
		sleep 0.1
	done
	[ "$(warren_s inspect --format '{{.State.Status}} {{.State.ExitCode}}' filler)" = "exited 255" ]
	run warren_s inspect --format '{{.State.Error}}' filler
	echo "$output"
	[[ "$output" == *"could not record it"*"No space left on device"* ]]
	run warren_s rm -f filler
	[ "$status" -eq 0 ]
	[ -z "$(warren_s ps -aq)" ]
	run warren_s system check
	[ "$status" -eq 0 ]
}

@test "a pull fetches again the deleted blob of a layer it has, and push works" {
	warren_s pull -q "$REG/warren/layers" > /dev/null
	local blob
	blob=$(jq -r '.layers[0].digest' "$(ls "$STORE"/images/*.json)")
	rm "$STORE/blobs/sha256/${blob#sha256:}"
	run warren_s pull -q "$REG/warren/layers"
	[ "$status" -eq 0 ]
	[ -f "$STORE/blobs/sha256/${blob#sha256:}" ]
	run warren_s system check
	[ "$status" -eq 0 ]
	run warren_s push "$REG/warren/layers" "$REG/damage-$$-$RANDOM/layers:1"
	echo "$output"
	[ "$status" -eq 0 ]
}
