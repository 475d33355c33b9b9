#!/usr/bin/env bats
# The run/create flags of issue 18 that a Docker user types: --cidfile,
# --sysctl, --shm-size, --group-add, --platform, --pull, the --health-*
# family with `healthcheck run`, -a/--attach and --sig-proxy. Side by side
# with rootless podman where it runs here; bad input is one line, exit 125,
# and nothing created.

bats_require_minimum_version 1.5.0

load helpers
load images_helpers
load lifecycle_helpers

BASE=$REG/warren/shared

setup() {
	lc_setup
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
}

teardown() { lc_teardown; }

# both: pull $BASE into warren's store and podman's
both_pull() {
	warren pull -q "$BASE" > /dev/null
	podman_u pull -q --tls-verify=false "$BASE" > /dev/null
}

# both_import: the busybox rootfs as local/only:1 in both stores (no registry has it)
both_import() {
	local d
	d=$(user_tmpdir)
	tar -C "$ROOTFS_PRISTINE" -cf "$d/r.tar" .
	chmod 0644 "$d/r.tar"
	warren import "$d/r.tar" local/only:1 > /dev/null
	podman_u import -q "$d/r.tar" local/only:1 > /dev/null
}

# nothing_created: no container, no image beyond what was there ($1 images)
nothing_created() {
	[ -z "$(warren ps -aq)" ]
	[ "$(warren images -q | wc -l)" -eq "${1:-0}" ]
}

@test "--cidfile writes the full ID; an existing file is refused as podman does" {
	d=$(user_tmpdir)
	chown "$TEST_USER" "$d"
	warren run -d --cidfile "$d/cid" --name c1 --rootfs "$ROOTFS" sleep infinity > "$d/out"
	[ "$(cat "$d/cid")" = "$(cat "$d/out")" ]
	[[ "$(cat "$d/cid")" =~ ^[0-9a-f]{64}$ ]]
	[ "$(warren inspect -f '{{.Id}}' c1)" = "$(cat "$d/cid")" ]
	# a foreground --rm run writes it too
	run warren run --rm --cidfile "$d/cid2" --rootfs "$ROOTFS" true
	[ "$status" -eq 0 ]
	[[ "$(cat "$d/cid2")" =~ ^[0-9a-f]{64}$ ]]
	# the file exists: refused before anything is made
	run --separate-stderr warren run -d --cidfile "$d/cid" --name c2 --rootfs "$ROOTFS" true
	one_line_125
	[[ "$stderr" == *"$d/cid"* ]]
	[ "$(warren ps -aq | wc -l)" -eq 1 ]
	both_pull
	podman_u run --rm --network none --cidfile "$d/pcid" "$BASE" true
	run podman_u run --rm --network none --cidfile "$d/pcid" "$BASE" true
	[ "$status" -eq 125 ]
	run warren run --rm --cidfile "$d/pcid" "$BASE" true
	[ "$status" -eq 125 ]
}

@test "--sysctl sets namespaced parameters inside, as podman's" {
	both_pull
	cmd='cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/shmmni /proc/sys/fs/mqueue/msg_max /proc/sys/kernel/sem'
	args=(--sysctl net.ipv4.ip_unprivileged_port_start=80 --sysctl kernel.shmmni=2048
		--sysctl fs.mqueue.msg_max=20 --sysctl "kernel.sem=250 32000 32 200")
	run --separate-stderr warren run --rm "${args[@]}" "$BASE" sh -c "$cmd"
	[ "$status" -eq 0 ]
	w=$output
	run --separate-stderr podman_u run --rm "${args[@]}" "$BASE" sh -c "$cmd"
	[ "$status" -eq 0 ]
	echo "warren [$w] podman [$output]"
	[ "$w" = "$output" ]
	[[ "$w" == 80* ]]
	# recorded: kept in the record, applied again at each start
	warren run -d --name s1 --sysctl kernel.msgmax=4096 "$BASE" sleep infinity > /dev/null
	[ "$(warren exec s1 cat /proc/sys/kernel/msgmax)" = 4096 ]
	[ "$(warren inspect -f '{{index .HostConfig.Sysctls "kernel.msgmax"}}' s1)" = 4096 ]
	warren restart -t 0 s1 > /dev/null
	[ "$(warren exec s1 cat /proc/sys/kernel/msgmax)" = 4096 ]
}

