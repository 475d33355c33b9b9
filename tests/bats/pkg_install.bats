#!/usr/bin/env bats
# Package managers as a user without subordinate IDs (single-ID mode, the
# fake-chown filter and the per-process fake IDs of src/runtime/fakeid.c),
# each compared with the same steps as the user with ranges: dpkg -i of a
# package whose files belong to another user and whose postinst chowns and
# adds a system user; apt-get install from Debian's archive with apt's _apt
# sandbox as configured (no APT::Sandbox::User); the IDs a process sets.
# The image is tests/setup.d/35-debian.sh's debootstrap of bookworm.

bats_require_minimum_version 1.5.0

load helpers
load images_helpers

IMG=$REG/warren/debian:bookworm

# one store per user for the file, the image pulled once into each
setup_file() {
	curl -sf -o /dev/null "http://$REG/v2/warren/debian/manifests/bookworm" \
		-H 'Accept: application/vnd.oci.image.manifest.v1+json' || return 0
	export STORES=$WARREN_BATS_TMP/pkg-stores
	rm -rf "$STORES"
	mkdir -p -m 0755 "$STORES"
	for u in "$TEST_USER" "$NOSUB_USER"; do
		mkdir -m 0755 "$STORES/$u"
		chown "$u" "$STORES/$u"
		run_as "$u" "$WARREN" --root "$STORES/$u/store" pull -q "$IMG" >/dev/null 2>&1
	done
}

teardown_file() { rm -rf "${STORES:-/nonexistent}"; }

setup() {
	[ -n "${STORES:-}" ] ||
		skip "no Debian image (tests/setup.d/35-debian.sh could not reach the archive)"
	D=$(user_tmpdir)
}

teardown() { common_teardown; }

# both USER CMD...: warren CMD... as USER with its store of this file
both() {
	local u=$1
	shift
	run_as "$u" "$WARREN" --root "$STORES/$u/store" "$@"
}

# mkdeb DIR: DIR/probe.deb, files owned by 1234:1234 and a postinst that
# adds a system user and chowns its directory to it
mkdeb() {
	local p=$1/pkg
	mkdir -p "$p/DEBIAN" "$p/usr/share/warren-probe" "$p/var/lib/warren-probe"
	cat > "$p/DEBIAN/control" <<-EOF
		Package: warren-probe
		Version: 1.0
		Architecture: all
		Maintainer: warren tests <tests@warren.invalid>
		Description: files of another user, a system user made by postinst
	EOF
	cat > "$p/DEBIAN/postinst" <<-'EOF'
		#!/bin/sh
		set -e
		useradd --system --home-dir /var/lib/warren-probe --shell /usr/sbin/nologin warrenprobe
		chown warrenprobe:warrenprobe /var/lib/warren-probe
		chmod 0750 /var/lib/warren-probe
	EOF
	chmod 0755 "$p/DEBIAN/postinst"
	echo data > "$p/usr/share/warren-probe/owned"
	chown -R 1234:1234 "$p/usr/share/warren-probe"
	dpkg-deb --build "$p" "$1/probe.deb" >/dev/null
	chmod -R a+rX "$1"
	# the package carries the other owner (dpkg-deb keeps the files' own)
	dpkg-deb -c "$1/probe.deb" | grep -q '1234/1234 .*/owned$'
}

@test "dpkg -i of a package with another user's files and a chowning, useradding postinst: single-ID as with ranges" {
	declare -A out
	mkdeb "$D"
	cmd='dpkg -i /pkg/probe.deb >/dev/null && dpkg-query -W -f "\${Status}\n" warren-probe &&
		getent passwd warrenprobe | cut -d: -f1,6 && cat /usr/share/warren-probe/owned &&
		stat -c "%a %n" /var/lib/warren-probe && stat -c "%u:%g %U" /usr/share/warren-probe/owned /var/lib/warren-probe'
	for u in "$TEST_USER" "$NOSUB_USER"; do
		run -0 --separate-stderr both "$u" run --rm -v "$D:/pkg:ro" "$IMG" sh -c "$cmd"
		out[$u]=$output
	done
	# the same package state, the same system user, file and mode
	[ "$(head -4 <<< "${out[$TEST_USER]}")" = "$(head -4 <<< "${out[$NOSUB_USER]}")" ]
	[ "$(head -4 <<< "${out[$NOSUB_USER]}")" = "$(printf 'install ok installed\nwarrenprobe:/var/lib/warren-probe\ndata\n750 /var/lib/warren-probe')" ]
	# owners: real with ranges; with one ID mapped, chown had no effect
	[[ "$(tail -2 <<< "${out[$TEST_USER]}")" == "1234:1234 UNKNOWN"$'\n'*" warrenprobe" ]]
	[ "$(tail -2 <<< "${out[$NOSUB_USER]}")" = "$(printf '0:0 root\n0:0 root')" ]
}

