#!/bin/bash
# CAA (RFC 8659; verdicts.md "caa"): at the apex, on a parent (tree climbing, not the TLD),
# through CNAMEs, a critical unknown tag, a bad iodef, no issue, an unparseable value, none at
# all, lookup failure. Zones: tests/testnet/cases/caa.zones, base.zones.
. "$(dirname "$0")/lib.sh"

scan caa --no-smtp <<'DOMAINS' || { not_ok "domscan scan failed"; done_testing; exit 1; }
caa-apex.test
sub.caa-parent.test
a.b.caa-parent.test
www.caa-cname.test
dangling.caa-cname.test
caa-critical.test
caa-othertag.test
caa-iodef.test
caa-noissue.test
caa-badvalue.test
caa-none.test
lame.caa-err.test
good.test
sub.parentcaa.test
DOMAINS

while read -r d v; do
	expect "$d" caa "$v"
done <<'CASES'
caa-apex.test pass
sub.caa-parent.test pass
a.b.caa-parent.test pass
www.caa-cname.test pass
dangling.caa-cname.test pass
caa-critical.test fail
caa-othertag.test pass
caa-iodef.test warning
caa-noissue.test warning
caa-badvalue.test fail
caa-none.test warning
lame.caa-err.test error
good.test pass
sub.parentcaa.test pass
CASES

# where the RRset was found
expect_json caa-apex.test "r['checks']['caa']['found_at']" caa-apex.test
expect_json sub.caa-parent.test "r['checks']['caa']['found_at']" caa-parent.test
expect_json a.b.caa-parent.test "[s['name'] for s in r['checks']['caa']['climb']]" '["a.b.caa-parent.test", "b.caa-parent.test", "caa-parent.test"]'
expect_json sub.parentcaa.test "r['checks']['caa']['found_at']" parentcaa.test
# a CNAME whose target has CAA: that RRset is used; its owner is the target
expect_json www.caa-cname.test "r['checks']['caa']['owner']" target.caa-prov.test
expect_json www.caa-cname.test "[x['issuer'] for x in r['checks']['caa']['records']]" '["ca.test"]'
# a CNAME whose target has none: climb from the name's own parent (RFC 8659 §3)
expect_json dangling.caa-cname.test "r['checks']['caa']['found_at']" caa-cname.test
# the TLD is never asked
expect_json caa-none.test "[s['name'] for s in r['checks']['caa']['climb']]" '["caa-none.test"]'
# per-record findings
expect_json caa-critical.test "[x['critical'] for x in r['checks']['caa']['records'] if x['verdict'] == 'fail']" '[true]'
expect_json caa-iodef.test "[x['tag'] for x in r['checks']['caa']['records'] if x['verdict'] == 'warning']" '["iodef"]'

done_testing
