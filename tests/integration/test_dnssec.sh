#!/bin/bash
# DNSSEC (verdicts.md "dnssec"): domscan's own validation from the test network's root anchor.
# Every case's dnssec_status must agree with Unbound's own validation of the same SOA query
# (AD bit = secure, SERVFAIL = bogus, neither = insecure; SERVFAIL also with +cd = error), and a
# non-validating resolver (TESTNET_RESOLVER_NOVAL) must give the same verdicts.
# Zones: tests/testnet/cases/dnssec.zones, dnssec-extra.zones, dnssec-dname-tlsa.zones and
# base.zones. Also: answers synthesised from a DNAME (RFC 6672), and the validator's bounded
# cache (DOMSCAN_DNSSEC_CACHE) evicting while scanning gives the same verdicts.
. "$(dirname "$0")/lib.sh"

DOMAINS="good.test nsec3.test esp.test alg8.test alg13.test alg15.test rsasha1.test nsec3iter.test
missingsig.test forgednsec.test cnamebogus.test expired.test badds.test unsigned.test
child.nsec3.test unsigned.nsec3.test wild.test deep3.test sub.parentcaa.test nomx.test
lame.dnserr.test dname.test dnamebogus.test mx.alias.dname.test x.alias.dname.test
x.bad.dname.test x.nsec3.dname.test"

scan dnssec --no-smtp < <(printf '%s\n' $DOMAINS) || { not_ok "domscan scan failed"; done_testing; exit 1; }
VAL_CSV=$LAST_CSV

# domain verdict status
while read -r d verdict status; do
	[ -n "$d" ] || continue
	expect "$d" dnssec "$verdict"
	expect "$d" dnssec_status "$status"
done <<'CASES'
good.test            pass    secure
nsec3.test           pass    secure
esp.test             pass    secure
alg8.test            pass    secure
alg13.test           pass    secure
alg15.test           pass    secure
rsasha1.test         warning secure
nsec3iter.test       warning secure
missingsig.test      fail    bogus
forgednsec.test      fail    bogus
cnamebogus.test      pass    secure
expired.test         fail    bogus
badds.test           fail    bogus
unsigned.test        fail    insecure
child.nsec3.test     pass    secure
unsigned.nsec3.test  fail    insecure
wild.test            pass    secure
deep3.test           pass    secure
sub.parentcaa.test   pass    secure
nomx.test            pass    secure
lame.dnserr.test     error   error
dname.test           pass    secure
dnamebogus.test      pass    secure
mx.alias.dname.test  pass    secure
x.alias.dname.test   pass    secure
x.bad.dname.test     fail    bogus
x.nsec3.dname.test   pass    secure
CASES

# reasons a person can act on
sub() { # DOMAIN SUBTEST [SERVER] -> "status points"
	local srv=None
	[ -n "${3:-}" ] && srv="'$3'"
	jget "$1" "' '.join(str(s.get(k)) for s in r['checks']['dnssec']['subtests'] if s['name']=='$2' and s.get('server')==$srv for k in ('status','points'))"
}
expect_sub() {
	local got
	got=$(sub "$1" "$2" "${4:-}")
	if [ "$got" = "$3" ]; then ok "$1 $2 ${4:-} = $3"; else not_ok "$1 $2 ${4:-}: expected '$3', got '$got'"; fi
}
expect_reason() { # DOMAIN SUBSTRING
	local got
	got=$(jget "$1" "r['checks']['dnssec']['reason']")
	case "$got" in *"$2"*) ok "$1 reason mentions '$2'" ;; *) not_ok "$1 reason '$got' lacks '$2'" ;; esac
}
expect_reason expired.test "RRSIG on expired.test/DNSKEY expired 2020-02-01"
expect_reason badds.test "DS for badds.test matches no DNSKEY (key tag"
expect_reason missingsig.test "no RRSIG on missingsig.test/SOA"
expect_reason forgednsec.test "no valid proof that forgednsec.test has no DS"
expect_reason unsigned.test "unsigned.test is an unsigned delegation"
expect_reason unsigned.nsec3.test "NSEC3 proves no DS"
expect_reason x.bad.dname.test "RRSIG on expired.test/DNSKEY expired"
# the DNAME-synthesised CNAME is followed: the chain shows the substituted name
expect_json mx.alias.dname.test 'r["checks"]["dnssec"]["domain"]["cname_chain"]' '["mx.good.test"]'
expect_json x.nsec3.dname.test 'r["checks"]["dnssec"]["domain"]["cname_chain"]' '["x.nsec3.test"]'

