#!/bin/bash
# contrib/domscan-nightly against the real test network: dated report directories, the previous
# complete night as --baseline, exit 3 on a regression with --fail-on-regression, a failed scan
# kept aside and never used as a baseline, retention of old nights, the `latest` link.
# Changes bl-spf.test (tests/testnet/cases/baseline.zones) and restores it at the end.
. "$(dirname "$0")/lib.sh"

NIGHTLY="$HERE/../../contrib/domscan-nightly"
TESTNET="$HERE/../testnet/testnet"
Z="$TESTNET_ZONE_DIR"
nights="$OUT/reports"
portfolio="$OUT/portfolio.txt"
printf 'bl-stable.test\nbl-spf.test\n' >"$portfolio"

# domscan inside the test network's namespace, as the script's --domscan command
wrapper="$OUT/domscan-in-netns"
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$TESTNET_NETNS" "$DOMSCAN" >"$wrapper"
chmod +x "$wrapper"
opts=(-- --resolver "$TESTNET_RESOLVER" --trust-anchor "$TESTNET_TRUST_ANCHOR"
	--ca-file "$TESTNET_CA_FILE" --timeout 3 --no-smtp)

night() { # night [script options...]: runs one night; sets RC and LOG
	LOG="$OUT/night.$((++N)).log"
	"$NIGHTLY" --domscan "$wrapper" "$@" "$nights" "$portfolio" "${opts[@]}" >"$LOG" 2>&1
	RC=$?
}
N=0
newest() { # the newest complete night directory
	find "$nights" -mindepth 1 -maxdepth 1 -type d -name '20*' ! -name '*.*' | sort | tail -n 1
}

cp "$Z/bl-spf.test.zone" "$OUT/bl-spf.test.zone.orig"
restore() {
	cp "$OUT/bl-spf.test.zone.orig" "$Z/bl-spf.test.zone"
	"$TESTNET" reload --state "$TESTNET_STATE" bl-spf.test >/dev/null 2>&1
}
trap restore EXIT

# ---- night 1: nothing to compare with
night --fail-on-regression
[ $RC -eq 0 ] && ok "first night: exit 0" || not_ok "first night: exit $RC: $(cat "$LOG")"
n1=$(newest)
[ "$(basename "$n1")" = "$(date +%F)" ] && ok "dated directory $(basename "$n1")" || not_ok "directory '$n1'"
for f in domscan.csv domscan.json domscan.html domscan.log .complete; do
	[ -e "$n1/$f" ] && ok "night 1 has $f" || not_ok "night 1 lacks $f"
done
[ "$(readlink "$nights/latest")" = "$(basename "$n1")" ] && ok "latest -> night 1" || not_ok "latest -> $(readlink "$nights/latest")"
grep -q 'no earlier night' "$LOG" && ok "summary: no earlier night" || not_ok "summary: $(cat "$LOG")"
head -1 "$n1/domscan.csv" | grep -q baseline_status && not_ok "night 1 has change columns" || ok "night 1 has no change columns"

# ---- night 2 (same day): compared with night 1, nothing changed
night --fail-on-regression
n2=$(newest)
[ $RC -eq 0 ] && ok "second night, unchanged: exit 0" || not_ok "second night: exit $RC: $(cat "$LOG")"
[ "$n2" != "$n1" ] && [[ "$(basename "$n2")" == "$(date +%F)"-[0-9]* ]] && ok "second run of the day: $(basename "$n2")" || not_ok "second directory '$n2'"
[ "$(col bl-spf.test baseline_status "$n2/domscan.csv")" = unchanged ] && ok "night 2 compared with night 1" || not_ok "night 2 baseline_status: $(col bl-spf.test baseline_status "$n2/domscan.csv")"
grep -q "0 got worse since $(basename "$n1")" "$LOG" && ok "summary names the baseline" || not_ok "summary: $(cat "$LOG")"

# ---- a failed night: kept aside, not a baseline
sleep 1
"$NIGHTLY" --domscan "$wrapper" "$nights" "$portfolio" -- --resolver 127.0.0.1@notaport >"$OUT/failed.log" 2>&1
rc=$?
[ $rc -eq 1 ] && ok "a failing scan: exit 1" || not_ok "a failing scan: exit $rc"
ls -d "$nights"/*.failed >/dev/null 2>&1 && ok "failed night kept as *.failed" || not_ok "no *.failed directory"
[ "$(newest)" = "$n2" ] && ok "latest complete night unchanged" || not_ok "newest is $(newest)"

# ---- night 3: SPF got worse
sed -i 's/"v=spf1 mx -all"/"v=spf1 mx +all"/' "$Z/bl-spf.test.zone"
"$TESTNET" reload --state "$TESTNET_STATE" bl-spf.test >"$OUT/reload.log" 2>&1 && ok "bl-spf.test changed" || not_ok "reload: $(cat "$OUT/reload.log")"
sleep 1
night --fail-on-regression
n3=$(newest)
[ $RC -eq 3 ] && ok "regression with --fail-on-regression: exit 3" || not_ok "night 3: exit $RC: $(cat "$LOG")"
[ -e "$n3/.complete" ] && [ "$n3" != "$n2" ] && ok "night 3 complete despite the regression" || not_ok "night 3 directory '$n3'"
[ "$(col bl-spf.test changes "$n3/domscan.csv")" = "spf:pass>fail$(a=$(col bl-spf.test score "$n2/domscan.csv"); b=$(col bl-spf.test score "$n3/domscan.csv"); [ "$a" = "$b" ] || echo " score:$a>$b")" ] &&
	ok "night 3 compared with night 2 (not the failed run)" || not_ok "night 3 changes: $(col bl-spf.test changes "$n3/domscan.csv")"
grep -q "1 got worse since $(basename "$n2")" "$LOG" && ok "summary: 1 got worse" || not_ok "summary: $(cat "$LOG")"

# ---- night 4 without --fail-on-regression: exit 0; retention removes old nights
mkdir -p "$nights/2000-01-01" "$nights/2000-01-02.failed"
touch "$nights/2000-01-01/.complete"
touch -d '200 days ago' "$nights/2000-01-01" "$nights/2000-01-02.failed"
sleep 1
night --keep 90
[ $RC -eq 0 ] && ok "without --fail-on-regression: exit 0" || not_ok "night 4: exit $RC: $(cat "$LOG")"
[ ! -e "$nights/2000-01-01" ] && [ ! -e "$nights/2000-01-02.failed" ] && ok "nights older than 90 days removed" || not_ok "old nights still there"
[ -d "$n1" ] && [ -d "$n3" ] && ok "recent nights kept" || not_ok "recent nights removed"
[ "$(readlink "$nights/latest")" = "$(basename "$(newest)")" ] && ok "latest -> the newest night" || not_ok "latest -> $(readlink "$nights/latest")"

# ---- another run holding the lock
exec 8>"$nights/.lock"
flock -n 8
"$NIGHTLY" --domscan "$wrapper" "$nights" "$portfolio" "${opts[@]}" >"$OUT/locked.log" 2>&1
rc=$?
exec 8>&-
[ $rc -eq 2 ] && grep -q 'another run' "$OUT/locked.log" && ok "a second concurrent run refuses (exit 2)" || not_ok "concurrent run: exit $rc"
done_testing
