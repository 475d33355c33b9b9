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
