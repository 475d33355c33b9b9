#!/usr/bin/env bats
# Docker's everyday CLI, each case run with warren and with rootless podman
# on the same images and containers, comparing exit codes and the shape of
# the output: template results, table columns, JSON keys, which objects a
# filter or a prune keeps. Where podman 4.3 itself differs from Docker's
# documentation the case says so ("podman differs") and checks warren
# against the documentation instead. filters.bats and run_docker.bats hold
# the deeper single-tool cases (every filter key's edge cases, nocopy,
# --volumes-from); this file is the side-by-side one.

bats_require_minimum_version 1.5.0

load helpers
load images_helpers
load build_helpers

setup() {
	build_setup
	rm -rf "/tmp/warren-$TEST_UID"
	make_rootfs
	PODMAN_DIR=$(user_tmpdir)
	chown "$TEST_USER" "$PODMAN_DIR"
}
teardown() { common_teardown; }

# both CMD...: CMD (a function taking the tool as $1) with warren and with
# podman; fails unless the two printed the same and exited alike
both() {
	local w p ws ps
	w=$("$1" warren_s "${@:2}" 2>&1) && ws=0 || ws=$?
	p=$("$1" podman_u "${@:2}" 2>&1) && ps=0 || ps=$?
	echo "warren ($ws): [$w]"
	echo "podman ($ps): [$p]"
	[ "$ws" = "$ps" ]
	[ "$w" = "$p" ]
}

# images_both: the base pulled and conf:1 built by both tools from the same
# Dockerfile (labels, env, cmd, workdir, exposed ports, a volume)
images_both() {
	podman_u pull -q --tls-verify=false "$BASE" > /dev/null
	warren_s pull -q "$BASE" > /dev/null
	df <<EOF
FROM $BASE
LABEL gen=1 tier=web org.example.name="two words"
ENV A=1 B="b c"
WORKDIR /srv
EXPOSE 8080/tcp 53/udp
USER 0:0
CMD ["sh", "-c", "echo hi"]
EOF
	build -q -t conf:1 > /dev/null
	podman_u build -q --network none -t conf:1 "$CTX" > /dev/null
}

# itmpl TOOL TEMPLATE: image inspect -f TEMPLATE conf:1, less the label
# podman's builder adds to every image (io.buildah.version)
itmpl() { $1 image inspect -f "$2" conf:1 | sed -E 's/"?io\.buildah\.version"?[:=]"?[0-9.]+"?[,;]?//g'; }

@test "twenty image inspect templates give podman's results" {
	images_both
	local t
	for t in \
		'{{.Os}}/{{.Architecture}}' \
		'{{json .Config.Cmd}}' \
		'{{json .Config.Labels}}' \
		'{{index .Config.Labels "gen"}}' \
		'{{index .Config.Labels "org.example.name"}}' \
		'{{range .Config.Env}}[{{.}}]{{end}}' \
		'{{join .Config.Cmd "+"}}' \
		'{{len .Config.Env}} {{len .Config.Cmd}}' \
		'{{upper .Os}} {{lower "ABC"}} {{title "hello world"}}' \
		'{{printf "%s-%05d-%q-%v" .Os 42 "x" true}}' \
		'{{split "a,b,c" ","}} {{len (split "a,b,c" ",")}}' \
		'{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}' \
		'{{if eq .Os "linux"}}yes{{else}}no{{end}} {{if ne .Os "linux"}}x{{end}}' \
		'{{with .Config.WorkingDir}}wd={{.}}{{end}}' \
		'{{json .Config.ExposedPorts}}' \
		'{{range $i, $e := .Config.Cmd}}{{$i}}:{{$e}} {{end}}' \
		'{{- .Os -}} | {{ .Config.User }}' \
		'{{$os := .Os}}{{range .Config.Cmd}}{{$os}}.{{.}} {{end}}' \
		'{{and .Os .Config.User}} {{or "" .Os}} {{not false}}' \
		'{{range .Config.Env}}{{if eq . "A=1"}}found{{end}}{{end}}' \
		'{{index .Config.Cmd 1}} {{len .Config.Cmd}}'; do
		both itmpl "$t"
	done
}

# jkeys TOOL ARGS...: the keys of the first JSON object ARGS print, sorted
jkeys() { $1 "${@:2}" | head -n 1 | jq -r 'keys[]' | sort | tr '\n' ' '; }