# subtests and points (Internet.nl model: 10 secure / 2 insecure / 0 bogus or error)
expect_sub good.test dnssec_exists "pass None"
expect_sub good.test dnssec_valid "pass 10"
expect_sub unsigned.test dnssec_exists "fail None"
expect_sub unsigned.test dnssec_valid "not_tested 2"
expect_sub expired.test dnssec_exists "pass None"
expect_sub expired.test dnssec_valid "fail 0"
expect_sub rsasha1.test dnssec_valid "warning 10"
expect_sub good.test dnssec_mx_valid "pass 10" mx.good.test
expect_sub cnamebogus.test dnssec_mx_valid "fail 0" mail.cnamebogus.test
expect_sub expired.test dnssec_mx_valid "fail 0" mx.expired.test
expect_sub unsigned.test dnssec_mx_valid "not_tested 2" mx.unsigned.test
expect_sub wild.test dnssec_mx_valid "pass 10" host.wild.test
expect_sub deep3.test dnssec_mx_valid "pass 10" mx.a.b.deep3.test
expect_sub nomx.test dnssec_mx_exists "not_tested None"
expect_sub dname.test dnssec_mx_valid "pass 10" mx.alias.dname.test
expect_sub dnamebogus.test dnssec_mx_valid "fail 0" mx.bad.dname.test
expect_json nsec3iter.test 'r["checks"]["dnssec"]["domain"]["nsec3_iterations"]' 10
expect_json rsasha1.test 'r["checks"]["dnssec"]["domain"]["deprecated_algorithm"]' true

# agreement with Unbound's own validation
unbound_status() { # NAME -> secure|insecure|bogus|error
	local out
	out=$(ip netns exec "$TESTNET_NETNS" dig +dnssec +time=3 +tries=1 @"$TESTNET_RESOLVER" "$1" SOA 2>&1)
	if echo "$out" | grep -q 'status: SERVFAIL'; then
		if ip netns exec "$TESTNET_NETNS" dig +cd +dnssec +time=3 +tries=1 @"$TESTNET_RESOLVER" "$1" SOA 2>&1 |
			grep -q 'status: \(NOERROR\|NXDOMAIN\)'; then
			echo bogus
		else
			echo error
		fi
	elif echo "$out" | grep -q 'flags:[^;]* ad[ ;]'; then
		echo secure
	elif echo "$out" | grep -q 'status: \(NOERROR\|NXDOMAIN\)'; then
		echo insecure
	else
		echo error
	fi
}
for d in $DOMAINS; do
	want=$(unbound_status "$d")
	got=$(col "$d" dnssec_status "$VAL_CSV")
	if [ "$got" = "$want" ]; then ok "$d agrees with Unbound ($want)"; else not_ok "$d: domscan '$got', Unbound '$want'"; fi
done
# the MX hosts too
while read -r h d; do
	want=$(unbound_status "$h")
	got=$(jget "$d" "[m['status'] for m in r['checks']['dnssec']['mx'] if m['server']=='$h'][0]")
	if [ "$got" = "$want" ]; then ok "MX $h agrees with Unbound ($want)"; else not_ok "MX $h: domscan '$got', Unbound '$want'"; fi
done <<'MXHOSTS'
mx.good.test good.test
mail.cnamebogus.test cnamebogus.test
mx.expired.test expired.test
mx.unsigned.test unsigned.test
host.wild.test wild.test
mx.a.b.deep3.test deep3.test
mx.missingsig.test missingsig.test
mx.alias.dname.test dname.test
mx.bad.dname.test dnamebogus.test
MXHOSTS

# ... and with its extended error (RFC 8914) for every bogus name: domscan's reason names the
# same cause as Unbound's EDE code (7 Signature Expired, 9 DNSKEY Missing: no usable DS/DNSKEY
# link, 10 RRSIGs Missing). Unbound answers a cached bogus name with the generic EDE 6, so its
# bogus cache and the name are flushed first (unbound-control, inside the test network).
n_bogus=0
for d in $DOMAINS; do
	[ "$(col "$d" dnssec_status "$VAL_CSV")" = bogus ] || continue
	n_bogus=$((n_bogus + 1))
	ip netns exec "$TESTNET_NETNS" unbound-control -c "$TESTNET_UNBOUND_CONF" flush_bogus >/dev/null
	ip netns exec "$TESTNET_NETNS" unbound-control -c "$TESTNET_UNBOUND_CONF" flush_zone "$d" >/dev/null
	ede=$(ip netns exec "$TESTNET_NETNS" dig +dnssec +time=3 +tries=1 @"$TESTNET_RESOLVER" "$d" SOA 2>&1 |
		sed -n 's/^; EDE: \([0-9]*\).*/\1/p' | head -1)
	reason=$(jget "$d" "r['checks']['dnssec']['reason']")
	case "$ede" in
	7) pat='expired' ;;
	9) pat='DS' ;;
	10) pat='no RRSIG' ;;
	*) pat='' ;;
	esac
	if [ -n "$pat" ] && [[ "$reason" == *"$pat"* ]]; then
		ok "$d: Unbound EDE $ede, domscan says '$reason'"
	else
		not_ok "$d: Unbound EDE '${ede}', domscan reason '$reason' (want '$pat')"
	fi
