#!/bin/bash
# README's first command: installs the Debian packages warren builds with
# (as root; otherwise names them), builds and installs warren under
# build/install (the ID-map helpers setuid root when run as root), assembles
# a small root filesystem offline from Debian's busybox-static, and runs a
# container from it as an unprivileged user (the invoking user, or "nobody"
# when run as root).
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
cmd=(run --rm --rootfs "$rootfs" sh -c 'echo "hello from container $(hostname): $(id)"')
if [ "$(id -u)" = 0 ]; then
	# a container as root proves little: run it as an ordinary user
	chmod 0755 "$top/build" "$top/build/install" 2>/dev/null || true
	chown -R nobody: "$rootfs"
	exec setpriv --reuid=nobody --regid=nogroup --clear-groups env -i HOME=/tmp \
		PATH=/usr/bin:/bin "$warren" "${cmd[@]}"
fi
exec "$warren" "${cmd[@]}"