@test "{{json .}} of images and ps has Docker's keys (podman differs)" {
	images_both
	warren_s run --network none --name k1 conf:1 true
	# Docker's documentation of `docker images --format '{{json .}}'` and
	# `docker ps --format '{{json .}}'`; podman prints its own (Id,
	# RepoTags, Names as a list...), so only warren is checked here
	[ "$(jkeys warren_s images --format '{{json .}}')" = \
		"Containers CreatedAt CreatedSince Digest ID Repository SharedSize Size Tag UniqueSize VirtualSize " ]
	[ "$(jkeys warren_s ps -a --format '{{json .}}')" = \
		"Command CreatedAt ID Image Labels LocalVolumes Mounts Names Networks Ports RunningFor Size State Status " ]
	# podman differs: the evidence that it does, so the case stays honest
	[ "$(jkeys podman_u images --format '{{json .}}')" != \
		"$(jkeys warren_s images --format '{{json .}}')" ]
	# `inspect` of an image and of a container: warren's keys include every
	# key both Docker and podman have
	for k in Id RepoTags Created Config Architecture Os RootFS; do
		warren_s image inspect conf:1 | jq -e ".[0] | has(\"$k\")" > /dev/null
		podman_u image inspect conf:1 | jq -e ".[0] | has(\"$k\")" > /dev/null
	done
	for k in Id Created Path Args State Image Name Config HostConfig Mounts NetworkSettings; do
		warren_s inspect k1 | jq -e ".[0] | has(\"$k\")" > /dev/null
	done
}

# ctrs TOOL: three containers of conf:1 with labels and exit codes
ctrs() {
	$1 run --network none --name c1 --label tier=web conf:1 sh -c 'exit 3' || true
	$1 run --network none --name c2 --label tier=db -v cv:/data conf:1 true
	$1 create --network none --name c3 conf:1 true > /dev/null
}

# ctmpl TOOL TEMPLATE: ps -a with TEMPLATE, sorted
ctmpl() { $1 ps -a --format "$2" | sort; }

# itmplc TOOL TEMPLATE: inspect c1 with TEMPLATE (less podman's builder label)
itmplc() { $1 inspect -f "$2" c1 | sed -E 's/"?io\.buildah\.version"?[:=]"?[0-9.]+"?[,;]?//g'; }

@test "ps and container inspect templates give podman's results" {
	images_both
	ctrs warren_s
	ctrs podman_u
	local t
	for t in '{{.Names}}' \
		'{{.Names}}:{{printf "%.6s" .Status}}' '{{len .Names}}'; do
		both ctmpl "$t"
	done
	for t in '{{.State.ExitCode}} {{.State.Status}} {{.State.Running}}' \
		'{{json .Config.Cmd}}' '{{.Config.WorkingDir}} {{.Config.User}}' \
		'{{index .Config.Labels "tier"}}' '{{json .Config.Labels}}'; do
		both itmplc "$t"
	done
	# podman differs: .Name is "c1" where Docker prints "/c1" (documented
	# under docker inspect); warren follows Docker
	[ "$(warren_s inspect -f '{{.Name}}' c1)" = /c1 ]
	# podman differs: its .State is the status text; Docker's documented
	# .State is the state's name
	[ "$(ctmpl warren_s '{{.Names}} {{.State}}' | tr '\n' ' ')" = "c1 exited c2 exited c3 created " ]
	# podman differs: its ps rows have no .Label method, Docker's do (the
	# documented `docker ps --format '{{.Label "com.example"}}'`), with the
	# key's last part as the table header
	run ! podman_u ps -a --format '{{.Label "tier"}}'
	# (c3 has conf:1's label: a container's labels include its image's)
	[ "$(ctmpl warren_s '{{.Names}}={{.Label "tier"}}' | tr '\n' ' ')" = "c1=web c2=db c3=web " ]
	[ "$(warren_s ps -a --format 'table {{.Label "org.example.tier"}}' | head -n 1)" = TIER ]
	# Docker's maps print in key order whatever order they were given in
	warren_s run --network none --name c4 --label b=2 --label a=1 conf:1 true
	[ "$(warren_s ps -a -f name=c4 --format '{{.Labels}}')" = a=1,b=2,gen=1,org.example.name=two\ words,tier=web ]
	[ "$(warren_s inspect -f '{{json .Config.Labels}}' c4)" = \
		'{"a":"1","b":"2","gen":"1","org.example.name":"two words","tier":"web"}' ]
	# podman differs: its .Mounts lists destinations ("[/data]"); Docker's
	# lists volume names or bind sources, and .LocalVolumes counts volumes
	[ "$(warren_s ps -a -f name=c2 --format '{{.LocalVolumes}} {{.Mounts}}')" = "1 cv" ]
}

