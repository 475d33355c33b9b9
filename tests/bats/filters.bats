#!/usr/bin/env bats
# Docker's --filter for images, ps and volume ls, the prune commands'
# filters, prompts and scope, as the unprivileged test user; where podman
# follows Docker's documentation, side by side with it. The pulled fixture
# is dated 2024 (tests/fixtures/images/ocilib.py), built images today:
# before=/since=/until= compare those dates, never the clock's seconds.

bats_require_minimum_version 1.5.0

load helpers
load images_helpers
load build_helpers

setup() {
	build_setup
	rm -rf "/tmp/warren-$TEST_UID"
	make_rootfs
}
teardown() { common_teardown; }

# built TAG GEN: an image FROM the pulled base with LABEL gen=GEN, as TAG
built() {
	df <<EOF
FROM $BASE
LABEL gen=$2
EOF
	build -q -t "$1" > /dev/null
}

# names ARGS...: `images ARGS` as sorted REPOSITORY:TAG words on one line
names() { warren_s images --format '{{.Repository}}:{{.Tag}}' "$@" | sort | tr '\n' ' '; }

# sorted WORD...: the words sorted, on one line, as names and ps_names print
sorted() { printf '%s\n' "$@" | sort | tr '\n' ' '; }

# ps_names ARGS...: `ps -a ARGS` as sorted names on one line
ps_names() { warren_s ps -a --format '{{.Names}}' "$@" | sort | tr '\n' ' '; }

# refused ARGS...: warren ARGS fails with exit 1 and one line naming $KEY
refused() {
	run --separate-stderr warren_s "$@"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr_lines[0]}" == warren:*"$KEY"* ]]
}

@test "rmi \$(images -q -f dangling=true) removes the dangling image, not the tagged ones" {
	warren_s pull -q "$BASE" > /dev/null
	built app:1 1
	old=$(warren_s image inspect --format '{{.Id}}' app:1)
	built app:1 2
	[ "$(warren_s image inspect --format '{{.Id}}' app:1)" != "$old" ]
	run warren_s images -q --no-trunc -f dangling=true
	[ "$output" = "$old" ]
	# dangling=false is every image with a name
	[ "$(names -f dangling=false)" = "$(sorted docker.io/library/app:1 "$BASE:latest")" ]
	# the CI cleanup line; $BASE is tagged and no container uses it
	warren_s rmi $(warren_s images -q -f dangling=true)
	[ "$(names)" = "$(sorted docker.io/library/app:1 "$BASE:latest")" ]
	[ -z "$(warren_s images -q -f dangling=true)" ]
}

@test "images REPOSITORY[:TAG] lists that repository's images, or that tag" {
	warren_s pull -q "$BASE" > /dev/null
	built app:1 1
	warren_s tag app:1 app:2
	warren_s tag app:1 other:1
	[ "$(names app)" = "docker.io/library/app:1 docker.io/library/app:2 " ]
	[ "$(names app:2)" = "docker.io/library/app:2 " ]
	[ "$(names "$BASE")" = "$BASE:latest " ]
	run warren_s images -q nosuch
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the operand is Docker's reference= filter
	fmt='{{.ID}} {{.Repository}}:{{.Tag}}'
	[ "$(warren_s images --format "$fmt" app)" = "$(warren_s images --format "$fmt" -f reference=app)" ]
	run --separate-stderr warren_s images app other
	[ "$status" -eq 1 ]
}

@test "images -f label, before, since, until, reference: one key OR-ed, keys AND-ed" {
	warren_s pull -q "$BASE" > /dev/null
	built web:1 web
	built db:1 db
	[ "$(names -f label=gen=web)" = "docker.io/library/web:1 " ]
	[ "$(names -f label=gen)" = "docker.io/library/db:1 docker.io/library/web:1 " ]
	# label= filters are all required, as Docker's
	[ -z "$(names -f label=gen=web -f label=gen=db)" ]
	[ "$(names -f before=web:1)" = "$BASE:latest " ]
	[ "$(names -f since="$BASE")" = "docker.io/library/db:1 docker.io/library/web:1 " ]
	[ "$(names -f until=2025-01-01)" = "$BASE:latest " ]
	[ "$(names -f reference=web -f reference=db)" = "docker.io/library/db:1 docker.io/library/web:1 " ]
	[ -z "$(names -f reference=web -f label=gen=db)" ]
	[ "$(names -f 'reference=*b:1')" = "docker.io/library/db:1 docker.io/library/web:1 " ]
	run --separate-stderr warren_s images -f before=nosuch:1
	[ "$status" -eq 1 ]
}