@test "--sysctl refuses what the container does not own, as podman does" {
	both_pull
	for bad in vm.swappiness=10 kernel.hostname=x "net.ipv4.ip_forward=1 --network host"; do
		# shellcheck disable=SC2086
		run --separate-stderr warren run --rm --sysctl $bad "$BASE" true
		one_line_125
		# shellcheck disable=SC2086
		run podman_u run --rm --sysctl $bad "$BASE" true
		echo "$bad: podman $status"
		[ "$status" -eq 125 ]
	done
	for bad in novalue net.=1 =1 '../x=1'; do
		run --separate-stderr warren create --sysctl "$bad" "$BASE" true
		one_line_125
	done
	nothing_created 1
}

@test "--shm-size sizes /dev/shm (default 64m) as podman's" {
	both_pull
	shm='grep " /dev/shm " /proc/mounts | grep -o "size=[0-9]*k"'
	for size in 128m 1g 512k 2097152b 3M; do
		w=$(warren run --rm --shm-size "$size" "$BASE" sh -c "$shm")
		p=$(podman_u run --rm --network none --shm-size "$size" "$BASE" sh -c "$shm")
		echo "$size: warren $w podman $p"
		[ "$w" = "$p" ]
	done
	# the default is Docker's documented 64 MiB (podman's is 64000k)
	[ "$(warren run --rm "$BASE" sh -c "$shm")" = size=65536k ]
	[ "$(warren create --name sh1 "$BASE" true >/dev/null; warren inspect -f '{{.HostConfig.ShmSize}}' sh1)" = 67108864 ]
	warren rm sh1 > /dev/null
	for bad in 12x -1 m ''; do
		run --separate-stderr warren run --rm --shm-size "$bad" "$BASE" true
		one_line_125
	done
	nothing_created 1
}

@test "--group-add adds GIDs and the image's group names, as podman's" {
	# the busybox rootfs, whose /etc/group has daemon (1) and audio (29)
	both_import
	BASE=local/only:1
	for g in "--group-add 1234" "--group-add 1234 --group-add 5678" "--group-add daemon" \
		"--group-add audio --group-add 1234 -u 1000"; do
		# shellcheck disable=SC2086
		w=$(warren run --rm $g "$BASE" id -G)
		# shellcheck disable=SC2086
		p=$(podman_u run --rm --network none $g "$BASE" id -G)
		echo "$g: warren [$w] podman [$p]"
		[ "$w" = "$p" ]
	done
	# exec gets them too (Docker's exec keeps the container's groups)
	warren run -d --name g1 --group-add 4321 "$BASE" sleep infinity > /dev/null
	[[ " $(warren exec g1 id -G) " == *" 4321 "* ]]
	# a name the image's /etc/group lacks fails, as podman's
	run --separate-stderr warren run --rm --group-add nosuchgroup "$BASE" true
	[ "$status" -ne 0 ]
	[[ "$stderr" == *nosuchgroup* ]]
	run podman_u run --rm --network none --group-add nosuchgroup "$BASE" true
	[ "$status" -ne 0 ]
	# keep-groups (tests/bats/devices.bats) only alone, as podman's
	run --separate-stderr warren run --rm --group-add keep-groups --group-add 4321 "$BASE" true
	one_line_125
	[[ "$stderr" == *keep-groups* ]]
}

