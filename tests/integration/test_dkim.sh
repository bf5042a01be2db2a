#!/bin/bash
# DKIM (verdicts.md "dkim"): selector probing (default list, --selectors, the CSV
# dkim_selectors column), key sizes (RSA-512/1024/2048, Ed25519), revoked, testing, sha1-only,
# CNAMEs to a provider, the empty _domainkey non-terminal (RFC 8020), NXDOMAIN, the
# non-sending-domain exemption, lookup failures. Zones: tests/testnet/cases/dkim.zones, base.zones.
. "$(dirname "$0")/lib.sh"

scan dkim --no-smtp <<'DOMAINS' || { not_ok "domscan scan failed"; done_testing; exit 1; }
dk-whs3.test
dk-rsa512.test
dk-rsa1024.test
dk-rsa2048.test
dk-ed25519.test
dk-mixed.test
dk-revoked.test
dk-revoked2.test
dk-testing.test
dk-sha1.test
dk-badkey.test
dk-unknownk.test
dk-cname.test
dk-ent.test
dk-row.test
dk-none.test
dk-nonsend.test
dk-nonsend-q.test
lame.dk-err.test
good.test
nsec3.test
permissive.test
spflimit.test
nullmx.test
DOMAINS

# verdict and dkim_selectors per case
while read -r d v sels; do
	expect "$d" dkim "$v"
	expect "$d" dkim_selectors "$sels"
done <<'CASES'
dk-whs3.test pass whs3
dk-rsa512.test fail whs1
dk-rsa1024.test warning whs1
dk-rsa2048.test pass whs1
dk-ed25519.test pass whs1
dk-mixed.test warning whs1 google selector1
dk-revoked.test fail
dk-revoked2.test pass whs2
dk-testing.test warning whs1
dk-sha1.test warning whs1
dk-badkey.test fail whs1
dk-unknownk.test fail whs1
dk-cname.test pass whs1
dk-ent.test info
dk-row.test info
dk-none.test fail
dk-nonsend.test not_tested
dk-nonsend-q.test fail
lame.dk-err.test error
good.test warning whs1 whs2
nsec3.test warning whs1 whs2
permissive.test fail
spflimit.test info
nullmx.test not_tested
CASES

# key types and sizes
expect_json dk-rsa512.test "[x['key_bits'] for s in r['checks']['dkim']['selectors'] if s.get('found') for x in s['records']][0]" 512
expect_json dk-rsa1024.test "[x['key_bits'] for s in r['checks']['dkim']['selectors'] if s.get('found') for x in s['records']][0]" 1024
expect_json dk-rsa2048.test "[x['key_bits'] for s in r['checks']['dkim']['selectors'] if s.get('found') for x in s['records']][0]" 2048
expect_json dk-ed25519.test "[x['key_type'] for s in r['checks']['dkim']['selectors'] if s.get('found') for x in s['records']][0]" ed25519
expect_json dk-testing.test "[x['flags'] for s in r['checks']['dkim']['selectors'] if s.get('found') for x in s['records']][0]" '["testing"]'
expect_json dk-sha1.test "[x['flags'] for s in r['checks']['dkim']['selectors'] if s.get('found') for x in s['records']][0]" '["sha1-only"]'
expect_json dk-badkey.test "[x['flags'] for s in r['checks']['dkim']['selectors'] if s.get('found') for x in s['records']][0]" '["bad-base64"]'
# the CNAME chain shows the provider
expect_json dk-cname.test "[s['cname'] for s in r['checks']['dkim']['selectors'] if s.get('found')][0]" '["whs1.dkim.dk-provider.test"]'
# reasons of the rules
expect_json dk-ent.test "r['checks']['dkim']['reason']" "keys exist, selector unknown"
expect_json dk-revoked.test "r['checks']['dkim']['reason']" "only revoked keys"
# probing cost: NXDOMAIN at _domainkey stops after one query; otherwise one per selector more
expect_json dk-none.test "r['checks']['dkim']['probes']" 1
expect_json dk-whs3.test "r['checks']['dkim']['probes'] == 1 + r['checks']['dkim']['selectors_probed'] and r['checks']['dkim']['selectors_probed'] > 9" true
# the Internet.nl subtest: counted with 10/0, not counted when exempt
expect_json dk-whs3.test "[(s['points'], s['max']) for s in r['checks']['dkim']['subtests'] if s['name'] == 'dkim']" '[[10, 10]]'
expect_json dk-none.test "[(s['points'], s['max']) for s in r['checks']['dkim']['subtests'] if s['name'] == 'dkim']" '[[0, 10]]'
expect_json dk-nonsend.test "[('max' in s, s['status']) for s in r['checks']['dkim']['subtests'] if s['name'] == 'dkim']" '[[false, "not_tested"]]'

# --selectors replaces the default list
scan dkim-sel --no-smtp --selectors custom1,whs1 <<'DOMAINS' || not_ok "domscan scan --selectors failed"
dk-row.test
dk-whs3.test
DOMAINS
expect dk-row.test dkim pass
expect dk-row.test dkim_selectors custom1
expect dk-whs3.test dkim info
expect_json dk-row.test "r['checks']['dkim']['selectors_probed']" 2

# a CSV dkim_selectors column adds selectors for its row only
scan dkim-csv --no-smtp <<'CSV' || not_ok "domscan scan (CSV) failed"
domain,customer,dkim_selectors
dk-row.test,acme,custom1 other2
dk-ent.test,beta,
CSV
expect dk-row.test dkim pass
expect dk-row.test dkim_selectors custom1
expect dk-ent.test dkim info

done_testing
