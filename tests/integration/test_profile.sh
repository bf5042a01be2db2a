#!/bin/bash
# The platform profile (--profile, docs/profile.md): dkim_platform, caa_platform, mx_platform and
# spf_platform on the test network (cases: tests/testnet/cases/profile.zones and others), and the
# profile file's own errors.
. "$(dirname "$0")/lib.sh"

key2048=$(cat "$TESTNET_DKIM_DIR/rsa2048.pub.b64")
cat >"$OUT/profile.txt" <<EOF2
# the hosting platform's expectations
spf_ips: 127.0.0.25
dkim_selectors: whs1, whs2
dkim_cname: whs1=whs1.dkim.pf-platform.test.
dkim_key: whs2=$key2048
caa_issuer: ca.test
mx: mx.good.test
EOF2

scan profile --no-smtp --profile "$OUT/profile.txt" <<'DOMAINS' || not_ok "scan with --profile failed"
pf-ok.test
pf-missing.test
pf-wrongcname.test
pf-wrongkey.test
dk-none.test
lame.dk-err.test
caa-critical.test
caa-noissue.test
lame.caa-err.test
nullmx.test
DOMAINS

# everything as expected
expect pf-ok.test dkim_platform pass
expect pf-ok.test caa_platform pass
expect pf-ok.test mx_platform pass
expect pf-ok.test spf_platform none
expect_json pf-ok.test 'r["checks"]["dkim"]["platform"]["selectors"][0]["cname"]' whs1.dkim.pf-platform.test
# whs1/whs2 are probed even though the default list is not given: they come from the profile
expect pf-ok.test dkim_selectors "whs1 whs2"

# whs2 missing; no CAA at all (every CA may issue); a second MX host that is not the platform's
expect pf-missing.test dkim_platform fail
expect_json pf-missing.test 'r["checks"]["dkim"]["platform"]["selectors"][1]["status"]' missing
expect pf-missing.test caa_platform pass
expect pf-missing.test mx_platform fail
expect_json pf-missing.test 'r["checks"]["mx"]["platform"]["other_hosts"][0]' mx.pf-missing.test

# whs1 CNAMEs to another key; CAA names another CA only
expect pf-wrongcname.test dkim_platform fail
expect_json pf-wrongcname.test 'r["checks"]["dkim"]["platform"]["selectors"][0]["status"]' wrong_cname
expect pf-wrongcname.test caa_platform fail
expect_json pf-wrongcname.test 'r["checks"]["caa"]["platform"]["cas"][0]["reason"]' "no issue property names this CA"

# whs2 carries another key; issuewild only: issue is not restricted, and issuewild names ca.test
expect pf-wrongkey.test dkim_platform fail
expect_json pf-wrongkey.test 'r["checks"]["dkim"]["platform"]["selectors"][1]["status"]' wrong_key
expect pf-wrongkey.test caa_platform pass
expect_json pf-wrongkey.test 'r["checks"]["caa"]["platform"]["cas"][0]["wildcard"]' true

# _domainkey NXDOMAIN: missing; a failing _domainkey lookup: error (never "missing")
expect dk-none.test dkim_platform fail
expect lame.dk-err.test dkim_platform error
# a critical unknown CAA tag blocks every CA; issuewild only does not restrict issue
expect caa-critical.test caa_platform fail
expect caa-noissue.test caa_platform pass
# a CAA lookup failure: error
expect lame.caa-err.test caa_platform error
# null MX: the platform does not receive its mail
expect nullmx.test mx_platform fail

# Without --profile the columns exist and are empty.
scan noprofile --no-smtp <<'DOMAINS' || not_ok "scan without --profile failed"
pf-ok.test
DOMAINS
expect pf-ok.test dkim_platform ""
expect pf-ok.test caa_platform ""
expect pf-ok.test mx_platform ""

# A profile with an unknown key (a typo) is refused: exit 1 and a message naming the key.
printf 'dkim_selectros: whs1\n' >"$OUT/typo.txt"
if domscan_in scan --resolver "$TESTNET_RESOLVER" --profile "$OUT/typo.txt" --csv "$OUT/typo.csv" \
	- </dev/null 2>"$OUT/typo.err"; then
	not_ok "a profile with an unknown key is refused"
else
	rc=$?
	[ $rc -eq 1 ] && grep -q 'unknown key `dkim_selectros`' "$OUT/typo.err" &&
		ok "a profile with an unknown key is refused (exit 1, names the key)" ||
		not_ok "unknown profile key: exit $rc, stderr: $(cat "$OUT/typo.err")"
fi
# An unreadable profile: exit 1.
if domscan_in scan --resolver "$TESTNET_RESOLVER" --profile /nonexistent/profile \
	--csv "$OUT/np.csv" - </dev/null 2>"$OUT/np.err"; then
	not_ok "an unreadable profile is refused"
else
	[ $? -eq 1 ] && ok "an unreadable profile is refused (exit 1)" || not_ok "unreadable profile exit"
fi

done_testing
