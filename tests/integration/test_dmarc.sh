#!/bin/bash
# DMARC (verdicts.md "dmarc"): discovery at _dmarc.<domain> and the organisational domain,
# sp= inheritance, policy verdicts, syntax errors, external report authorisation (RFC 7489
# §7.1), pct, lookup failures. Zones: tests/testnet/cases/dmarc.zones and base.zones.
. "$(dirname "$0")/lib.sh"

scan dmarc --no-smtp <<'DOMAINS' || { not_ok "domscan scan failed"; done_testing; exit 1; }
good.test
spflimit.test
permissive.test
nsec3.test
unsigned.test
sub.parentcaa.test
dm-org.test
inherit.dm-org.test
a.b.dm-org.test
own.dm-org.test
sub.dm-nosp.test
dm-spnone.test
sub.dm-spnone.test
dm-none.test
dm-testing.test
dm-testrej.test
dm-two.test
sub.dm-two.test
dm-unknown.test
dm-pct.test
dm-extauth.test
dm-extnoauth.test
dm-syntax.test
dm-badp.test
dm-nop.test
dm-missing.test
sub.dm-missing.test
DOMAINS

# check DOMAIN VERDICT POLICY
check() {
	expect "$1" dmarc "$2"
	expect "$1" dmarc_policy "$3"
}

# The reference matrix.
check good.test pass reject                  # external rua to esp.test, authorised
check spflimit.test warning quarantine       # external rua to esp.test, not authorised
check permissive.test fail ''                # p=bogus, pct=150, rua without mailto:
check nsec3.test fail none
check unsigned.test fail ''                  # no record anywhere
check sub.parentcaa.test pass reject         # its own record (a real child zone)

# Inheritance from the organisational domain.
check dm-org.test pass reject
check inherit.dm-org.test pass quarantine     # sp=quarantine of dm-org.test
check a.b.dm-org.test pass quarantine
check own.dm-org.test fail none               # its own p=none wins over the org record
check sub.dm-nosp.test pass reject            # no sp=: p= applies
check dm-spnone.test pass reject
check sub.dm-spnone.test fail none            # sp=none
expect_json inherit.dm-org.test 'r["checks"]["dmarc"]["found_at"]' organizational
expect_json inherit.dm-org.test 'r["checks"]["dmarc"]["record"]' \
	'v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@dm-org.test'
expect_json inherit.dm-org.test 'r["checks"]["dmarc"]["queried"]' \
	'["_dmarc.inherit.dm-org.test", "_dmarc.dm-org.test"]'
expect_json dm-org.test 'r["checks"]["dmarc"]["found_at"]' domain
expect_json own.dm-org.test 'r["checks"]["dmarc"]["found_at"]' domain

# Policies.
check dm-none.test fail none
check dm-testing.test fail quarantine         # t=y with quarantine
check dm-testrej.test pass reject             # t=y with reject is fine
check dm-pct.test warning reject              # pct=50
check dm-nop.test fail none                   # no p=, valid rua: none (RFC 7489 §6.6.3)

# More than one record: fail, no fallback (also for a subdomain inheriting them).
check dm-two.test fail ''
check sub.dm-two.test fail ''
expect_json sub.dm-two.test 'r["checks"]["dmarc"]["found_at"]' organizational

# Syntax errors.
check dm-unknown.test fail ''
check dm-syntax.test fail ''
check dm-badp.test fail ''
expect_json dm-unknown.test 'r["checks"]["dmarc"]["syntax_error"]' 'unknown tag "foo"'

# External report destinations.
check dm-extauth.test pass reject
check dm-extnoauth.test warning quarantine
expect_json dm-extauth.test 'r["checks"]["dmarc"]["destinations"][0]["authorized"]' true
expect_json dm-extnoauth.test 'r["checks"]["dmarc"]["destinations"][0]["authorized"]' false
expect_json dm-extnoauth.test 'r["checks"]["dmarc"]["destinations"][1]["external"]' false

# Missing everywhere (a non-DMARC TXT record at _dmarc does not count).
check dm-missing.test fail ''
check sub.dm-missing.test fail ''


# Internet.nl subtests and points.
pts='[(t["name"], t["status"], t.get("points"), t.get("max")) for t in r["checks"]["dmarc"]["subtests"] if "max" in t]'
expect_json good.test "$pts" '[["dmarc", "pass", 10, 10], ["dmarc_policy", "pass", 10, 10]]'
expect_json dm-none.test "$pts" '[["dmarc", "pass", 10, 10], ["dmarc_policy", "fail", 2, 10]]'
expect_json dm-unknown.test "$pts" '[["dmarc", "pass", 10, 10], ["dmarc_policy", "fail", 0, 10]]'
expect_json dm-extnoauth.test "$pts" '[["dmarc", "pass", 10, 10], ["dmarc_policy", "warning", 10, 10]]'
expect_json dm-missing.test "$pts" '[["dmarc", "fail", 0, 10], ["dmarc_policy", "not_tested", 0, 10]]'

# A Public Suffix List given with --psl-file: with dm-org.test a public suffix, the
# organisational domain of inherit.dm-org.test is itself, so nothing is inherited.
printf '// test list\ntest\ndm-org.test\n' >"$OUT/psl.dat"
scan dmarc-psl --no-smtp --psl-file "$OUT/psl.dat" <<'DOMAINS' || not_ok "domscan scan --psl-file failed"
inherit.dm-org.test
sub.dm-nosp.test
DOMAINS
check inherit.dm-org.test fail ''
expect_json inherit.dm-org.test 'r["checks"]["dmarc"]["queried"]' '["_dmarc.inherit.dm-org.test"]'
check sub.dm-nosp.test pass reject

# Lookup failure (a delegation to a silent server): error, never "missing".
scan dmarc-lame --no-smtp --timeout 1 <<'DOMAINS' || not_ok "domscan scan (lame) failed"
lame.dm-err.test
DOMAINS
check lame.dm-err.test error ''

done_testing