@test "--platform: the host's, picked from an index; another arch refused naming the host's" {
	multi=$REG/warren/multi
	arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
	run --separate-stderr warren run --rm --platform "linux/$arch" "$multi"
	[ "$status" -eq 0 ]
	[ "$output" = "$arch" ]
	run --separate-stderr podman_u run --rm --network none --tls-verify=false \
		--platform "linux/$arch" "$multi"
	[ "$output" = "$arch" ]
	other=arm64
	[ "$arch" != arm64 ] || other=amd64
	warren rmi -f "$multi" > /dev/null
	run --separate-stderr warren run --rm --platform "linux/$other" "$multi"
	one_line_125
	[[ "$stderr" == *"linux/$arch"* ]]
	for bad in foo linux/ /amd64 windows/amd64; do
		run --separate-stderr warren create --platform "$bad" "$multi"
		one_line_125
	done
	nothing_created 0
	# the store holds the other platform (pull --platform): --platform pulls the host's
	for tool in warren podman_u; do
		$tool pull -q --tls-verify=false --platform "linux/$other" "$multi" > /dev/null
		if [ $tool = warren ]; then
			run --separate-stderr warren run --rm --pull never --platform "linux/$arch" "$multi"
			one_line_125
		fi
		run --separate-stderr $tool run --rm --network none --tls-verify=false \
			--platform "linux/$arch" "$multi"
		echo "$tool: $status [$output]"
		[ "$output" = "$arch" ]
	done
}

@test "--pull missing|always|never as podman's; a bad policy is refused" {
	# an image only in the local stores: always must go to the registry
	both_import
	for pol in missing always never; do
		run warren run --rm --pull "$pol" local/only:1 true
		w=$status
		run podman_u run --rm --network none --pull "$pol" local/only:1 true
		echo "$pol: warren $w podman $status"
		[ "$w" -eq 0 ] && [ "$status" -eq 0 ] || { [ "$w" -ne 0 ] && [ "$status" -ne 0 ]; }
	done
	[ "$(warren run --rm --pull never local/only:1 echo ok)" = ok ]
	run warren run --rm --pull always local/only:1 true
	[ "$status" -ne 0 ]
	# never with an image that is not there: one line, nothing pulled
	run --separate-stderr warren run --rm --pull never "$BASE" true
	one_line_125
	[[ "$stderr" == *"$BASE"* ]]
	run --separate-stderr warren create --pull sometimes "$BASE" true
	one_line_125
	nothing_created 1
	# always pulls even when the image is there
	warren pull -q "$BASE" > /dev/null
	run --separate-stderr warren run --rm --pull always "$BASE" echo ok
	[ "$status" -eq 0 ]
	[ "$output" = ok ]
	[[ "$stderr" != *"Unable to find"* ]]
}