@test "an unknown filter key or a bad value is one line naming it, exit 1, the store unchanged" {
	warren_s run --name stopped --rootfs "$ROOTFS" true
	warren_s volume create vol > /dev/null
	before=$(store_listing; warren_s ps -aq; warren_s volume ls -q)
	KEY=bogus
	refused images -f bogus=1
	[[ "$stderr" == *dangling*reference*label* ]]
	refused ps -f bogus=1
	[[ "$stderr" == *ancestor*exited*health* ]] || [[ "$stderr" == *exited*ancestor*health* ]]
	refused volume ls -f bogus=1
	refused container prune -f --filter bogus=1
	refused image prune -f --filter bogus=1
	refused volume prune -f --filter bogus=1
	refused system prune -f --filter bogus=1
	KEY=dangling
	refused images -f dangling=maybe
	refused volume ls -f dangling=yes
	KEY=status
	refused ps -f status=sleeping
	KEY=exited
	refused ps -f exited=x
	KEY=health
	refused ps -f health=great
	KEY=until
	refused container prune -f --filter until=yesterday
	refused volume prune -f --filter until=1h
	refused system prune -f --volumes --filter until=1h
	KEY=name=
	refused ps -f 'name=['
	KEY=nokey
	refused images -f nokey
	[ "$(store_listing; warren_s ps -aq; warren_s volume ls -q)" = "$before" ]
}

@test "ps -f id, name, label, status, exited, ancestor, network, volume, health, before, since" {
	warren_s pull -q "$BASE" > /dev/null
	warren_s run -d --name web1 --label tier=web -v vol1:/data --rootfs "$ROOTFS" sleep infinity
	warren_s run --name db1 --label tier=db --rootfs "$ROOTFS" sh -c 'exit 3' || true
	warren_s create --name img1 "$BASE" true > /dev/null
	warren_s run --name off1 --network none --rootfs "$ROOTFS" true
	id=$(warren_s ps -aq -f name=web1)
	[ "$(ps_names -f id="${id:0:5}")" = "web1 " ]
	[ "$(ps_names -f name=web)" = "web1 " ]
	[ "$(ps_names -f 'name=^/?db1$')" = "db1 " ]
	[ "$(ps_names -f label=tier=web)" = "web1 " ]
	[ "$(ps_names -f label=tier)" = "db1 web1 " ]
	[ "$(ps_names -f exited=3)" = "db1 " ]
	[ "$(ps_names -f exited=0)" = "off1 " ]
	[ "$(ps_names -f ancestor="$BASE")" = "img1 " ]
	[ "$(ps_names -f ancestor=nosuch:1)" = "" ]
	[ "$(ps_names -f network=none)" = "off1 " ]
	[ "$(ps_names -f volume=vol1)" = "web1 " ]
	[ "$(ps_names -f volume=/data)" = "web1 " ]
	# no health checks yet: every container's health is "none"
	[ "$(ps_names -f health=none)" = "db1 img1 off1 web1 " ]
	[ "$(ps_names -f health=healthy)" = "" ]
	[ "$(ps_names -f since=db1)" = "img1 off1 " ]
	[ "$(ps_names -f before=img1)" = "db1 web1 " ]
	# one key OR-ed, keys AND-ed
	[ "$(ps_names -f status=exited -f status=created)" = "db1 img1 off1 " ]
	[ "$(ps_names -f status=exited -f label=tier)" = "db1 " ]
	# Docker: status= shows stopped containers without -a, exited= does not
	[ "$(warren_s ps --format '{{.Names}}' -f status=exited | sort | tr '\n' ' ')" = "db1 off1 " ]
	[ -z "$(warren_s ps -q -f exited=3)" ]
}