@test "apt-get install -y from Debian's archive as the user without ranges, in apt's _apt sandbox: as with ranges" {
	declare -A out
	cmd='apt-config dump | grep -i "^APT::Sandbox::User"; apt-get update -q 2>&1 | grep -i sandbox;
		apt-get install -y -q hello 2>&1 | grep -iE "^(E|W):|sandbox"; hello; dpkg-query -W -f "\${Status}\n" hello'
	for u in "$TEST_USER" "$NOSUB_USER"; do
		run -0 --separate-stderr both "$u" run --rm "$IMG" sh -c "$cmd"
		out[$u]=$output
	done
	# apt's own default (no option set by warren), no "unsandboxed" warning, no error
	[ "${out[$NOSUB_USER]}" = "$(printf 'APT::Sandbox::User "_apt";\nHello, world!\ninstall ok installed')" ]
	[ "${out[$NOSUB_USER]}" = "${out[$TEST_USER]}" ]
}

@test "the IDs a process sets and reads back, and the ones it may not regain: single-ID as with ranges, in run and in exec" {
	declare -A out
	cmd='setpriv --regid=65534 --clear-groups --reuid=42 id
		setpriv --regid=65534 --groups=5,7 --reuid=42 id
		setpriv --reuid=42 sh -c "id -u; id -G"
		perl -e "\$( = 7; \$) = \"7 7\"; \$< = \$> = 42; printf qq(%s %s %s %s\n), \$<, \$>, \$(, \$); \$> = 0; print qq(\$>\n)"
		id'
	for u in "$TEST_USER" "$NOSUB_USER"; do
		run -0 --separate-stderr both "$u" run --rm --network none "$IMG" sh -c "$cmd"
		out[$u]=$output
		both "$u" run -d --name ids --network none "$IMG" sleep 60
		run -0 --separate-stderr both "$u" exec ids sh -c "$cmd"
		[ "$output" = "${out[$u]}" ]
		both "$u" rm -f ids
	done
	[ "${out[$NOSUB_USER]}" = "${out[$TEST_USER]}" ]
	[[ "${out[$NOSUB_USER]}" == "uid=42(_apt) gid=65534(nogroup) groups=65534(nogroup)"$'\n'* ]]
	# no supervisor outlives its container (no daemon left on a login node)
	for ((i = 0; i < 200; i++)); do
		[ -z "$(ps -u "$NOSUB_USER" -o stat=,comm= | awk '$1 !~ /^Z/ && $2 == "warren-fakeid"')" ] && break
		sleep 0.05
	done
	[ "$i" -lt 200 ]
	# perl's $> = 0 back from 42 is refused: still 42
	[[ "${out[$NOSUB_USER]}" == *$'\n'"42 42 7 7 7 7"$'\n'"42"$'\n'*"uid=0(root)"* ]]
}

@test "--security-opt fake-chown=false: a change of ID fails in single-ID mode, as the kernel says" {
	run -0 --separate-stderr both "$NOSUB_USER" run --rm --network none --security-opt fake-chown=false \
		"$IMG" sh -c 'setpriv --reuid=42 id 2>&1; echo "exit $?"'
	# uid 42 is not mapped: EINVAL (setresuid(2))
	[ "$output" = "$(printf 'setpriv: setresuid failed: Invalid argument\nexit 127')" ]
}
