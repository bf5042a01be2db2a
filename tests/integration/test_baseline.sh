#!/bin/bash
# --baseline and --fail-on-regression against the real test network: scan the bl-*.test zones
# (tests/testnet/cases/baseline.zones), CHANGE them in the running network (swap a DKIM key for
# a 512-bit one, SPF -all -> +all, DMARC p=none -> p=reject, add a selector, corrupt the RRSIG
# over a SOA; re-signed and served with `testnet reload`), scan again with the first CSV as
# baseline and assert that exactly those changes are reported (CSV, JSON, HTML), nothing else;
# that --fail-on-regression exits 3 on a regression and 0 when nothing got worse. The zones are
# restored at the end.
. "$(dirname "$0")/lib.sh"

TESTNET="$HERE/../testnet/testnet"
Z="$TESTNET_ZONE_DIR"
bl_zones="bl-stable.test bl-dkim.test bl-spf.test bl-dmarc.test bl-sel.test bl-sig.test bl-gone.test bl-new.test"

# bscan NAME [domscan options...] < domains: CSV/JSON/HTML to $OUT/NAME.*; sets RC.
bscan() {
	local name=$1
	shift
	LAST_CSV="$OUT/$name.csv"
	LAST_JSON="$OUT/$name.json"
	domscan_in scan --resolver "$TESTNET_RESOLVER" --trust-anchor "$TESTNET_TRUST_ANCHOR" \
		--ca-file "$TESTNET_CA_FILE" --timeout 3 --quiet --no-smtp \
		--csv "$LAST_CSV" --json "$LAST_JSON" --html "$OUT/$name.html" "$@" - \
		2>"$OUT/$name.stderr"
	RC=$?
}

# expect_rc WHAT WANT
expect_rc() {
	if [ "$RC" -eq "$2" ]; then
		ok "$1: exit $2"
	else
		not_ok "$1: exit $RC, expected $2"
		sed 's/^/#   /' "$OUT/$name.stderr" 2>/dev/null | head -5
	fi
}

