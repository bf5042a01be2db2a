#!/bin/bash
# IPv6 (verdicts.md "ipv6", Internet.nl §2.3): pass when at least two name servers have AAAA
# and answer over IPv6 and every used MX host has an AAAA on which port 25 accepts; fail
# otherwise; with no MX / null MX / --no-smtp the verdict rests on the name servers alone;
# error when a lookup failed. Subtests ns_aaaa, ns_reach (ns_score), mx_aaaa, mx_reach
# (mx_score, only with MX).
# Zones: tests/testnet/cases/mtasts-extra.zones, mail.zones, base.zones, dmarc.zones.
. "$(dirname "$0")/lib.sh"

DOMS='good.test
perfect.test
noipv6ns.test
v6mxnoaaaa.test
v6mxdead.test
v6onens.test
v6nomx.test
v6nullmx.test
nomx.test
lame.dm-err.test'

scan ipv6 <<<"$DOMS" || { not_ok "domscan scan failed"; done_testing; exit 1; }

expect good.test ipv6 pass
expect perfect.test ipv6 pass
expect noipv6ns.test ipv6 fail                # name servers without AAAA
expect v6mxnoaaaa.test ipv6 fail              # MX without AAAA
expect v6mxdead.test ipv6 fail                # MX AAAA where port 25 is closed
expect v6onens.test ipv6 fail                 # only one name server with AAAA
expect v6nomx.test ipv6 pass                  # no MX: name servers alone
expect nomx.test ipv6 pass
expect v6nullmx.test ipv6 fail                # null MX, name servers without AAAA
expect lame.dm-err.test ipv6 error

sub() { # sub DOMAIN SUBTEST KEY: a key of the first subtest of that name
	echo "[s[\"$3\"] for s in r[\"checks\"][\"ipv6\"][\"subtests\"] if s[\"name\"] == \"$2\"][0]"
}
expect_json good.test "$(sub good.test ns_reach points)" 10
expect_json good.test "$(sub good.test mx_reach points)" 10
expect_json good.test "$(sub good.test ns_aaaa status)" pass
expect_json noipv6ns.test "$(sub noipv6ns.test ns_aaaa status)" fail
expect_json noipv6ns.test "$(sub noipv6ns.test ns_reach points)" 0
expect_json noipv6ns.test "$(sub noipv6ns.test mx_reach points)" 10
expect_json v6onens.test "$(sub v6onens.test ns_reach points)" 5      # one NS: at most 5
expect_json v6mxnoaaaa.test "$(sub v6mxnoaaaa.test mx_aaaa status)" fail
expect_json v6mxnoaaaa.test "$(sub v6mxnoaaaa.test mx_reach points)" 0
expect_json v6mxdead.test "$(sub v6mxdead.test mx_reach status)" fail
expect_json v6mxdead.test "$(sub v6mxdead.test mx_reach max)" 10
expect_json v6nomx.test '[s["name"] for s in r["checks"]["ipv6"]["subtests"] if "max" in s]' '["ns_reach"]'

# --no-smtp: no port-25 connections, the verdict rests on the name servers.
scan ipv6-nosmtp --no-smtp <<<"$DOMS" || { not_ok "domscan scan --no-smtp failed"; done_testing; exit 1; }
expect good.test ipv6 pass
expect v6mxnoaaaa.test ipv6 pass
expect v6mxdead.test ipv6 pass
expect noipv6ns.test ipv6 fail
expect v6onens.test ipv6 fail
expect_json v6mxdead.test "$(sub v6mxdead.test mx_reach status)" not_tested

done_testing
