#!/bin/bash
# README's first command: installs the Debian packages warren builds with
# (as root; otherwise names them), builds and installs warren under
# build/install (the ID-map helpers setuid root when run as root), makes an
# image offline from Debian's busybox-static (a root filesystem imported with
# `warren import`), and runs a container from it as an unprivileged user (the
# invoking user, or "nobody" when run as root).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scripts/deps.sh
[ -f build/quick/build.ninja ] ||
	meson setup build/quick --prefix="$top/build/install" -Dbuildtype=release >/dev/null
ninja -C build/quick >/dev/null
meson install -C build/quick --quiet >/dev/null
warren=$top/build/install/bin/warren
echo "built: $warren"

rootfs=$top/build/quickstart-rootfs
[ -x "$rootfs/bin/sh" ] || tests/fixtures/mkrootfs-busybox.sh "$rootfs" >/dev/null
tarball=$top/build/quickstart-rootfs.tar
tar -C "$rootfs" --numeric-owner -cf "$tarball" .
chmod 0644 "$tarball"
script='set -e
"$1" import "$2" quickstart/busybox:latest >/dev/null
"$1" images quickstart/busybox
"$1" run --rm --network none quickstart/busybox sh -c "echo hello from container \$(hostname): \$(id)"'
if [ "$(id -u)" = 0 ]; then
	# a container as root proves little: run it as an ordinary user, with
	# a store of its own
	chmod 0755 "$top/build" "$top/build/install" 2>/dev/null || true
	store=$top/build/quickstart-store
	mkdir -p "$store"
	chown nobody: "$store"
	exec setpriv --reuid=nobody --regid=nogroup --clear-groups env -i HOME=/tmp \
		WARREN_ROOT="$store" PATH=/usr/bin:/bin sh -c "$script" sh "$warren" "$tarball"
fi
exec sh -c "$script" sh "$warren" "$tarball"