# expect_changes CSV: every row's (domain, baseline_status, changes, regression) must equal the
# lines on stdin ("domain|status|changes|regression"), in order: nothing more, nothing less.
expect_changes() {
	local what=$1 csv=$2 got want
	want=$(cat)
	got=$(/usr/bin/python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")):
    print("|".join((r["domain"], r["baseline_status"], r["changes"], r["regression"])))
' "$csv")
	if [ "$got" = "$want" ]; then
		ok "$what: exactly the expected changes"
	else
		not_ok "$what: changes differ"
		diff <(echo "$want") <(echo "$got") | sed 's/^/#   /'
	fi
}

# The score item of the changes text between two reports (empty when the score is unchanged).
score_item() {
	local a b
	a=$(col "$1" score "$2")
	b=$(col "$1" score "$3")
	[ "$a" = "$b" ] || echo " score:${a:-(none)}>${b:-(none)}"
}

reload() {
	if "$TESTNET" reload --state "$TESTNET_STATE" "$@" >"$OUT/reload.log" 2>&1; then
		return 0
	fi
	not_ok "testnet reload $*"
	sed 's/^/#   /' "$OUT/reload.log"
	return 1
}

# Keep the zones as built, to restore them at the end.
mkdir -p "$OUT/orig"
for z in $bl_zones; do
	cp "$Z/$z.zone" "$Z/$z.zone.signed" "$OUT/orig/"
done
restore() {
	for z in $bl_zones; do
		cp "$OUT/orig/$z.zone" "$OUT/orig/$z.zone.signed" "$Z/"
	done
	"$TESTNET" reload --keep-signed --state "$TESTNET_STATE" $bl_zones >/dev/null 2>&1
}
trap restore EXIT

list1='bl-stable.test
bl-dkim.test
bl-spf.test
bl-dmarc.test
bl-sel.test
bl-sig.test
bl-gone.test
not a domain!'
list2='bl-stable.test
bl-dkim.test
bl-spf.test
bl-dmarc.test
bl-sel.test
bl-sig.test
bl-new.test
not a domain!
bl-dkim.test'

# ---- 1. the first night
bscan run1 <<<"$list1"
expect_rc "first scan" 0
run1="$OUT/run1.csv"
# The starting point the changes below depend on.
expect bl-dkim.test dkim pass
expect bl-spf.test spf pass
expect bl-dmarc.test dmarc fail
expect bl-dmarc.test dmarc_policy none
expect bl-sel.test dkim_selectors whs1
expect bl-sig.test dnssec_status secure
head -1 "$run1" | grep -Eq 'baseline_status|changes|regression' && not_ok "change columns without --baseline: $(head -1 "$run1")" || ok "no change columns without --baseline"


# ---- 2. nothing changed: no changes, exit 0 with --fail-on-regression
bscan same <<<"$list1" --baseline "$run1" --fail-on-regression
expect_rc "unchanged network, --fail-on-regression" 0
head -1 "$OUT/same.csv" | grep -q ',baseline_status,baseline_score,score_change,changes,regression$' && ok "change columns last with --baseline" || not_ok "header: $(head -1 "$OUT/same.csv")"
expect_changes "unchanged network" "$OUT/same.csv" <<'EOF'
bl-stable.test|unchanged||no
bl-dkim.test|unchanged||no
bl-spf.test|unchanged||no
bl-dmarc.test|unchanged||no
bl-sel.test|unchanged||no
bl-sig.test|unchanged||no
bl-gone.test|unchanged||no
not a domain!|not_compared||
EOF

# ---- 3. change the network
k512=$(cat "$TESTNET_DKIM_DIR/rsa512.pub.b64")
sed -i '/^whs1\._domainkey\.bl-dkim\.test\. /d' "$Z/bl-dkim.test.zone"
echo "whs1._domainkey.bl-dkim.test. 300 IN TXT \"v=DKIM1; k=rsa; p=$k512\"" >>"$Z/bl-dkim.test.zone"
sed -i 's/"v=spf1 mx -all"/"v=spf1 mx +all"/' "$Z/bl-spf.test.zone"
sed -i 's/"v=DMARC1; p=none"/"v=DMARC1; p=reject"/' "$Z/bl-dmarc.test.zone"
whs2=$(grep '^whs1\._domainkey\.bl-sel\.test\. ' "$Z/bl-sel.test.zone" | sed 's/^whs1\./whs2./')
echo "$whs2" >>"$Z/bl-sel.test.zone"
reload bl-dkim.test bl-spf.test bl-dmarc.test bl-sel.test && ok "zones edited, re-signed, reloaded"
# break the signature over bl-sig.test's SOA (served as edited, not re-signed)
/usr/bin/python3 - "$Z/bl-sig.test.zone.signed" <<'PY'
import base64, sys
p = sys.argv[1]
out = []
for line in open(p):
    f = line.split()
    if len(f) > 12 and f[0] == "bl-sig.test." and f[3] == "RRSIG" and f[4] == "SOA":
        sig = bytearray(base64.b64decode("".join(f[12:])))
        sig[5] ^= 0x5A
        line = "\t".join(f[:12] + [base64.b64encode(bytes(sig)).decode()]) + "\n"
    out.append(line)
open(p, "w").write("".join(out))
PY
reload --keep-signed bl-sig.test && ok "bl-sig.test served with a broken RRSIG"

# ---- 4. the second night: compare with the first
bscan run2 <<<"$list2" --baseline "$run1" --fail-on-regression
expect_rc "regressions with --fail-on-regression" 3
run2="$OUT/run2.csv"
expect_changes "after the changes" "$run2" <<EOF
bl-stable.test|unchanged||no
bl-dkim.test|changed|dkim:pass>fail$(score_item bl-dkim.test "$run1" "$run2")|yes
bl-spf.test|changed|spf:pass>fail$(score_item bl-spf.test "$run1" "$run2")|yes
bl-dmarc.test|changed|dmarc:fail>pass$(score_item bl-dmarc.test "$run1" "$run2") dmarc_policy:none>reject|no
bl-sel.test|changed|dkim_selectors:+whs2|no
bl-sig.test|changed|dnssec:pass>fail$(score_item bl-sig.test "$run1" "$run2") dnssec_status:secure>bogus|yes
bl-new.test|new||no
not a domain!|not_compared||
bl-dkim.test|changed|dkim:pass>fail$(score_item bl-dkim.test "$run1" "$run2")|yes
EOF
for d in bl-dkim.test bl-spf.test bl-sig.test; do
	a=$(col $d score "$run1")
	b=$(col $d score "$run2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" -lt "$a" ] && ok "$d score dropped ($a -> $b)" || not_ok "$d score $a -> $b"
	[ "$(col $d score_change "$run2")" = "$((b - a))" ] && ok "$d score_change $((b - a))" || not_ok "$d score_change $(col $d score_change "$run2")"
	[ "$(col $d baseline_score "$run2")" = "$a" ] && ok "$d baseline_score $a" || not_ok "$d baseline_score $(col $d baseline_score "$run2")"
done
expect_json bl-dkim.test 'r["changes"]["checks"]["dkim"]' '{"from": "pass", "to": "fail", "worse": true}'
expect_json bl-dkim.test 'r["changes"]["regression"]' 'true'
expect_json bl-dmarc.test 'r["changes"]["columns"]["dmarc_policy"]' '{"from": "none", "to": "reject", "worse": false}'
expect_json bl-dmarc.test 'r["changes"]["improved"]' 'true'
expect_json bl-new.test 'r["changes"]["status"]' 'new'
expect_json bl-stable.test 'r["changes"]["checks"]' '{}'
/usr/bin/python3 - "$OUT/run2.html" <<'PY' && ok "HTML: changes section at the top with the worse, changed, new and missing domains" || not_ok "HTML changes section"
import re, sys
h = open(sys.argv[1], encoding="utf-8").read()
s = h.index('<section id="changes">')
assert s < h.index("<h2>Overview"), "not at the top"
sec = h[s:h.index("</section>", s)]
worse = sec[sec.index('id="changes-worse"'):sec.index('id="changes-other"')]
other = sec[sec.index('id="changes-other"'):sec.index('id="changes-new"')]
new = sec[sec.index('id="changes-new"'):sec.index('id="changes-missing"')]
missing = sec[sec.index('id="changes-missing"'):]
doms = lambda t: sorted(set(re.findall(r"bl-[a-z]+\.test", t)))
assert doms(worse) == ["bl-dkim.test", "bl-sig.test", "bl-spf.test"], doms(worse)
assert worse.count("bl-dkim.test</a>") == 1, "duplicate row listed twice"
assert doms(other) == ["bl-dmarc.test", "bl-sel.test"], doms(other)
assert doms(new) == ["bl-new.test"], doms(new)
assert doms(missing) == ["bl-gone.test"], doms(missing)
assert "DKIM: pass &rarr; fail" in worse
assert "<b>3</b>got worse" in sec and "<b>1</b>not in this run" in sec
PY

# without --fail-on-regression the same comparison exits 0 (and the HTML in Dutch)
bscan run2b <<<"$list2" --baseline "$run1" --lang nl
expect_rc "regressions without --fail-on-regression" 0

# In the browser: headless Chromium renders the Dutch report with the changes section first.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$OUT/chrome" --dump-dom "file://$OUT/run2b.html" \
		>"$OUT/dom-run2b.html" 2>"$OUT/chrome.log"
	timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$OUT/chrome" --window-size=1280,1600 \
		--screenshot="$OUT/changes-nl.png" "file://$OUT/run2b.html" >/dev/null 2>&1
	/usr/bin/python3 - "$OUT/dom-run2b.html" <<'PY' && ok "browser: the Dutch changes section renders first (screenshot changes-nl.png)" || not_ok "browser: changes section (see $OUT/dom-run2b.html)"
import re, sys
d = open(sys.argv[1], encoding="utf-8").read()
h2 = re.findall(r"<h2[^>]*>(.*?)</h2>", d)
assert h2 and h2[0].startswith("Wijzigingen sinds "), h2[:2]
sec = d[d.index('<section id="changes">'):d.index("</section>")]
assert "DKIM: goed → onvoldoende" in sec, "verdict words"
assert "[[" not in sec, "untranslated"
for dom in ("bl-dkim.test", "bl-spf.test", "bl-sig.test", "bl-dmarc.test", "bl-sel.test", "bl-new.test", "bl-gone.test"):
    assert dom in sec, dom
PY
else
	not_ok "no chromium for the browser check (scripts/install-deps.sh installs it)"
fi

# ---- 5. only improvements: undo the DKIM and SPF changes
cp "$OUT/orig/bl-dkim.test.zone" "$OUT/orig/bl-spf.test.zone" "$Z/"
reload bl-dkim.test bl-spf.test && ok "DKIM and SPF changes undone"
bscan run3 <<<"$list2" --baseline "$run2" --fail-on-regression
expect_rc "only improvements, --fail-on-regression" 0
run3="$OUT/run3.csv"
expect_changes "improvements only" "$run3" <<EOF
bl-stable.test|unchanged||no
bl-dkim.test|changed|dkim:fail>pass$(score_item bl-dkim.test "$run2" "$run3")|no
bl-spf.test|changed|spf:fail>pass$(score_item bl-spf.test "$run2" "$run3")|no
bl-dmarc.test|unchanged||no
bl-sel.test|unchanged||no
bl-sig.test|unchanged||no
bl-new.test|unchanged||no
not a domain!|not_compared||
bl-dkim.test|changed|dkim:fail>pass$(score_item bl-dkim.test "$run2" "$run3")|no
EOF

# the baseline may be the CSV being rewritten: it is read before the report is opened
cp "$run3" "$OUT/inplace.csv"
domscan_in scan --resolver "$TESTNET_RESOLVER" --trust-anchor "$TESTNET_TRUST_ANCHOR" \
	--ca-file "$TESTNET_CA_FILE" --timeout 3 --quiet --no-smtp --csv "$OUT/inplace.csv" \
	--baseline "$OUT/inplace.csv" --fail-on-regression - <<<"$list2" 2>"$OUT/inplace.stderr"
RC=$?
expect_rc "--baseline FILE --csv FILE (the same file)" 0
n=$(grep -c ',unchanged,' "$OUT/inplace.csv")
[ "$n" = 8 ] && ok "same file: all 8 compared rows unchanged" || not_ok "same file: $n unchanged rows"

# ---- 6. argument errors
bscan noarg <<<"$list1" --fail-on-regression
expect_rc "--fail-on-regression without --baseline" 1
grep -q 'needs --baseline' "$OUT/noarg.stderr" && ok "says it needs --baseline" || not_ok "message: $(cat "$OUT/noarg.stderr")"
printf 'bl-stable.test\nbl-dkim.test\n' >"$OUT/plain-list.txt"
bscan badbase <<<"$list1" --baseline "$OUT/plain-list.txt"
expect_rc "a baseline that is not a report" 1
grep -q 'no header row with a domain column' "$OUT/badbase.stderr" && ok "says why the baseline is unusable" || not_ok "message: $(cat "$OUT/badbase.stderr")"

# ---- 7. restore the network
trap - EXIT
restore
bscan restored <<<"$list1" --baseline "$run1"
expect_rc "after restoring" 0
n=$(/usr/bin/python3 -c '
import csv, sys
print(sum(1 for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["baseline_status"] == "changed"))' "$OUT/restored.csv")
[ "$n" = 0 ] && ok "zones restored: no changes against the first scan" || not_ok "$n domains still differ after restoring"
done_testing