@test "volume ls -f dangling, name, label, driver" {
	warren_s volume create -l k=v free > /dev/null
	warren_s run -d --name user -v used:/data --rootfs "$ROOTFS" sleep infinity
	vols() { warren_s volume ls -q "$@" | sort | tr '\n' ' '; }
	[ "$(vols -f dangling=true)" = "free " ]
	[ "$(vols -f dangling=false)" = "used " ]
	[ "$(vols -f name=fr)" = "free " ]
	[ "$(vols -f label=k=v)" = "free " ]
	[ "$(vols -f label=k=w)" = "" ]
	[ "$(vols -f driver=local)" = "free used " ]
	[ "$(vols -f driver=other)" = "" ]
	[ "$(vols -f name=fr -f name=us)" = "free used " ]
	[ "$(vols -f name=fr -f dangling=false)" = "" ]
}

@test "container prune asks Docker's question: n or no answer keeps, y removes, -f skips it" {
	warren_s run --name gone --rootfs "$ROOTFS" true
	warren_s run -d --name up --rootfs "$ROOTFS" sleep infinity
	run warren_stdin n --root "$STORE" container prune
	[ "$status" -eq 0 ]
	[[ "$output" == "WARNING! This will remove all stopped containers."*"Are you sure you want to continue? [y/N]"* ]]
	[ "$(ps_names)" = "gone up " ]
	# stdin not a terminal and empty: no answer is a no, as Docker reads it
	run as_user "$WARREN" --root "$STORE" container prune < /dev/null
	[ "$status" -eq 0 ]
	[ "$(ps_names)" = "gone up " ]
	run warren_stdin y --root "$STORE" container prune
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted Containers:"*"Total reclaimed space: "* ]]
	[ "$(ps_names)" = "up " ]
	warren_s run --name gone2 --rootfs "$ROOTFS" true
	run warren_s container prune -f < /dev/null
	[[ "$output" != *WARNING* ]]
	[ "$(ps_names)" = "up " ]
}

@test "image prune asks; keeps tagged images, -a removes the unused ones" {
	warren_s pull -q "$BASE" > /dev/null
	built app:1 1
	built app:1 2
	built used:1 3
	warren_s create --name c used:1 true > /dev/null
	[ "$(warren_s images -q -f dangling=true | wc -l)" -eq 1 ]
	run warren_stdin no --root "$STORE" image prune
	[ "$status" -eq 0 ]
	[[ "$output" == "WARNING! This will remove all dangling images."*"[y/N]"* ]]
	[ "$(warren_s images -q -f dangling=true | wc -l)" -eq 1 ]
	run warren_stdin y --root "$STORE" image prune
	[ "$status" -eq 0 ]
	[[ "$output" == *"deleted: sha256:"*"Total reclaimed space: "* ]]
	[ -z "$(warren_s images -q -f dangling=true)" ]
	[ "$(names)" = "$(sorted docker.io/library/app:1 docker.io/library/used:1 "$BASE:latest")" ]
	# -a: every image no container uses; the one a stopped container uses stays
	run warren_s image prune -a -f
	[ "$status" -eq 0 ]
	[[ "$output" == *"untagged: docker.io/library/app:1"* ]]
	# the base stays while an image built on it does (warren keeps parents)
	[ "$(names)" = "$(sorted docker.io/library/used:1 "$BASE:latest")" ]
}

@test "prune filters: label=, label!= and until= choose what goes" {
	warren_s run --name web --label tier=web --rootfs "$ROOTFS" true
	warren_s run --name db --label tier=db --rootfs "$ROOTFS" true
	warren_s run --name plain --rootfs "$ROOTFS" true
	warren_s container prune -f --filter until=2020-01-01
	[ "$(ps_names)" = "db plain web " ]
	warren_s container prune -f --filter label!=tier=web --filter label=tier
	[ "$(ps_names)" = "plain web " ]
	warren_s container prune -f --filter "until=$(($(date +%s) + 3600))"
	[ -z "$(ps_names)" ]
	warren_s volume create -l keep=1 kept > /dev/null
	warren_s volume create gone > /dev/null
	warren_s volume prune -a -f --filter label!=keep
	[ "$(warren_s volume ls -q)" = kept ]
}

