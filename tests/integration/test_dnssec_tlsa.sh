#!/bin/bash
# DNSSEC validation of TLSA RRsets, which the dane check relies on (verdicts.md "dane"): the same
# matching TLSA record (3 1 1 of the good listener's key) is served in a secure zone, below a
# zone cut whose TLSA RRSIG was removed (bogus), and in an unsigned zone (insecure); only the
# secure one may make DANE pass. domscan's status of each TLSA RRset must agree with Unbound's
# own validation of the same query, and a non-validating resolver must change nothing.
# Zones: tests/testnet/cases/dnssec-dname-tlsa.zones (tlsasecure, tlsabogus) and tls.zones
# (tlsaunsigned, notlsa).
. "$(dirname "$0")/lib.sh"

DOMAINS="tlsasecure.test tlsabogus.test tlsaunsigned.test notlsa.test"
scan tlsa < <(printf '%s\n' $DOMAINS) || { not_ok "domscan scan failed"; done_testing; exit 1; }
VAL_JSON=$LAST_JSON

tlsa() { # DOMAIN KEY -> the dane detail's TLSA key of the (only) MX
	jget "$1" "r['checks']['dane']['servers'][0]['tlsa'].get('$2')"
}
while read -r d st found dane exists; do
	[ -n "$d" ] || continue
	got=$(tlsa "$d" dnssec)
	if [ "$got" = "$st" ]; then ok "$d TLSA RRset is $st"; else not_ok "$d TLSA: expected $st, got '$got'"; fi
	got=$(tlsa "$d" status)
	if [ "$got" = "$found" ]; then ok "$d TLSA lookup: $found"; else not_ok "$d TLSA lookup: expected $found, got '$got'"; fi
	expect "$d" dane "$dane"
	got=$(jget "$d" "' '.join(s['status'] for s in r['checks']['dane']['subtests'] if s['name']=='dane_exists')")
	if [ "$got" = "$exists" ]; then ok "$d dane_exists $exists"; else not_ok "$d dane_exists: expected $exists, got '$got'"; fi
done <<'CASES'
tlsasecure.test    secure    found  pass  pass
tlsabogus.test     bogus     found  fail  fail
tlsaunsigned.test  insecure  found  fail  fail
notlsa.test        secure    none   fail  fail
CASES

# the three found RRsets are the same record, matching the certificate: only validation differs
want=$(tlsa tlsasecure.test records)
for d in tlsabogus.test tlsaunsigned.test; do
	got=$(tlsa "$d" records)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "$d serves the same TLSA record as tlsasecure.test"; else not_ok "$d TLSA records '$got' differ from '$want'"; fi
done
got=$(jget tlsasecure.test "[a['result'] for a in r['checks']['dane']['servers'][0]['addresses']]")
if [ "$got" = '["pass", "pass"]' ]; then ok "tlsasecure.test: both addresses match the TLSA record"; else not_ok "tlsasecure.test addresses: $got"; fi

# reasons
reason_has() { # DOMAIN SUBSTRING
	local got
	got=$(tlsa "$1" dnssec_reason)
	case "$got" in *"$2"*) ok "$1 TLSA reason mentions '$2'" ;; *) not_ok "$1 TLSA reason '$got' lacks '$2'" ;; esac
}
reason_has tlsabogus.test "no RRSIG on _25._tcp.mx.tlsabogus.test/TLSA"
reason_has tlsaunsigned.test "tlsaunsigned.test is an unsigned delegation"
reason_has tlsasecure.test "validated from the trust anchor"
got=$(jget tlsabogus.test "[s['reason'] for s in r['checks']['dane']['subtests'] if s['name']=='dane_exists'][0]")
case "$got" in *bogus*) ok "tlsabogus.test dane_exists says bogus" ;; *) not_ok "tlsabogus.test dane_exists reason '$got'" ;; esac

# agreement with Unbound: AD = secure, SERVFAIL (NOERROR with +cd) = bogus, neither = insecure
unbound_tlsa() {
	local out
	out=$(ip netns exec "$TESTNET_NETNS" dig +dnssec +time=3 +tries=1 @"$TESTNET_RESOLVER" "$1" TLSA 2>&1)
	if echo "$out" | grep -q 'status: SERVFAIL'; then
		if ip netns exec "$TESTNET_NETNS" dig +cd +dnssec +time=3 +tries=1 @"$TESTNET_RESOLVER" "$1" TLSA 2>&1 |
			grep -q 'status: NOERROR'; then echo bogus; else echo error; fi
	elif echo "$out" | grep -q 'flags:[^;]* ad[ ;]'; then
		echo secure
	elif echo "$out" | grep -q 'status: \(NOERROR\|NXDOMAIN\)'; then
		echo insecure
	else
		echo error
	fi
}
for d in $DOMAINS; do
	want=$(unbound_tlsa "_25._tcp.mx.$d")
	got=$(tlsa "$d" dnssec)
	if [ "$got" = "$want" ]; then ok "_25._tcp.mx.$d TLSA agrees with Unbound ($want)"; else not_ok "_25._tcp.mx.$d TLSA: domscan '$got', Unbound '$want'"; fi
done

# Unbound's extended error (RFC 8914) for the bogus TLSA names the same cause (cache flushed
# first: a cached bogus answer only gets the generic EDE 6)
ip netns exec "$TESTNET_NETNS" unbound-control -c "$TESTNET_UNBOUND_CONF" flush_bogus >/dev/null
ip netns exec "$TESTNET_NETNS" unbound-control -c "$TESTNET_UNBOUND_CONF" flush_zone tlsabogus.test >/dev/null
ede=$(ip netns exec "$TESTNET_NETNS" dig +dnssec +time=3 +tries=1 @"$TESTNET_RESOLVER" _25._tcp.mx.tlsabogus.test TLSA 2>&1 |
	sed -n 's/^; EDE: \([0-9]*\).*/\1/p' | head -1)
if [ "$ede" = 10 ] && [[ "$(tlsa tlsabogus.test dnssec_reason)" == *"no RRSIG"* ]]; then
	ok "tlsabogus.test: Unbound EDE 10 (RRSIGs Missing), domscan: no RRSIG"
else
	not_ok "tlsabogus.test: Unbound EDE '$ede', domscan '$(tlsa tlsabogus.test dnssec_reason)'"
fi

# a non-validating resolver gives the same TLSA statuses and DANE verdicts
TESTNET_RESOLVER=$TESTNET_RESOLVER_NOVAL
scan tlsa-noval < <(printf '%s\n' $DOMAINS) || not_ok "domscan scan with the non-validating resolver failed"
for d in $DOMAINS; do
	a=$(LAST_JSON=$VAL_JSON tlsa "$d" dnssec)
	b=$(tlsa "$d" dnssec)
	if [ "$a" = "$b" ]; then ok "$d TLSA $b without a validating resolver"; else not_ok "$d TLSA: '$a' with, '$b' without a validating resolver"; fi
	a=$(col "$d" dane "$OUT/tlsa.csv")
	b=$(col "$d" dane)
	if [ "$a" = "$b" ]; then ok "$d dane $b without a validating resolver"; else not_ok "$d dane: '$a' with, '$b' without a validating resolver"; fi
done

done_testing