# thead TOOL ARGS...: the header line of a table, its words
thead() { $1 "${@:2}" | head -n 1 | tr -s ' ' ' '; }

@test "table headers of ps, images, volume ls and custom tables are podman's" {
	images_both
	ctrs warren_s
	ctrs podman_u
	both thead ps -a
	both thead volume ls
	both thead ps -a --format 'table {{.Names}}\t{{.Status}}\t{{.Image}}'
	both thead images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}'
	both thead volume ls --format 'table {{.Name}}\t{{.Driver}}'
	# podman differs: its `images` table has no CREATED column spacing as
	# Docker's and prints IMAGE ID; Docker's documented header:
	[ "$(thead warren_s images)" = "REPOSITORY TAG IMAGE ID CREATED SIZE" ]
}

@test "a malformed template points at its column; podman refuses it too" {
	images_both
	for tool in warren_s podman_u; do
		run --separate-stderr $tool image inspect -f '{{.Os' conf:1
		[ "$status" -ne 0 ]
	done
	run --separate-stderr warren_s image inspect -f '{{.Os' conf:1
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr_lines[0]}" == *"column"* || "${stderr_lines[0]}" == *":1:"* ]]
	run --separate-stderr warren_s image inspect -f '{{nosuchfunc .Os}}' conf:1
	[ "$status" -eq 1 ]
	[[ "$stderr" == *nosuchfunc* ]]
}

# ifilt TOOL FILTER: images -f FILTER as sorted repository:tag words
ifilt() { $1 images --format '{{.Repository}}:{{.Tag}}' -f "$2" | unqual | sort | tr '\n' ' '; }

# unqual: image names without the default registry's prefix: podman writes
# localhost/ for a local build, warren (as podman for pulls) docker.io/library/
unqual() { sed -E 's,^(localhost|docker\.io/library)/,,'; }

# iname TOOL ARGS: images ARGS (positional) as sorted repository:tag words
iname() { $1 images --format '{{.Repository}}:{{.Tag}}' "${@:2}" | unqual | sort | tr '\n' ' '; }

@test "images filters and images NAME select what podman's select" {
	images_both
	for tool in warren_s podman_u; do
		for g in 2 3; do
			printf 'FROM conf:1\nLABEL gen=%s\n' "$g" > "$CTX/Dockerfile"
			chown -R "$TEST_USER" "$CTX"
			if [ "$tool" = warren_s ]; then
				build -q -t conf:$g > /dev/null
			else
				podman_u build -q --network none -t conf:$g "$CTX" > /dev/null
			fi
		done
		$tool tag conf:3 other:1
	done
	for f in label=gen label=gen=2 label=tier=web dangling=true dangling=false \
		before=conf:3 since=conf:1; do
		both ifilt "$f"
	done
	# podman differs: reference= selects images, then shows every name of
	# each (other:1 is conf:3's image); Docker shows only the names that
	# match (docker images --filter reference=, "filtering" in its docs)
	[ "$(ifilt warren_s reference=conf)" = "conf:1 conf:2 conf:3 " ]
	[ "$(ifilt podman_u reference=conf)" = "conf:1 conf:2 conf:3 other:1 " ]
	[ "$(ifilt warren_s reference='*:1')" = "conf:1 other:1 " ]
	[ "$(ifilt warren_s reference='conf:[12]')" = "conf:1 conf:2 " ]
	# podman differs as for reference= above: `images conf` shows other:1
	# too, conf:3's other name; Docker lists the repository's names only
	[ "$(iname warren_s conf)" = "conf:1 conf:2 conf:3 " ]
	both iname conf:2
	[ "$(iname warren_s other)" = "other:1 " ]
	both iname nosuch
}

# vfilt TOOL FILTER: volume ls -q -f FILTER, sorted
vfilt() { $1 volume ls -q -f "$2" | sort | tr '\n' ' '; }

@test "volume ls filters select what podman's select" {
	images_both
	for tool in warren_s podman_u; do
		$tool volume create --label k=v lv1 > /dev/null
		$tool volume create --label k=w lv2 > /dev/null
		$tool volume create other > /dev/null
		$tool run --network none --name user -v lv1:/x conf:1 true
	done
	for f in dangling=true dangling=false name=lv label=k label=k=w driver=local; do
		both vfilt "$f"
	done
}

