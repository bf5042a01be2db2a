#!/bin/bash
# The main job on the bundled data: installs what is missing, builds domscan, brings up the
# bundled test network (in a network namespace), scans the sample portfolio
# (tests/testnet/sample-portfolio.csv) and writes report.csv, report.html and report.json in the
# current directory, then brings the network down.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -d build ] || meson setup build -Dbuildtype=release >/dev/null
ninja -C build >/dev/null
state=$(mktemp -d /tmp/domscan-demo.XXXXXX)
trap 'tests/testnet/testnet down --state "$state" >/dev/null 2>&1; rm -rf "$state"' EXIT
tests/testnet/testnet up --state "$state" --netns "domscan-demo$$" >"$state.up.log" 2>&1 ||
	{ cat "$state.up.log"; exit 1; }
. "$state/env"
ip netns exec "$TESTNET_NETNS" build/domscan scan \
	--resolver "$TESTNET_RESOLVER" --trust-anchor "$TESTNET_TRUST_ANCHOR" \
	--ca-file "$TESTNET_CA_FILE" --ehlo scanner.example --progress \
	--csv report.csv --html report.html --json report.json \
	tests/testnet/sample-portfolio.csv
echo "wrote report.csv, report.html and report.json ($(($(wc -l <report.csv) - 1)) rows)"
