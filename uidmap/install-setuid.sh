#!/bin/sh
# Run by `meson install`: the ID-map helpers are installed setuid root
# (install_mode) when the installer is root. Otherwise they would be setuid
# to the installing user, which is useless: clear the bit and say what an
# administrator has to run.
set -eu
bindir="$1"
dir="${MESON_INSTALL_DESTDIR_PREFIX:-}"
case "$bindir" in
/*) dir="${DESTDIR:-}$bindir" ;;
*) dir="$dir/$bindir" ;;
esac
[ "$(id -u)" = 0 ] && exit 0
for h in warren-newuidmap warren-newgidmap; do
	chmod u-s "$dir/$h"
	echo "note: $dir/$h is not setuid root; as root run: chown root:root $dir/$h && chmod 4755 $dir/$h" >&2
done