# left TOOL: what remains: containers, then volumes, then images, sorted
left() {
	echo "C: $($1 ps -a --format '{{.Names}}' | sort | tr '\n' ' ')"
	echo "V: $($1 volume ls -q | sort | tr '\n' ' ')"
	echo "I: $($1 images --format '{{.Repository}}:{{.Tag}}' | unqual | sort | tr '\n' ' ')"
}

@test "the prune prompts: n keeps, y removes, -f asks nothing, as podman" {
	images_both
	for tool in warren_s podman_u; do
		$tool run --network none --name gone conf:1 true
		$tool run -d --network none --name up conf:1 sleep infinity > /dev/null
		$tool volume create lonely > /dev/null
		$tool tag conf:1 spare:1
	done
	# podman's prompts are worded otherwise; Docker's are documented:
	run warren_stdin n --root "$STORE" container prune
	[[ "$output" == "WARNING! This will remove all stopped containers."* ]]
	[[ "$output" == *"Are you sure you want to continue? [y/N]"* ]]
	# podman differs: `volume prune` removes named volumes too; Docker's
	# (since 23.0) removes anonymous ones unless -a, as warren's
	printf 'y\n' | as_user "$WARREN" --root "$STORE" volume prune > /dev/null
	[ "$(warren_s volume ls -q)" = lonely ]
	local w p cmd a
	for cmd in "container prune" "volume prune" "image prune -a"; do
		for a in n y; do
			printf '%s\n' "$a" | as_user "$WARREN" --root "$STORE" ${cmd/volume prune/volume prune -a} > /dev/null
			printf '%s\n' "$a" | podman_u $cmd > /dev/null
			# podman differs: image prune -a takes the base image of
			# conf:1, which a container uses; warren keeps an image
			# another image was built on, as Docker's parent chain
			w=$(left warren_s | sed "s,$BASE:latest ,,")
			p=$(left podman_u | sed "s,$BASE:latest ,,")
			echo "$cmd, $a: warren [$w] podman [$p]"
			[ "$w" = "$p" ]
		done
	done
	# -f: no question, the same result
	for tool in warren_s podman_u; do
		$tool run --network none --name gone2 conf:1 true
		run $tool container prune -f < /dev/null
		[[ "$output" != *"[y/N]"* ]]
	done
	[ "$(left warren_s | sed "s,$BASE:latest ,,")" = "$(left podman_u)" ]
	warren_s image inspect "$BASE" > /dev/null
}

# anon TOOL: volumes left after --rm runs with anonymous and named volumes
anon() {
	$1 run --rm --network none -v /anon -v named:/named conf:1 true
	$1 volume ls -q | sort | tr '\n' ' '
}

# anon_rmv TOOL: a kept container with an anonymous volume, then rm -v
anon_rmv() {
	$1 run --network none --name av -v /anon2 conf:1 true
	echo "before: $($1 volume ls -q | grep -vc named)"
	$1 rm -v av > /dev/null
	echo "after: $($1 volume ls -q | grep -vc named)"
}

@test "--rm and rm -v take anonymous volumes and keep named ones, as podman" {
	images_both
	both anon
	both anon_rmv
}

# mounts TOOL: the --mount forms, each observed from inside
mounts() {
	local d=$PODMAN_DIR/bind-$1
	rm -rf "$d"
	as_user mkdir -p "$d"
	echo host > "$d/f"
	$1 run --rm --network none --mount type=bind,source="$d",target=/b conf:1 cat /b/f
	$1 run --rm --network none --mount type=bind,src="$d",dst=/b,readonly conf:1 \
		sh -c 'touch /b/x 2>/dev/null && echo wrote || echo ro'
	$1 run --rm --network none --mount type=bind,source="$d",target=/b,ro=true conf:1 \
		sh -c 'touch /b/x 2>/dev/null && echo wrote || echo ro'
	$1 run --rm --network none --mount type=volume,source=mv,target=/v conf:1 sh -c 'echo in > /v/f'
	$1 run --rm --network none --mount type=volume,source=mv,destination=/w,ro=1 conf:1 cat /w/f
	$1 run --rm --network none --mount type=tmpfs,target=/t,tmpfs-size=1m conf:1 \
		sh -c 'df -k /t | tail -n 1 | tr -s " " | cut -d" " -f2'
	$1 run --rm --network none --mount type=tmpfs,destination=/t,tmpfs-mode=1770 conf:1 stat -c %a /t
}