@test "health: starting, healthcheck run, unhealthy, healthy; inspect, ps and its filter" {
	both_pull
	for tool in warren podman_u; do
		$tool run -d --name h1 --network none --health-cmd 'test -e /tmp/ok' \
			--health-interval 1h --health-retries 2 "$BASE" sleep infinity > /dev/null
		$tool run -d --name plain --network none "$BASE" sleep infinity > /dev/null
	done
	for tool in warren podman_u; do
		[ "$($tool inspect -f '{{.State.Health.Status}}' h1)" = starting ]
		[[ "$($tool ps --format '{{.Names}} {{.Status}}' -f name=h1)" == *"(starting)"* ]] ||
			[[ "$($tool ps --format '{{.Names}} {{.Status}}' -f name=h1)" == *"(health: starting)"* ]]
		[ "$($tool ps --format '{{.Names}}' -f health=starting)" = h1 ]
		[ "$($tool ps --format '{{.Names}}' -f health=none)" = plain ] || [ "$tool" = podman_u ]
		# one failure of two retries: still starting; the second makes it unhealthy
		run $tool healthcheck run h1
		echo "$tool: $status $output"
		[ "$status" -eq 1 ]
		run $tool healthcheck run h1
		[ "$status" -eq 1 ]
		[ "$($tool inspect -f '{{.State.Health.Status}}' h1)" = unhealthy ]
		[ "$($tool ps --format '{{.Names}}' -f health=unhealthy)" = h1 ]
		[ "$($tool inspect -f '{{.State.Health.FailingStreak}}' h1)" = 2 ]
		$tool exec h1 touch /tmp/ok
		run $tool healthcheck run h1
		[ "$status" -eq 0 ]
		[ "$($tool inspect -f '{{.State.Health.Status}}' h1)" = healthy ]
		[ "$($tool ps --format '{{.Names}}' -f health=healthy)" = h1 ]
		[[ "$($tool ps --format '{{.Status}}' -f name=h1)" == *"(healthy)" ]]
		# no check at all: an error, not a status
		run $tool healthcheck run plain
		echo "$tool plain: $status"
		[ "$status" -eq 125 ]
	done
	# Docker's field order, the unset fields left out
	[ "$(warren inspect -f '{{json .Config.Healthcheck}}' h1)" = \
		'{"Test":["CMD-SHELL","test -e /tmp/ok"],"Interval":3600000000000,"Retries":2}' ]
	[ "$(warren inspect -f '{{len .State.Health.Log}}' h1)" = 3 ]
	[ "$(warren inspect -f '{{.State.Health}}' plain)" = '<no value>' ]
}

@test "health: the monitor runs the check at its interval; a new start begins at starting" {
	warren pull -q "$BASE" > /dev/null
	warren run -d --name hp --health-cmd 'test -e /tmp/ok' --health-interval 200ms \
		--health-retries 1 "$BASE" sleep infinity > /dev/null
	hs() { warren inspect -f '{{.State.Health.Status}}' hp; }
	for ((i = 0; i < 200; i++)); do [ "$(hs)" = unhealthy ] && break; sleep 0.1; done
	[ "$(hs)" = unhealthy ]
	warren exec hp touch /tmp/ok
	for ((i = 0; i < 200; i++)); do [ "$(hs)" = healthy ] && break; sleep 0.1; done
	[ "$(hs)" = healthy ]
	warren stop -t 0 hp > /dev/null
	warren start hp > /dev/null
	# /tmp/ok survives in the writable layer: starting, then healthy again
	[ "$(hs)" = starting ] || [ "$(hs)" = healthy ]
	for ((i = 0; i < 200; i++)); do [ "$(hs)" = healthy ] && break; sleep 0.1; done
	[ "$(hs)" = healthy ]
}

@test "health: the image's HEALTHCHECK, the flags' fields over it, --no-healthcheck" {
	warren pull -q "$BASE" > /dev/null
	ctx=$(user_tmpdir)
	printf 'FROM %s\nHEALTHCHECK --interval=1h --retries=5 CMD test -e /tmp/ok\n' "$BASE" \
		> "$ctx/Dockerfile"
	chown -R "$TEST_USER" "$ctx"
	warren build -q -t hc:1 "$ctx" > /dev/null
	warren run -d --name i1 hc:1 sleep infinity > /dev/null
	# Docker's documented shape: the shell form is CMD-SHELL
	[ "$(warren inspect -f '{{json .Config.Healthcheck}}' i1)" = \
		'{"Test":["CMD-SHELL","test -e /tmp/ok"],"Interval":3600000000000,"Retries":5}' ]
	[ "$(warren inspect -f '{{.State.Health.Status}}' i1)" = starting ]
	warren run -d --name i2 --health-retries 1 hc:1 sleep infinity > /dev/null
	[ "$(warren inspect -f '{{json .Config.Healthcheck}}' i2)" = \
		'{"Test":["CMD-SHELL","test -e /tmp/ok"],"Interval":3600000000000,"Retries":1}' ]
	run warren healthcheck run i2
	[ "$status" -eq 1 ]
	[ "$(warren inspect -f '{{.State.Health.Status}}' i2)" = unhealthy ]
	warren run -d --name i3 --no-healthcheck hc:1 sleep infinity > /dev/null
	[ "$(warren ps --format '{{.Names}}' -f health=none)" = i3 ]
	[ "$(warren ps --format '{{.Names}}' -f health=starting)" = i1 ]
}

