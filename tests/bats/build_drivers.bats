#!/usr/bin/env bats
# warren build on each storage driver (overlay, fuse-overlay, vfs): RUN
# steps run on the driver as warren run does, COPY writes the step's layer,
# and the image comes out the same: owners, modes, whiteouts of files a RUN
# removed from a lower layer, a multi-stage COPY --from, ADD of an archive,
# cache hits; its layers run on every other driver.

load helpers
load images_helpers
load build_helpers

bats_require_minimum_version 1.5.0

setup() { build_setup; }
teardown() { common_teardown; }

# the entries of the layer tars of IMAGE, as `warren save` writes them
layer_entries() {
	local d
	d=$(user_tmpdir)
	chown "$TEST_USER" "$d"
	warren_s save -o "$d/s.tar" "$1"
	mkdir "$d/x"
	tar -xf "$d/s.tar" -C "$d/x"
	find "$d/x" -type f -exec sh -c 'tar -tf "$1" 2> /dev/null' _ {} \;
}

# build_on DRIVER: the same Dockerfile, built and checked on DRIVER
build_on() {
	export WARREN_STORAGE_DRIVER=$1
	file app/run.sh "#!/bin/sh"
	file app/data/d.txt "d"
	file one.txt "1"
	file tree/sub/t.txt "t"
	chmod 0640 "$CTX/tree/sub/t.txt"
	tar --owner=1000 --group=1000 -C "$CTX/tree" -czf "$CTX/t.tar.gz" .
	rm -rf "$CTX/tree"
	df <<EOF
FROM $BASE AS builder
RUN mkdir /out && echo artifact > /out/app && echo gone > /out/tmp
RUN rm /out/tmp && echo more >> /out/app
FROM $BASE
WORKDIR /srv
COPY --chown=1000:1000 app ./app
COPY --from=builder /out/ /from/
RUN rm /etc/group && echo ran > /ran && chown 1000:1000 /ran
COPY --chown=tester --chmod=0600 one.txt one.txt
ADD t.tar.gz /opt/x/
EOF
	run --separate-stderr build -t drv:1
	echo "$output"
	[ "$status" -eq 0 ]
	id=${lines[-1]}
	expected=$(printf '%s\n' 'srv/app 1000:1000 755' 'srv/app/run.sh 1000:1000 644' \
		'srv/app/data/d.txt 1000:1000 644' 'srv/one.txt 1000:1000 600' 'from/app 0:0 644' \
		'ran 1000:1000 644' 'opt/x/sub/t.txt 1000:1000 640' no-group no-tmp artifact more)
	check='cd / && for f in srv/app srv/app/run.sh srv/app/data/d.txt srv/one.txt from/app ran opt/x/sub/t.txt; do stat -c "%n %u:%g %a" $f; done; test -e /etc/group || echo no-group; test -e /from/tmp || echo no-tmp; cat /from/app'
	run --separate-stderr warren_s run --rm drv:1 sh -c "$check"
	echo "$output"
	[ "$output" = "$expected" ]
	# the removed file is a whiteout in the image's layer
	layer_entries drv:1 | grep -qx 'etc/.wh.group'
	# the layers run on the other drivers too
	for WARREN_STORAGE_DRIVER in overlay fuse-overlay vfs; do
		run --separate-stderr warren_s run --rm drv:1 sh -c "$check"
		echo "$WARREN_STORAGE_DRIVER: $output"
		[ "$output" = "$expected" ]
	done
	WARREN_STORAGE_DRIVER=$1
	# a rebuild: every step from the cache, the same image
	run --separate-stderr build -t drv:1
	[ "$status" -eq 0 ]
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 8 ]
	[ "${lines[-1]}" = "$id" ]
}

@test "build on the overlay driver: owners, whiteouts, multi-stage, cache" {
	build_on overlay
}

@test "build on the fuse-overlay driver: owners, whiteouts, multi-stage, cache" {
	build_on fuse-overlay
}

@test "build on the vfs driver: owners, whiteouts, multi-stage, cache" {
	build_on vfs
}
