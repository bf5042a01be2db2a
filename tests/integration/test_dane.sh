#!/bin/bash
# dane (verdicts.md "dane", RFC 7672): TLSA 3 1 1 matching in a signed zone, a mismatching one,
# one in an unsigned zone, none at all, and the cases where starttls is not tested.
. "$(dirname "$0")/lib.sh"

cat >"$OUT/dane.in" <<'LIST'
good.test
rsa2048.test
parentcaa.test
tlsaunsigned.test
notlsa.test
nostarttls.test
nullmx.test
nomx.test
LIST
scan dane <"$OUT/dane.in" || not_ok "scan exited non-zero"

expect good.test dane pass              # signed TLSA 3 1 1 matching on every address (v4 + v6)
expect rsa2048.test dane pass           # signed TLSA 3 1 1 matching the RSA key
expect parentcaa.test dane fail         # signed TLSA that matches nothing
expect tlsaunsigned.test dane fail      # matching TLSA, but DNSSEC-insecure
expect notlsa.test dane fail            # no TLSA at all
expect nostarttls.test dane fail        # no TLSA (and no TLS)
expect nullmx.test dane not_tested
expect nomx.test dane not_tested

sub='[s for s in r["checks"]["dane"]["subtests"] if s["name"]=="%s"]'
expect_json good.test "$(printf "$sub" dane_exists)[0]['status']" pass
expect_json good.test "$(printf "$sub" dane_exists)[0]['points']" 10
expect_json good.test "$(printf "$sub" dane_valid)[0]['status']" pass
expect_json good.test "$(printf "$sub" dane_valid)[0]['max']" 10
expect_json good.test "$(printf "$sub" dane_valid)[0]['server']" mx.good.test
expect_json good.test "$(printf "$sub" dane_rollover)[0]['status']" info
expect_json good.test "'max' in $(printf "$sub" dane_rollover)[0]" false
expect_json parentcaa.test "$(printf "$sub" dane_exists)[0]['status']" pass
expect_json parentcaa.test "$(printf "$sub" dane_valid)[0]['status']" fail
expect_json parentcaa.test "$(printf "$sub" dane_valid)[0]['points']" 0
expect_json tlsaunsigned.test "$(printf "$sub" dane_exists)[0]['status']" fail
expect_json tlsaunsigned.test "len($(printf "$sub" dane_valid))" 0
expect_json notlsa.test "$(printf "$sub" dane_exists)[0]['status']" fail
expect_json notlsa.test "$(printf "$sub" dane_exists)[0]['max']" 10
expect_json good.test "r['checks']['dane']['servers'][0]['tlsa']['dnssec']" secure

done_testing
