#!/bin/bash
# starttls (verdicts.md "starttls"): one domain per Postfix listener of the test network, the
# MX-set cases, --no-smtp, the Internet.nl per-MX subtests, and politeness: 200 domains sharing
# 3 MX addresses open only the enumeration's connections per address.
. "$(dirname "$0")/lib.sh"

cat >"$OUT/starttls.in" <<'LIST'
good.test
rsa2048.test
nostarttls.test
legacy.test
selfsigned.test
expiredcert.test
weakdh.test
refused.test
twomx.test
nullmx.test
nomx.test
LIST
scan starttls <"$OUT/starttls.in" || not_ok "scan exited non-zero"

expect good.test starttls pass           # TLS 1.2/1.3, ECDSA P-256, good suites (v4 and v6)
expect rsa2048.test starttls warning     # RSA-2048 certificate key: phase out
expect nostarttls.test starttls fail     # STARTTLS not offered
expect legacy.test starttls fail         # TLS 1.0/1.1 only
expect selfsigned.test starttls pass     # untrusted certificate: info subtest only
expect expiredcert.test starttls pass    # expired certificate: info subtest only
expect weakdh.test starttls fail         # DHE with a custom 1024-bit group
expect refused.test starttls error       # nothing listens: could not find out
expect twomx.test starttls fail          # good + legacy MX: the worst decides
expect nullmx.test starttls not_tested   # null MX
expect nomx.test starttls not_tested     # no MX

# Per-MX subtests with "server" and points/max (Internet.nl model).
sub='[s for s in r["checks"]["starttls"]["subtests"] if s["name"]=="%s"]'
expect_json good.test "$(printf "$sub" starttls_exists)[0]['server']" mx.good.test
expect_json good.test "$(printf "$sub" starttls_exists)[0]['points']" 10
expect_json good.test "$(printf "$sub" starttls_exists)[0]['max']" 10
expect_json good.test "$(printf "$sub" tls_version)[0]['status']" pass
expect_json good.test "$(printf "$sub" extended_master_secret)[0]['status']" pass
expect_json good.test "$(printf "$sub" cert_trust)[0]['status']" pass
expect_json good.test "$(printf "$sub" cert_hostmatch)[0]['status']" pass
expect_json good.test "'max' in $(printf "$sub" cert_trust)[0]" false
expect_json good.test "len(r['checks']['starttls']['servers'][0]['addresses'])" 2
expect_json rsa2048.test "$(printf "$sub" cert_pubkey)[0]['status']" warning
expect_json rsa2048.test "$(printf "$sub" cert_pubkey)[0]['points']" 10
expect_json selfsigned.test "$(printf "$sub" cert_trust)[0]['status']" info
expect_json expiredcert.test "$(printf "$sub" cert_trust)[0]['status']" info
expect_json nostarttls.test "$(printf "$sub" starttls_exists)[0]['status']" fail
expect_json nostarttls.test "$(printf "$sub" starttls_exists)[0]['points']" 0
expect_json legacy.test "$(printf "$sub" tls_version)[0]['status']" fail
expect_json legacy.test "$(printf "$sub" extended_master_secret)[0]['status']" not_tested
expect_json weakdh.test "$(printf "$sub" fs_params)[0]['status']" fail
expect_json refused.test "$(printf "$sub" starttls_exists)[0]['status']" error
expect_json twomx.test "sorted(set(s['server'] for s in $(printf "$sub" tls_version)))" \
	'["mx1.twomx.test", "mx2.twomx.test"]'
# JSON detail per address: versions and classified suites.
expect_json good.test "[v['name'] for v in r['checks']['starttls']['servers'][0]['addresses'][0]['versions']]" \
	'["TLSv1.3", "TLSv1.2"]'
expect_json legacy.test "any(s['class']=='insufficient' for v in r['checks']['starttls']['servers'][0]['addresses'][0]['suites'].values() for s in v)" true

# --no-smtp: starttls and dane not_tested.
scan starttls-nosmtp --no-smtp <<<'good.test' || not_ok "scan --no-smtp exited non-zero"
expect good.test starttls not_tested
expect good.test dane not_tested

# Politeness: 200 distinct domains sharing 3 MX addresses (tests/testnet/cases/shared-mx.zones).
LOG="$TESTNET_STATE/postfix/maillog"
count() { # listener-syslog-name client-address-pattern
	grep -c "postfix/$1/smtpd\[[0-9]*\]: connect from [^[]*\[$2\]" "$LOG" 2>/dev/null || true
}
if [ -r "$LOG" ]; then
	b4=$(count good '127\.0\.0\.1'); b6=$(count good 'fd74:[^]]*'); b30=$(count rsa2048 '127\.0\.0\.1')
	seq 1 200 | sed 's/^/d/; s/$/.sharedmx.test/' >"$OUT/sharedmx.in"
	scan sharedmx <"$OUT/sharedmx.in" || not_ok "shared-MX scan exited non-zero"
	sleep 1
	a4=$(count good '127\.0\.0\.1'); a6=$(count good 'fd74:[^]]*'); a30=$(count rsa2048 '127\.0\.0\.1')
	conns() { # ip -> the prober's own count, as recorded in the (shared) result
		jget d1.sharedmx.test "[a['connections'] for s in r['checks']['starttls']['servers'] for a in s['addresses'] if a['ip']=='$1'][0]"
	}
	n25=$(conns 127.0.0.25); n6=$(conns fd74:6e65:7400::25); n30=$(conns 127.0.0.30)
	rows=$(jget d200.sharedmx.test "r['starttls']")
	[ "$rows" = warning ] && ok "d200.sharedmx.test starttls = warning" ||
		not_ok "d200.sharedmx.test starttls: got '$rows'"
	# The ipv6 check's port-25 reachability test adds one connection per IPv6 address.
	for x in "127.0.0.25 $((a4 - b4)) $n25 0" "fd74:6e65:7400::25 $((a6 - b6)) $n6 1" \
		"127.0.0.30 $((a30 - b30)) $n30 0"; do
		set -- $x
		if [ "$3" -gt 0 ] 2>/dev/null && [ "$2" -ge "$3" ] && [ "$2" -le $(($3 + $4)) ] &&
			[ "$3" -le 60 ]; then
			ok "$1: 200 domains cost $2 connections (= one enumeration)"
		else
			not_ok "$1: $2 connections seen by the server, enumeration needs $3"
		fi
	done
	same=$(jget d137.sharedmx.test "[a['connections'] for s in r['checks']['starttls']['servers'] for a in s['addresses'] if a['ip']=='127.0.0.25'][0]")
	[ "$same" = "$n25" ] && ok "results shared between domains" || not_ok "results differ: $same vs $n25"
else
	not_ok "no Postfix maillog at $LOG"
fi

done_testing