@test "--mount bind, volume and tmpfs with Docker's keys behave as in podman" {
	images_both
	both mounts
	# podman differs: it refuses `readonly` on type=volume ("invalid mount
	# option"), which Docker's --mount documentation allows for every type
	run ! podman_u run --rm --network none --mount type=volume,source=mv,target=/w,readonly conf:1 true
	run warren_s run --rm --network none --mount type=volume,source=mv,target=/w,readonly conf:1 \
		sh -c 'cat /w/f; touch /w/x 2>/dev/null && echo wrote || echo ro'
	[ "$output" = "in
ro" ]
}

# kept TOOL: a foreground run without --rm, then what Docker's tutorial does
kept() {
	$1 run --network none --name fg conf:1 sh -c 'echo out; echo err >&2; exit 3' || echo "exit $?"
	$1 ps -a --format '{{.Names}} {{printf "%.10s" .Status}}'
	$1 logs fg 2>&1 | sort
	$1 inspect -f '{{.State.ExitCode}} {{.State.Status}}' fg
	$1 start -a fg 2>&1 | sort
	$1 wait fg
	$1 rm fg
	$1 ps -a -q | wc -l
}

@test "a foreground run is kept as an exited container, as podman keeps it" {
	images_both
	both kept
}

@test "TERM under -t in tmux is podman's: xterm, or what -e or the image set" {
	images_both
	printf 'FROM conf:1\nENV TERM=dumb\n' > "$CTX/Dockerfile"
	build -q -t term:1 > /dev/null
	podman_u build -q --network none -t term:1 "$CTX" > /dev/null
	local pod="podman --root $PODMAN_DIR/root --runroot $PODMAN_DIR/run --runtime runc --cgroup-manager cgroupfs --events-backend file --storage-driver vfs --log-level error"
	local war="$WARREN --root $STORE" script="" t n c
	for t in "W:$war" "P:$pod"; do
		n=${t%%:*} c=${t#*:}
		script+="$c run -t --rm --network none conf:1 sh -c 'echo ${n}1=\$TERM'; "
		script+="$c run -t --rm --network none -e TERM=vt100 conf:1 sh -c 'echo ${n}2=\$TERM'; "
		script+="$c run -t --rm --network none term:1 sh -c 'echo ${n}3=\$TERM'; "
		script+="$c run --rm --network none conf:1 sh -c 'echo ${n}4=[\$TERM]'; "
	done
	tmux_start "$script"
	tmux_wait_for "P4=" 60
	local s
	s=$(tmux_screen)
	echo "$s"
	# podman differs: it sets TERM=xterm without -t too; Docker sets TERM
	# only with a terminal (docker run reference, "TERM"), as warren does
	grep -qF 'W4=[]' <<< "$s"
	grep -qF 'P4=[xterm]' <<< "$s"
	for i in 1 2 3; do
		w=$(grep -o "W$i=[^ ]*" <<< "$s" | head -n 1)
		p=$(grep -o "P$i=[^ ]*" <<< "$s" | head -n 1)
		[ -n "$w" ]
		[ "${w#W}" = "${p#P}" ]
	done
}

# badin TOOL ARGS...: exit status and the number of stderr lines
badin() {
	local e n
	e=$($1 "${@:2}" 2>&1 >/dev/null) && n=0 || n=$?
	echo "$n $(printf '%s' "$e" | grep -c .)"
}

@test "bad input: one line; exit 125 for run/create as podman, 1 elsewhere as Docker" {
	images_both
	# run and create: Docker's and podman's 125
	for args in "run --mount type=bind,bogus=1,target=/x conf:1 true" \
		"create --mount type=nosuch,target=/x conf:1" \
		"run --filter x conf:1"; do
		[ "$(badin warren_s $args)" = "125 1" ]
		[ "$(badin podman_u $args | cut -d' ' -f1)" = 125 ]
	done
	# other commands: podman differs (125 for everything); Docker's CLI
	# exits 1 (its documentation of exit codes covers run only; the CLI's
	# other errors are 1), so warren is checked against Docker here
	for args in "images -f bogus=1" "ps -f bogus=1" "volume ls -f bogus=1" \
		"images --format {{.Nope" "container prune -f --filter bogus=1"; do
		[ "$(badin warren_s $args)" = "1 1" ]
		[ "$(badin podman_u $args | cut -d' ' -f1)" -ne 0 ]
	done
}
