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
export WARREN_TEST_ROOT WARREN_PREFIX WARREN_TEST_USER WARREN_NOSUB_USER \
	WARREN_TEST_SUBUID WARREN_BATS_TMP
