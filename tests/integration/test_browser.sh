#!/bin/bash
# The HTML report in a real browser (headless Chromium, Debian's chromium package), driven over
# the DevTools protocol by tests/browser/check_report.py (see there for every assertion):
#  - the harness itself catches script that runs (a deliberately unsafe canary page);
#  - the report of the sample portfolio: overview, table = CSV, details, sorting by clicks,
#    filtering by typing, navigation, the page without JavaScript, no console message; a
#    screenshot is kept in $OUT (path printed); in Dutch, the pager's texts and keyboard sorting;
#  - the hostile records of tests/testnet/cases/hostile-text.zones: nothing executes, the text
#    is shown literally, with and without JavaScript; their CSV read back with Python's csv;
#  - a 50,000-row synthetic report (tests/browser/synth_report: real scan results through the
#    real HTML writer) loads, sorts and filters within generous bounds.
. "$(dirname "$0")/lib.sh"
BROWSER_DIR=$(cd "$HERE/../browser" && pwd)
LARGE_ROWS=${DOMSCAN_BROWSER_ROWS:-50000}

# check MODE ARGS...: run one part of check_report.py; its PASS/FAIL lines become TAP lines.
check() {
	local log="$OUT/check-$1.log" rc
	/usr/bin/python3 "$BROWSER_DIR/check_report.py" "$@" >"$log" 2>&1
	rc=$?
	local before=$T_FAILED
	while IFS= read -r line; do
		case "$line" in
		"PASS "*) ok "${line#PASS }" ;;
		"FAIL "*) not_ok "${line#FAIL }" ;;
		"# "*) echo "$line" ;;
		esac
	done <"$log"
	if [ $rc -ne 0 ] && [ "$T_FAILED" -eq "$before" ]; then
		not_ok "check_report.py $1 exited $rc:"
		sed 's/^/#   /' "$log" | tail -20
	fi
}

if ! [ -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null; then
	not_ok "chromium is not installed (scripts/install-deps.sh installs it)"
	done_testing
	exit
fi

check canary "$OUT"

# 1. the sample portfolio
scan portfolio --html "$OUT/portfolio.html" <"$TESTNET_PORTFOLIO" ||
	not_ok "scan of the sample portfolio failed"
check portfolio "$OUT/portfolio.html" "$OUT/portfolio.csv" "$OUT/portfolio.png"
echo "# screenshot: $OUT/portfolio.png"
# the same in Dutch: the script's own texts come from the catalogue
scan portfolio-nl --lang nl --html "$OUT/portfolio-nl.html" <"$TESTNET_PORTFOLIO" ||
	not_ok "scan of the sample portfolio in Dutch failed"
check lang "$OUT/portfolio-nl.html" "$OUT/portfolio-nl.csv" nl

# 2. hostile record text (and formula-looking carried cells)
hostile_in="$OUT/hostile-input.csv"
{
	echo "domain,customer"
	echo "xss-spf.test,=1+2"
	echo "xss-caa.test,@SUM(A1)"
	echo "xss-text.test,-1"
	echo "xss-sts.test,+1"
	printf 'xss-long.test,"\tx"\n'
	echo "xss-csv.test,plain"
} >"$hostile_in"
scan hostile --html "$OUT/hostile.html" <"$hostile_in" || not_ok "scan of the hostile domains failed"
check hostile "$OUT/hostile.html" "$OUT/hostile.json"
check csv "$hostile_in" "$OUT/hostile.csv"

# 3. a 50,000-row report from the real results of both scans
# DOMSCAN_SYNTH: a synth_report from another build (scripts/test.sh passes the optimised one:
# the sanitizer build's writer takes about 5 ms a row, 4 minutes for 50,000 on this box).
synth=${DOMSCAN_SYNTH:-"$(dirname "$DOMSCAN")/tests/browser/synth_report"}
if [ -x "$synth" ]; then
	if DOMSCAN_DATADIR=$(cd "$HERE/../../data" && pwd) "$synth" "$LARGE_ROWS" "$OUT/large.html" "$OUT/portfolio.json" "$OUT/hostile.json" \
		2>"$OUT/synth.log"; then
		ok "synth_report wrote $LARGE_ROWS rows ($(du -m "$OUT/large.html" | cut -f1) MB): $(cat "$OUT/synth.log")"
		check large "$OUT/large.html" "$LARGE_ROWS" 180 30
		echo "# screenshot: $OUT/large.png"
	else
		not_ok "synth_report failed: $(tail -3 "$OUT/synth.log")"
	fi
	rm -f "$OUT/large.html" # hundreds of MB; the screenshot and logs stay
else
	not_ok "no $synth (built with domscan: ninja -C BUILD tests/browser/synth_report)"
fi
done_testing
