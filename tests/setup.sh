#!/bin/bash
# Prepares this machine for the suite (as root, idempotent): the unprivileged
# test users, /dev/fuse and /dev/net/tun as a distribution ships them, and
# the pristine busybox root filesystem.
#   warren-test   subordinate IDs 200000:65536 in /etc/subuid and /etc/subgid
#   warren-nosub  no subordinate IDs at all (single-ID mode)
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "tests/setup.sh must run as root" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)

ensure_user() {
	id "$1" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$1"
}
ensure_user warren-test
ensure_user warren-nosub
for f in /etc/subuid /etc/subgid; do
	touch "$f"
	sed -i '/^warren-test:/d; /^warren-nosub:/d' "$f"
	echo "warren-test:200000:65536" >> "$f"
done

for dev in /dev/fuse /dev/net/tun; do
	[ -e "$dev" ] && chmod 0666 "$dev"
done

if [ -e /proc/sys/kernel/unprivileged_userns_clone ] &&
	[ "$(cat /proc/sys/kernel/unprivileged_userns_clone)" = 0 ]; then
	sysctl -qw kernel.unprivileged_userns_clone=1
fi
if [ "$(cat /proc/sys/user/max_user_namespaces)" = 0 ]; then
	sysctl -qw user.max_user_namespaces=15000
fi

mkdir -p /opt/warren-test
"$here/fixtures/mkrootfs-busybox.sh" /opt/warren-test/rootfs
chmod 0755 /opt/warren-test
mkdir -p /tmp/warren-bats
chmod 0755 /tmp/warren-bats