done
if [ "$n_bogus" -ge 5 ]; then ok "$n_bogus bogus names compared with Unbound's EDE"; else not_ok "only $n_bogus bogus names"; fi

# NXDOMAIN below each case zone (NSEC and NSEC3 proofs, the wrap-around record, unsigned SOA)
for z in $DOMAINS; do echo "www.$z"; done >"$OUT/nx.txt"
scan dnssec-nx --no-smtp <"$OUT/nx.txt" || not_ok "domscan scan of NXDOMAIN names failed"
while read -r n; do
	want=$(unbound_status "$n")
	got=$(col "$n" dnssec_status)
	if [ "$got" = "$want" ]; then ok "$n agrees with Unbound ($want)"; else not_ok "$n: domscan '$got', Unbound '$want'"; fi
done <"$OUT/nx.txt"

# a non-validating resolver gives the same verdicts
VAL_RESOLVER=$TESTNET_RESOLVER
TESTNET_RESOLVER=$TESTNET_RESOLVER_NOVAL
scan dnssec-noval --no-smtp < <(printf '%s\n' $DOMAINS) ||
	not_ok "domscan scan with the non-validating resolver failed"
TESTNET_RESOLVER=$VAL_RESOLVER
NOVAL_CSV="$OUT/dnssec-noval.csv"
for d in $DOMAINS; do
	for c in dnssec dnssec_status; do
		a=$(col "$d" "$c" "$VAL_CSV")
		b=$(col "$d" "$c" "$NOVAL_CSV")
		if [ "$a" = "$b" ]; then ok "$d $c same without a validating resolver ($b)"; else not_ok "$d $c: '$a' with, '$b' without a validating resolver"; fi
	done
done

# The bounded cache: with room for 3 finished entries (and 4 workers) every walk evicts entries
# other walks may still use. The verdicts must not change, the bound must hold (peak <= 3 + one
# entry being computed per worker) and evictions must have happened.
DOMSCAN_STATS=1 DOMSCAN_DNSSEC_CACHE=3 scan dnssec-cache3 --no-smtp --concurrency 4 \
	< <(printf '%s\n' $DOMAINS) || not_ok "domscan scan with a 3-entry validator cache failed"
SMALL_CSV="$OUT/dnssec-cache3.csv"
for d in $DOMAINS; do
	for c in dnssec dnssec_status; do
		a=$(col "$d" "$c" "$VAL_CSV")
		b=$(col "$d" "$c" "$SMALL_CSV")
		if [ "$a" = "$b" ]; then ok "$d $c same with a 3-entry cache ($b)"; else not_ok "$d $c: '$a' unbounded, '$b' with a 3-entry cache"; fi
	done
done
line=$(grep '^domscan: dnssec cache entries' "$OUT/dnssec-cache3.stderr")
read -r entries peak bound evictions < <(echo "$line" |
	sed -n 's/.*entries \([0-9]*\) (peak \([0-9]*\), bound \([0-9]*\)),.*evictions \([0-9]*\)$/\1 \2 \3 \4/p')
if [ "${bound:-}" = 3 ] && [ "${peak:-99}" -le 7 ] && [ "${entries:-99}" -le 3 ]; then
	ok "cache bound holds (entries $entries, peak $peak, bound $bound)"
else
	not_ok "cache bound: '$line'"
fi
if [ "${evictions:-0}" -gt 0 ]; then ok "cache evicted $evictions entries"; else not_ok "no evictions: '$line'"; fi
# names below the TLD are evicted first: the root and test. stay, their keys verified once
st="$OUT/dnssec-cache3.stderr"
if grep -q '^domscan: dnssec depth root: zones established 1,' "$st" &&
	grep -q '^domscan: dnssec depth tld: zones established 1,' "$st"; then
	ok "3-entry cache: root and test. established once"
else
	not_ok "3-entry cache: $(grep '^domscan: dnssec depth' "$st" | tr '\n' ' ')"
fi
# with the default bound nothing is evicted on this small run, and the root and test. keys are
# verified once (a zone's DNSKEY RRset once per run, whatever the number of names below it)
DOMSCAN_STATS=1 scan dnssec-stats --no-smtp < <(printf '%s\n' $DOMAINS) || not_ok "domscan scan with DOMSCAN_STATS failed"
st="$OUT/dnssec-stats.stderr"
for z in '\.' 'test\.'; do
	if grep -q "^domscan: dnssec zone $z: DNSKEY RRset verifications 1," "$st"; then
		ok "zone $z DNSKEY RRset verified once per run"
	else
		not_ok "zone $z: $(grep "^domscan: dnssec zone $z:" "$st")"
	fi
done
if grep -q '^domscan: dnssec depth tld: zones established 1,' "$st" &&
	grep -q 'evictions 0$' "$st"; then
	ok "one TLD established, no evictions under the default bound"
else
	not_ok "stats: $(grep '^domscan: dnssec' "$st" | tr '\n' ' ')"
fi

done_testing