@test "volume prune asks; system prune removes stopped containers, dangling images, --volumes" {
	warren_s pull -q "$BASE" > /dev/null
	built app:1 1
	built app:1 2
	warren_s run --name stopped -v /anon --rootfs "$ROOTFS" true
	warren_s rm stopped
	warren_s run --name stopped2 -v named:/n --rootfs "$ROOTFS" true
	run warren_stdin n --root "$STORE" volume prune
	[[ "$output" == "WARNING! This will remove anonymous local volumes not used by at least one container."*"[y/N]"* ]]
	[ "$(warren_s volume ls -q | wc -l)" -eq 2 ]
	run warren_stdin n --root "$STORE" system prune
	[ "$status" -eq 0 ]
	[[ "$output" == "WARNING! This will remove:"*"  - all stopped containers"*"  - all dangling images"*"Are you sure you want to continue? [y/N]"* ]]
	[ "$(ps_names)" = "stopped2 " ]
	[ "$(warren_s images -q -f dangling=true | wc -l)" -eq 1 ]
	run warren_s system prune -f
	[ "$status" -eq 0 ]
	[[ "$output" == *"Deleted Containers:"*"Deleted Images:"*"Total reclaimed space: "* ]]
	[ -z "$(ps_names)" ]
	[ -z "$(warren_s images -q -f dangling=true)" ]
	[ "$(warren_s volume ls -q | wc -l)" -eq 2 ]
	run warren_s system prune -f --volumes
	[ "$(warren_s volume ls -q)" = named ]
	[ "$(names)" = "$(sorted docker.io/library/app:1 "$BASE:latest")" ]
	run warren_s system prune -a -f
	[ -z "$(names)" ]
}

@test "ps filters agree with podman's on the same four containers" {
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
	podman_u pull -q --tls-verify=false "$BASE" > /dev/null
	warren_s pull -q "$BASE" > /dev/null
	for tool in warren_s podman_u; do
		$tool run -d --network none --name web1 --label tier=web -v vol1:/data "$BASE" \
			sleep infinity > /dev/null
		$tool run --network none --name db1 --label tier=db "$BASE" sh -c 'exit 3' || true
		$tool create --network none --name new1 "$BASE" true > /dev/null
		$tool run --network none --name ok1 "$BASE" true
	done
	# not ancestor=IMAGE nor volume=/MOUNT-POINT: podman 4.3 matches none of
	# them where Docker's documentation has the image's containers and the
	# mount point's (the ps test above checks warren's against the docs)
	for f in label=tier=web label=tier status=exited status=created status=running exited=3 \
		exited=0 name=web volume=vol1 id=nosuch; do
		w=$(warren_s ps -a --format '{{.Names}}' -f "$f" | sort | tr '\n' ' ')
		p=$(podman_u ps -a --format '{{.Names}}' -f "$f" | sort | tr '\n' ' ')
		echo "$f: warren [$w] podman [$p]"
		[ "$w" = "$p" ]
	done
}

@test "images -f dangling agrees with podman's after building one tag twice" {
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
	podman_u pull -q --tls-verify=false "$BASE" > /dev/null
	warren_s pull -q "$BASE" > /dev/null
	chown -R "$TEST_USER" "$CTX"
	for gen in 1 2; do
		printf 'FROM %s\nLABEL gen=%s\n' "$BASE" "$gen" > "$CTX/Dockerfile"
		build -q -t app:1 > /dev/null
		podman_u build -q --network none -t app:1 "$CTX" > /dev/null
	done
	for tool in warren_s podman_u; do
		[ "$($tool images -q -f dangling=true | wc -l)" -eq 1 ]
		[ "$($tool images -q -f dangling=false | wc -l)" -eq 2 ]
		[ "$($tool images -q -f label=gen=2 | wc -l)" -eq 1 ]
		$tool rmi $($tool images -q -f dangling=true) > /dev/null
		[ "$($tool images -q | wc -l)" -eq 2 ]
		$tool image inspect app:1 > /dev/null
	done
}
