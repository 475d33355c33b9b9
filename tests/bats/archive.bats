#!/usr/bin/env bats
# save, load and import within warren: round trips in both archive formats,
# a rootfs tarball as an image, and archives that must be refused.

load helpers
load images_helpers

setup() {
	fresh_store
	ARCH_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$ARCH_DIR"
}
teardown() { common_teardown; }

@test "save then load into an empty store gives the same images (docker-archive and oci-archive)" {
	warren_s pull -q "$REG/warren/layers"
	warren_s pull -q "$REG/warren/shared"
	local before
	before=$(warren_s images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort)
	for fmt in docker-archive oci-archive; do
		warren_s save --format "$fmt" -o "$ARCH_DIR/$fmt.tar" "$REG/warren/layers" "$REG/warren/shared"
		STORE=$ARCH_DIR/store-$fmt
		run warren_s load -i "$ARCH_DIR/$fmt.tar"
		[ "$status" -eq 0 ]
		[ "${#lines[@]}" -eq 2 ]
		[ "$(warren_s images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' | sort)" = "$before" ]
		run warren_s run "$REG/warren/layers" cat /data/replaced
		[ "$output" = "v2" ]
		# the shared base layer is stored once
		[ "$(ls "$STORE/layers" | wc -l)" -eq 5 ]
		run warren_s system check
		[ "$status" -eq 0 ]
	done
}

@test "save writes to stdout, load reads stdin" {
	warren_s pull -q "$REG/warren/shared"
	as_user sh -c "'$WARREN' --root '$STORE' save '$REG/warren/shared' > '$ARCH_DIR/s.tar'"
	STORE=$ARCH_DIR/store2
	run as_user sh -c "'$WARREN' --root '$STORE' load < '$ARCH_DIR/s.tar'"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: $REG/warren/shared:latest" ]
}

@test "save refuses to write to a terminal" {
	warren_s pull -q "$REG/warren/shared"
	tmux_start "$WARREN --root $STORE save $REG/warren/shared; echo SAVED-\$?"
	tmux_wait_for "SAVED-1"
	run tmux_screen
	[[ "$output" == *"refusing to write an archive to a terminal"* ]]
}

@test "import makes a one-layer image from a rootfs tarball, with --change and -m" {
	tar -C "$ROOTFS_PRISTINE" -czf "$ARCH_DIR/rootfs.tgz" .
	chown "$TEST_USER" "$ARCH_DIR/rootfs.tgz"
	run warren_s import -c 'CMD ["cat", "/etc/os-release"]' -c "ENV GREETING=hello" \
		-c "WORKDIR /tmp" -m "from the test" "$ARCH_DIR/rootfs.tgz" imported:1
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	run warren_s run imported:1
	[ "${lines[0]}" = 'NAME="warren test rootfs"' ]
	run warren_s run imported:1 sh -c 'echo "$GREETING $(pwd)"; stat -c %u:%a /root'
	[ "$output" = "hello /tmp
0:700" ]
	run warren_s history imported:1
	[[ "$output" == *"warren import"*"from the test"* ]]
}

@test "import of something that is not a tarball fails and stores nothing" {
	echo "not a tar" > "$ARCH_DIR/junk"
	chown "$TEST_USER" "$ARCH_DIR/junk"
	run warren_s import "$ARCH_DIR/junk" junk:1
	[ "$status" -eq 1 ]
	[[ "$output" == "warren: "* ]]
	[ -z "$(ls "$STORE/images")" ] && [ -z "$(ls "$STORE/blobs/sha256")" ]
}

@test "load refuses an archive that is neither format, and one with a damaged blob" {
	warren_s pull -q "$REG/warren/shared"
	local before
	before=$(store_listing)
	tar -C "$ROOTFS_PRISTINE" -cf "$ARCH_DIR/plain.tar" etc
	run warren_s load -i "$ARCH_DIR/plain.tar"
	[ "$status" -eq 1 ]
	[[ "$output" == "warren: the archive is neither a docker-archive"* ]]
	warren_s save --format oci-archive -o "$ARCH_DIR/o.tar" "$REG/warren/shared"
	mkdir "$ARCH_DIR/o"
	tar -C "$ARCH_DIR/o" -xf "$ARCH_DIR/o.tar"
	# damage the layer that is not the shared base: flip its last byte
	local big
	big=$(ls -S "$ARCH_DIR/o/blobs/sha256" | tail -1)
	printf 'X' | dd of="$ARCH_DIR/o/blobs/sha256/$big" bs=1 seek=0 conv=notrunc 2>/dev/null
	tar -C "$ARCH_DIR/o" -cf "$ARCH_DIR/bad.tar" .
	run warren_s rmi "$REG/warren/shared"
	before=$(store_listing)
	run warren_s load -i "$ARCH_DIR/bad.tar"
	[ "$status" -eq 1 ]
	[[ "$output" == *"hashes to"* ]]
	[ "$(store_listing)" = "$before" ]
}
