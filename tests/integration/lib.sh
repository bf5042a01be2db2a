# Shared helpers for the integration tests (tests/integration/test_*.sh), sourced by each.
# The runner (tests/run-integration) exports DOMSCAN (the binary), TESTNET_STATE (a running
# test network's state dir) and OUT (a scratch dir for this test). Each test prints TAP-style
# "ok N - what" / "not ok N - what" lines; the runner counts them.
set -u
. "$TESTNET_STATE/env"
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_N=0
T_FAILED=0

# Run domscan inside the test network's namespace.
domscan_in() {
	ip netns exec "$TESTNET_NETNS" "$DOMSCAN" "$@"
}

# scan NAME [extra domscan options...] < domains
# Scans the domains on stdin with the test network's resolver, anchor and CA; writes
# $OUT/NAME.csv and $OUT/NAME.json and sets LAST_CSV/LAST_JSON.
scan() {
	local name=$1
	shift
	LAST_CSV="$OUT/$name.csv"
	LAST_JSON="$OUT/$name.json"
	domscan_in scan --resolver "$TESTNET_RESOLVER" --trust-anchor "$TESTNET_TRUST_ANCHOR" \
		--ca-file "$TESTNET_CA_FILE" --timeout 3 --quiet \
		--csv "$LAST_CSV" --json "$LAST_JSON" "$@" - 2>"$OUT/$name.stderr"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "# domscan scan exited $rc; stderr:" >&2
		sed 's/^/#   /' "$OUT/$name.stderr" >&2
	fi
	return $rc
}

ok() {
	T_N=$((T_N + 1))
	echo "ok $T_N - $*"
}

not_ok() {
	T_N=$((T_N + 1))
	T_FAILED=$((T_FAILED + 1))
	echo "not ok $T_N - $*"
}

# col DOMAIN COLUMN [CSV]: print the value of COLUMN in the (first) row of DOMAIN.
col() {
	/usr/bin/python3 "$HERE/csvget.py" "${3:-$LAST_CSV}" "$1" "$2"
}

# expect DOMAIN COLUMN VALUE: assert one cell of the last scan's CSV.
expect() {
	local got
	got=$(col "$1" "$2")
	if [ "$got" = "$3" ]; then
		ok "$1 $2 = $3"
	else
		not_ok "$1 $2: expected '$3', got '$got'"
	fi
}

# jq-like access to the last JSON Lines report: jget DOMAIN PYTHON-EXPR (row is `r`).
jget() {
	/usr/bin/python3 "$HERE/jsonget.py" "$LAST_JSON" "$1" "$2"
}

# expect_json DOMAIN PYTHON-EXPR VALUE
expect_json() {
	local got
	got=$(jget "$1" "$2")
	if [ "$got" = "$3" ]; then
		ok "$1 $2 == $3"
	else
		not_ok "$1 $2: expected '$3', got '$got'"
	fi
}

done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}
