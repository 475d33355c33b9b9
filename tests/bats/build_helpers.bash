# Shared by build.bats and build_interop.bats: a fresh store and a build
# context (owned by the test user) per test, and the error-case check.

# build_setup: $STORE, $CTX (the context) and $BASE (busybox in the registry)
build_setup() {
	fresh_store
	CTX=$(user_tmpdir)
	chown "$TEST_USER" "$CTX"
	BASE=$REG/warren/shared
}

# df: the Dockerfile (stdin) into the context
df() { cat > "$CTX/Dockerfile"; }

# file PATH CONTENT: a file in the context
file() {
	mkdir -p "$(dirname "$CTX/$1")"
	printf '%s' "$2" > "$CTX/$1"
}

# build ARGS...: warren build of the context (made the test user's first)
build() {
	chown -R "$TEST_USER" "$CTX"
	warren_s build --network none "$@" "$CTX"
}

# bad_input PATTERN ARGS...: the build fails with exit 125 and one line on
# stderr, "warren: ..." holding PATTERN, and no image bad:1 exists (the base
# is pulled first: its progress is not the error)
bad_input() {
	local pat=$1
	shift
	warren_s pull -q "$BASE" > /dev/null
	run --separate-stderr build "$@"
	echo "$stderr"
	[ "$status" -eq 125 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr_lines[0]}" == warren:* ]]
	[[ "${stderr_lines[0]}" == *"$pat"* ]]
	! warren_s image inspect bad:1 > /dev/null 2>&1
}

# http_serve DIR: a web server for DIR on 127.0.0.1:$PORT (http_stop ends it)
http_serve() {
	PORT=$(free_port)
	python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$1" > /dev/null 2>&1 &
	SERVER_PID=$!
	local i
	for i in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0
		sleep 0.1
	done
	return 1
}

http_stop() {
	[ -z "${SERVER_PID:-}" ] || kill "$SERVER_PID" 2> /dev/null || true
	SERVER_PID=
}
