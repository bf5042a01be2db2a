#!/bin/bash
# SPF (verdicts.md "spf"): the structural verdict and spf_lookups for the cases of
# tests/testnet/cases/spf.zones and base.zones, the spf/spf_policy subtests, the detail's
# "record" key, and `domscan check-host` inside the test network.
. "$(dirname "$0")/lib.sh"

scan spf --no-smtp <<'DOMAINS' || { not_ok "domscan scan failed"; done_testing; exit 1; }
good.test
nsec3.test
permissive.test
spflimit.test
nullmx.test
spf-ten.test
spf-eleven.test
spf-ahost.test
spf-void.test
spf-void2.test
spf-loop.test
spf-redirect.test
spf-redirplus.test
spf-two.test
spf-ptr.test
spf-multistring.test
spf-plusall.test
spf-qall.test
spf-noall.test
spf-incnospf.test
spf-incnx.test
spf-manymx.test
spf-syntax.test
spf-none.test
spf-shared1.test
spf-shared2.test
spf-err.test
lame.spf-err.test
DOMAINS

# check DOMAIN VERDICT LOOKUPS
check() {
	expect "$1" spf "$2"
	expect "$1" spf_lookups "$3"
}

check good.test pass 1
check nsec3.test pass 1
check permissive.test fail 0
check spflimit.test fail 12
check nullmx.test pass 0
check spf-ten.test pass 10
check spf-eleven.test fail 11
check spf-ahost.test pass 3
check spf-void.test fail 4
check spf-void2.test pass 3
check spf-loop.test fail 3
check spf-redirect.test pass 2
check spf-redirplus.test fail 1
check spf-two.test fail ""
check spf-ptr.test warning 2
check spf-multistring.test pass 1
check spf-plusall.test fail 0
check spf-qall.test fail 1
check spf-noall.test fail 1
check spf-incnospf.test fail 1
check spf-incnx.test fail 1
check spf-manymx.test fail 1
check spf-syntax.test fail ""
check spf-none.test fail ""
check spf-shared1.test fail 12
check spf-shared2.test pass 6
check spf-err.test error 1
check lame.spf-err.test error ""

# JSON: lookups as numbers/null, the record, void lookups, the Internet.nl subtests
expect_json spf-ten.test 'r["spf_lookups"]' 10
expect_json spf-two.test 'r["spf_lookups"]' null
expect_json nullmx.test 'r["checks"]["spf"]["record"]' 'v=spf1 -all'
expect_json spf-multistring.test 'r["checks"]["spf"]["record"]' 'v=spf1 ip4:127.0.0.0/8 mx ~all'
expect_json spf-void.test 'r["checks"]["spf"]["void_lookups"]' 3
expect_json good.test "[(s['points'], s['max']) for s in r['checks']['spf']['subtests'] if s['name']=='spf_policy'][0]" '[10, 10]'
expect_json spf-plusall.test "[(s['points'], s['max']) for s in r['checks']['spf']['subtests'] if s['name']=='spf_policy'][0]" '[2, 10]'
expect_json spf-none.test "[(s['points'], s['max']) for s in r['checks']['spf']['subtests'] if s['name']=='spf'][0]" '[0, 10]'
expect_json spf-incnx.test "[(s['points'], s['max']) for s in r['checks']['spf']['subtests'] if s['name']=='spf_policy'][0]" '[2, 10]'
expect_json spf-incnospf.test "[(s['points'], s['max']) for s in r['checks']['spf']['subtests'] if s['name']=='spf_policy'][0]" '[0, 10]'

# check-host inside the network
ch() {
	local got
	got=$(domscan_in check-host --resolver "$TESTNET_RESOLVER" --timeout 3 --ip "$1" \
		--mailfrom "$2" --helo "${4:-mx.good.test}" | head -1)
	if [ "$got" = "$3" ]; then
		ok "check-host $1 $2 = $3"
	else
		not_ok "check-host $1 $2: expected $3, got '$got'"
	fi
}
ch 127.0.0.25 user@good.test pass
ch 192.0.2.1 user@good.test fail
ch 192.0.2.1 user@permissive.test pass
ch 127.0.0.25 user@spf-redirect.test pass
ch 192.0.2.1 user@spf-qall.test neutral
ch 192.0.2.1 user@spf-loop.test permerror
ch 192.0.2.1 user@spf-void.test permerror
ch 192.0.2.1 user@spf-none.test none
ch 192.0.2.1 user@spf-err.test temperror
ch 127.0.0.25 "" pass good.test
ch 127.0.0.25 "" none mx.good.test

# Reserved profile feature: spf_platform = check_host() for the profile's sending IPs
printf '# platform sending IPs\nspf_ips: 127.0.0.25, fd74:6e65:7400::25\n' >"$OUT/profile.txt"
scan spf-profile --no-smtp --profile "$OUT/profile.txt" <<'DOMAINS' || not_ok "scan with --profile failed"
good.test
spf-incnx.test
spf-none.test
DOMAINS
expect good.test spf_platform pass
expect spf-incnx.test spf_platform permerror
expect spf-none.test spf_platform none
expect_json good.test 'r["checks"]["spf"]["platform"]["fd74:6e65:7400::25"]' pass

done_testing
