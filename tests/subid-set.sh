#!/bin/bash
# subid-set.sh USER [START COUNT]: as root, make USER's subordinate IDs in
# /etc/subuid and /etc/subgid exactly START:COUNT (none without them). The
# one way the suite edits those files (tests/setup.sh, tests/bats/idmap.bats):
# under flock /run/lock/warren-test-subuid (the lock uidmap.bats takes; never
# /etc/subuid.lock, which is shadow's: useradd refuses to run while it
# exists), each file written whole to a temporary file beside it and renamed
# over it, so that another checkout's lanes editing their own users at the
# same time lose nothing and no reader sees half a file.
set -euo pipefail
[ $# -eq 1 ] || [ $# -eq 3 ] || { echo "usage: $0 USER [START COUNT]" >&2; exit 2; }
user=$1
line=${2:+$user:$2:$3}

exec 9>>/run/lock/warren-test-subuid
flock 9
# an empty /etc/subuid.lock is what older versions of this script left
# (shadow's own lock holds its PID): it would stop useradd
[ -s /etc/subuid.lock ] || rm -f /etc/subuid.lock
for f in /etc/subuid /etc/subgid; do
	touch "$f"
	# already right: left alone (lanes of other checkouts may be reading it)
	[ "$(grep -E "^$user:" "$f" || true)" = "$line" ] && continue
	tmp=$(mktemp "$f.XXXXXX")
	{ grep -vE "^$user:" "$f" || true; [ -z "$line" ] || echo "$line"; } > "$tmp"
	chmod 0644 "$tmp"
	sync "$tmp"
	mv -f "$tmp" "$f"
done
