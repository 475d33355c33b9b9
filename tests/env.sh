# tests/env.sh - the suite's names and places, sourced by tests/setup.sh,
# tests/run.sh and tests/bats/helpers.bash. Every one can be overridden from
# the environment, so that two checkouts can run their suites on one machine
# at once without touching each other's users, files or processes.
WARREN_TEST_ROOT=${WARREN_TEST_ROOT:-/opt/warren-test}          # fixtures, installs
WARREN_PREFIX=${WARREN_PREFIX:-$WARREN_TEST_ROOT/release}      # the warren under test
WARREN_TEST_USER=${WARREN_TEST_USER:-warren-test}              # with subordinate IDs
WARREN_NOSUB_USER=${WARREN_NOSUB_USER:-warren-nosub}           # with none
WARREN_TEST_SUBUID=${WARREN_TEST_SUBUID:-200000}               # start of its 65536 IDs
WARREN_BATS_TMP=${WARREN_BATS_TMP:-/tmp/warren-bats}           # per-test directories
WARREN_REGISTRY_PORT=${WARREN_REGISTRY_PORT:-5000}             # registries on it..+3
WARREN_NET_DNS_IP=${WARREN_NET_DNS_IP:-127.0.18.53}            # net.bats' dnsmasq
WARREN_PORT_BASE=${WARREN_PORT_BASE:-18000}                    # free_port: base..+999
WARREN_LANE_SUBUID=${WARREN_LANE_SUBUID:-1100000}              # lanes 2..: IDs from here
export WARREN_TEST_ROOT WARREN_PREFIX WARREN_TEST_USER WARREN_NOSUB_USER \
	WARREN_TEST_SUBUID WARREN_BATS_TMP WARREN_REGISTRY_PORT WARREN_NET_DNS_IP \
	WARREN_PORT_BASE WARREN_LANE_SUBUID

# lane_env N: turns the values above into lane N's (tests/run.sh runs lanes
# at once, each a bats run of its own). Lane 1 keeps them; lane N > 1 gets
# users suffixed N (common_teardown kills every process of its users, so no
# two lanes may share one), the N-1th 65536 IDs from $WARREN_LANE_SUBUID,
# and its own fixtures and registries, temporary directories, registry ports,
# resolver address and host port range.
lane_env() {
	local n=$1
	[ "$n" -gt 1 ] || return 0
	WARREN_TEST_USER=$WARREN_TEST_USER$n
	WARREN_NOSUB_USER=$WARREN_NOSUB_USER$n
	WARREN_TEST_SUBUID=$((WARREN_LANE_SUBUID + (n - 2) * 65536))
	WARREN_TEST_ROOT=$WARREN_TEST_ROOT/lane$n
	WARREN_BATS_TMP=$WARREN_BATS_TMP.lane$n
	WARREN_REGISTRY_PORT=$((WARREN_REGISTRY_PORT + 10 * (n - 1)))
	WARREN_NET_DNS_IP=${WARREN_NET_DNS_IP%.*}.$((${WARREN_NET_DNS_IP##*.} + n - 1))
	WARREN_PORT_BASE=$((WARREN_PORT_BASE + 1000 * (n - 1)))
}
