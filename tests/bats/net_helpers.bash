# Network test helpers shared by net.bats and image_containers.bats: waiting
# for a listener, fetching a page, and the check that no warren-net is left
# (free_port is in helpers.bash).

# wait_for_listen PORT [tcp|udp]: until something listens on PORT
wait_for_listen() {
	local i flag=-ltn
	[ "${2:-tcp}" = udp ] && flag=-lun
	for ((i = 0; i < 100; i++)); do
		ss -H $flag "sport = :$1" | grep -q . && return 0
		sleep 0.05
	done
	echo "nothing listens on $1" >&2
	return 1
}

# http_get URL: the page, retrying while the server in the container starts
# (the host port listens from the start, so early connections are closed)
http_get() {
	local i out
	for ((i = 0; i < 50; i++)); do
		out=$(curl -sf --max-time 3 "$1") && { echo "$out"; return 0; }
		sleep 0.1
	done
	return 1
}

# no live warren-net or socket factory (warren-netns) of the test users (a
# killed one's zombie is init's to reap)
no_warren_net_left() {
	! ps -u "$TEST_USER,$NOSUB_USER" -o stat=,comm=,pid= |
		awk '$1 !~ /^Z/ && ($2 == "warren-net" || $2 == "warren-netns")' | grep .
}

# wait_no_warren_net_left: until no_warren_net_left holds (10 s), then once more
wait_no_warren_net_left() {
	local i
	for ((i = 0; i < 100; i++)); do
		no_warren_net_left && return 0
		sleep 0.1
	done
	no_warren_net_left
}

# host_http PORT [ADDR]: a page on the host, served until the test ends
host_http() {
	local d
	d=$(user_tmpdir)
	echo "hello from the host" > "$d/index.html"
	(cd "$d" && exec python3 -m http.server "$1" --bind "${2:-127.0.0.1}" >/dev/null 2>&1) &
	PIDS+=($!)
	wait_for_listen "$1"
}

# start_dnsmasq NAME,IP...: a DNS server on $WARREN_NET_DNS_IP (the host's
# loopback) answering for warren.test with those records, and $RESOLV, a
# resolv.conf naming it (for warren_resolv; with "search warren.test" when
# DNS_SEARCH=1)
start_dnsmasq() {
	local d i r records=()
	d=$(user_tmpdir)
	for r in "$@"; do records+=(--host-record="$r"); done
	dnsmasq --keep-in-foreground --listen-address="$WARREN_NET_DNS_IP" --bind-interfaces \
		--port=53 --no-resolv --no-hosts --local=/warren.test/ "${records[@]}" \
		--pid-file="$d/pid" &
	PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		ss -H -lun "sport = :53" | grep -qF "$WARREN_NET_DNS_IP" && break
		sleep 0.05
	done
	RESOLV=$d/resolv.conf
	printf 'nameserver %s\n' "$WARREN_NET_DNS_IP" > "$RESOLV"
	[ -z "${DNS_SEARCH:-}" ] || echo "search warren.test" >> "$RESOLV"
}

# warren_resolv FILE ARGS...: warren on a host whose /etc/resolv.conf is FILE
# (a private mount namespace made by root, as on a host with a stub resolver)
warren_resolv() {
	local file=$1
	shift
	unshare -m bash -c 'mount --bind "$1" /etc/resolv.conf && shift && . "$0" && warren "$@"' \
		"$BATS_TEST_DIRNAME/helpers.bash" "$file" "$@"
}

# sum32_install: /bin/sum32 in $ROOTFS, a server's handler that prints the
# sha256 of the first 32 MiB it reads
sum32_install() {
	printf '#!/bin/sh\nhead -c 33554432 | sha256sum | cut -d" " -f1\n' > "$ROOTFS/bin/sum32"
	chmod 0755 "$ROOTFS/bin/sum32"
	chown "$TEST_USER:$TEST_GID" "$ROOTFS/bin/sum32"
}

# send32 PORT TRIES PAUSE: 32 random MiB to 127.0.0.1:PORT, again every
# PAUSE seconds (TRIES times at most) until a server answers; prints the
# hash of what was sent, then the server's answer
send32() {
	python3 - "$@" <<'PY'
import hashlib, os, socket, sys, time
data = os.urandom(32 << 20)
print(hashlib.sha256(data).hexdigest())
for _ in range(int(sys.argv[2])):  # until the server in the container listens
    try:
        c = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        got = c.makefile().read().strip()
        if got:
            print(got)
            break
    except OSError:
        pass
    time.sleep(float(sys.argv[3]))
PY
}