@test "health: --no-healthcheck, bad durations and retries are one line, exit 125" {
	warren pull -q "$BASE" > /dev/null
	for bad in "--health-interval 10" "--health-interval 1x" "--health-timeout -1s" \
		"--health-retries -1" "--health-start-period abc" \
		"--no-healthcheck --health-cmd true" "--health-interval 10us"; do
		# shellcheck disable=SC2086
		run --separate-stderr warren run -d $bad "$BASE" sleep 1
		echo "$bad"
		one_line_125
	done
	nothing_created 1
	warren create --name nh --no-healthcheck "$BASE" true > /dev/null
	[ "$(warren inspect -f '{{json .Config.Healthcheck.Test}}' nh)" = '["NONE"]' ]
	[ "$(warren ps -a --format '{{.Names}}' -f health=none)" = nh ]
}

@test "-a/--attach picks the streams a foreground run shows, as podman's" {
	both_pull
	cmd='echo out; echo err >&2'
	for a in "-a stdout" "-a stderr" "-a stdout -a stderr"; do
		# shellcheck disable=SC2086
		run --separate-stderr warren run --rm $a "$BASE" sh -c "$cmd"
		w="$status|$output|$stderr"
		# shellcheck disable=SC2086
		run --separate-stderr podman_u run --rm --network none $a "$BASE" sh -c "$cmd"
		echo "$a: warren [$w] podman [$status|$output|$stderr]"
		[ "$w" = "$status|$output|$stderr" ]
	done
	# the exit code comes through; stdin when attached
	run --separate-stderr warren run --rm -a stderr "$BASE" sh -c 'echo out; exit 3'
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$(echo shown | as_user "$WARREN" run --rm -i -a stdin -a stdout "$BASE" cat)" = shown ]
	run --separate-stderr warren run -d -a stdout "$BASE" true
	one_line_125
	run --separate-stderr warren run --rm -a stdnothing "$BASE" true
	one_line_125
	nothing_created 1
}

@test "--sig-proxy: signals reach the container by default; with false they stop only the CLI" {
	warren pull -q "$BASE" > /dev/null
	d=$(user_tmpdir)
	trapcmd='trap "echo got-usr1; exit 7" USR1; echo ready; while :; do sleep 0.1; done'
	as_user "$WARREN" run --rm --name sp1 "$BASE" sh -c "$trapcmd" > "$d/out1" 2>&1 &
	pid=$!
	wait_log_file "$d/out1" ready
	cli=$(pgrep -u "$TEST_USER" -f "run --rm --name sp1" | head -1)
	kill -USR1 "$cli"
	wait "$pid" || st=$?
	[ "${st:-0}" -eq 7 ]
	grep -q got-usr1 "$d/out1"
	# --sig-proxy=false: the CLI dies of the signal, the container runs on
	as_user "$WARREN" run --sig-proxy=false --name sp2 "$BASE" sh -c "$trapcmd" > "$d/out2" 2>&1 &
	pid=$!
	wait_log_file "$d/out2" ready
	cli=$(pgrep -u "$TEST_USER" -f "run --sig-proxy=false --name sp2" | head -1)
	kill -USR1 "$cli"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq $((128 + 10)) ]
	[ "$(state sp2)" = running ]
	! grep -q got-usr1 "$d/out2"
}

# wait_log_file FILE TEXT: poll until FILE holds TEXT (bounded)
wait_log_file() {
	local i
	for ((i = 0; i < 400; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for '$2' in $1" >&2
	return 1
}
