#!/bin/bash
# The images part's machine setup (root, idempotent, offline):
#   - Debian's docker-registry on 127.0.0.1:$WARREN_REGISTRY_PORT (default
#     5000), storage under $WARREN_TEST_ROOT/registry
#   - the same with htpasswd basic auth on port+1 (user warren / pass sesame)
#   - a faulty peer on port+2 (tests/fixtures/images/faulty-registry.py)
#   - the same with TLS (a self-signed certificate for 127.0.0.1) on port+3
#   - the test images of tests/fixtures/images/mkimages.py, pushed with skopeo
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/env.sh"
port=${WARREN_REGISTRY_PORT:-5000}
auth_port=$((port + 1))
faulty_port=$((port + 2))
tls_port=$((port + 3))
root=$WARREN_TEST_ROOT/registry
fixtures=$here/fixtures/images
mkdir -p "$root"

up() {
	curl -sk -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/v2/" 2>/dev/null | grep -qE '^(200|401)$' ||
		curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:$1/v2/" 2>/dev/null | grep -qE '^(200|401)$'
}

wait_up() {
	local i
	for ((i = 0; i < 100; i++)); do
		up "$1" && return 0
		sleep 0.1
	done
	echo "20-registry: nothing answers on 127.0.0.1:$1 (see $root/$2.log)" >&2
	return 1
}

# start_registry NAME PORT [AUTH-YAML]
start_registry() {
	local name=$1 p=$2 auth=${3:-}
	up "$p" && return 0
	mkdir -p "$root/$name"
	cat > "$root/$name.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $root/$name
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$p
$auth
YML
	setsid nohup docker-registry serve "$root/$name.yml" > "$root/$name.log" 2>&1 < /dev/null &
	echo $! > "$root/$name.pid"
	wait_up "$p" "$name"
}

start_registry plain "$port"
if [ ! -f "$root/htpasswd" ]; then
	python3 -c 'import crypt; print("warren:" + crypt.crypt("sesame", crypt.mksalt(crypt.METHOD_BLOWFISH)))' > "$root/htpasswd" 2>/dev/null
fi
start_registry auth "$auth_port" "auth:
  htpasswd:
    realm: warren-test
    path: $root/htpasswd"

if [ ! -f "$root/tls.crt" ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$root/tls.key" -out "$root/tls.crt" \
		-days 3650 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
fi
start_registry tls "$tls_port" "  tls:
    certificate: $root/tls.crt
    key: $root/tls.key"

if ! up "$faulty_port"; then
	setsid nohup python3 "$fixtures/faulty-registry.py" "$faulty_port" > "$root/faulty.log" 2>&1 < /dev/null &
	echo $! > "$root/faulty.pid"
	wait_up "$faulty_port" faulty
fi

# the faulty peer follows its script: restart it when the script changed
fstamp=$(cat "$fixtures"/*.py | sha256sum | cut -c1-16)
if [ "$(cat "$root/faulty.stamp" 2>/dev/null)" != "$fstamp" ] && [ -f "$root/faulty.pid" ]; then
	kill "$(cat "$root/faulty.pid")" 2>/dev/null || true
	sleep 0.3
	setsid nohup python3 "$fixtures/faulty-registry.py" "$faulty_port" > "$root/faulty.log" 2>&1 < /dev/null &
	echo $! > "$root/faulty.pid"
	wait_up "$faulty_port" faulty
fi
echo "$fstamp" > "$root/faulty.stamp"

# the test images: rebuilt and pushed when the fixture scripts change
stamp=$(cat "$fixtures"/*.py | sha256sum | cut -c1-16)
if [ "$(cat "$root/images.stamp" 2>/dev/null)" != "$stamp-$port-tls" ]; then
	rm -rf "$root/layouts"
	python3 "$fixtures/mkimages.py" "$root/layouts"
	for d in "$root"/layouts/*; do
		name=$(basename "$d")
		skopeo copy -q --all --dest-tls-verify=false "oci:$d:latest" \
			"docker://127.0.0.1:$port/warren/$name:latest"
	done
	# the same "shared" image as Docker schema2, and on the auth registry
	skopeo copy -q --format v2s2 --dest-tls-verify=false "oci:$root/layouts/shared:latest" \
		"docker://127.0.0.1:$port/warren/schema2:latest"
	skopeo copy -q --dest-tls-verify=false --dest-creds warren:sesame \
		"oci:$root/layouts/shared:latest" "docker://127.0.0.1:$auth_port/warren/private:latest"
	skopeo copy -q --dest-tls-verify=false "oci:$root/layouts/shared:latest" \
		"docker://127.0.0.1:$tls_port/warren/tls:latest"
	echo "$stamp-$port-tls" > "$root/images.stamp"
fi
chmod -R a+rX "$root/layouts"
