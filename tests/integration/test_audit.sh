#!/bin/bash
# Acceptance audit (docs/rules-coverage.md): the rules of ../shared/spec/verdicts.md and
# ../shared/spec/cli.md that no other integration test pinned down, each asserted against the
# real test network. Zones: tests/testnet/cases/audit.zones (and hostile.zones' afail.hostile.test,
# whose A queries get SERVFAIL while its AAAA answers).
. "$(dirname "$0")/lib.sh"

sub='[s for s in r["checks"]["%s"]["subtests"] if s["name"]=="%s"]'

# --- MX hosts, starttls, dane: "error means could not find out" -----------------------------
scan audit-mx <<'IN' || not_ok "scan exited non-zero"
audit-afail.test
audit-afaildane.test
audit-tiemx.test
audit-nullothers.test
partv6.test
IN
# An MX host whose A lookup fails but whose AAAA works: the IPv6 address is probed and good,
# the IPv4 side could not be found out -> error (not pass).
expect audit-afail.test starttls error
expect_json audit-afail.test "$(printf "$sub" starttls mx_addresses)[0]['status']" error
expect_json audit-afail.test "$(printf "$sub" starttls mx_addresses)[0]['server']" afail.hostile.test
expect_json audit-afail.test "[a['ip'] for s in r['checks']['starttls']['servers'] for a in s['addresses']]" \
	'["fd74:6e65:7400::25"]'
expect_json audit-afail.test "$(printf "$sub" starttls tls_version)[0]['status']" pass
expect_json audit-afail.test "r['error'] is not None and 'starttls' in r['error']" true
# ipv6 needs only the AAAA: the MX host has one and port 25 accepts on it.
expect audit-afail.test ipv6 pass
# dane: a secure, matching TLSA at the MX name, but the A lookup failed -> error, not pass.
expect audit-afaildane.test dane error
expect audit-afaildane.test starttls error
expect_json audit-afaildane.test "$(printf "$sub" dane dane_valid)[0]['status']" error
expect_json audit-afaildane.test "[a['result'] for a in r['checks']['dane']['servers'][0]['addresses']]" '["pass"]'
# Preference order, ties by name.
expect audit-tiemx.test mx "mxm.audit-tiemx.test mxa.audit-tiemx.test mxz.audit-tiemx.test"
# "MX 0 ." next to another MX is not a null MX.
expect audit-nullothers.test mx mx.good.test
expect audit-nullothers.test starttls pass
# The ipv6 check reads the SMTP prober's result: ::1 refuses port 25 (reachable false), ::25
# accepts; the host scores 2 of 10.
expect_json partv6.test "sorted((a['address'], a['reachable']) for h in r['checks']['ipv6']['mx_hosts'] for a in h['ipv6'])" \
	'[["fd74:6e65:7400::1", false], ["fd74:6e65:7400::25", true]]'
expect_json partv6.test "r['checks']['ipv6']['mx_hosts'][0]['points']" 2

# An MX host name that is a CNAME, or an IP literal, is a finding: warning on starttls (the
# worst part still decides: the literal has no address -> error).
scan audit-mxname <<'IN' || not_ok "scan exited non-zero"
cnamebogus.test
audit-iplit.test
IN
expect cnamebogus.test starttls warning
expect_json cnamebogus.test "[(s['status'], s['server']) for s in $(printf "$sub" starttls mx_target)]" \
	'[["warning", "mail.cnamebogus.test"]]'
expect audit-iplit.test mx 127.0.0.25
expect_json audit-iplit.test "[s['status'] for s in $(printf "$sub" starttls mx_target)]" '["warning"]'
expect audit-iplit.test starttls error

# Certificate trust and name match are info, except where a secure DANE-TA (usage 2) record
# exists: then they fail.
scan audit-daneta <<'IN' || not_ok "scan exited non-zero"
audit-danetaself.test
audit-danetagood.test
selfsigned.test
IN
expect selfsigned.test starttls pass
expect_json selfsigned.test "$(printf "$sub" starttls cert_trust)[0]['status']" info
expect audit-danetaself.test starttls fail
expect_json audit-danetaself.test "$(printf "$sub" starttls cert_trust)[0]['status']" fail
expect audit-danetagood.test starttls pass
expect_json audit-danetagood.test "$(printf "$sub" starttls cert_trust)[0]['status']" pass

# The same host at preferences 30 and 10 counts once, at 10. Unbound rotates the RRset, so
# three runs see different record orders.
for i in 1 2 3; do
	scan audit-dupmx$i --no-smtp <<<'audit-dupmx.test' || not_ok "scan $i exited non-zero"
	expect audit-dupmx.test mx "mxb.audit-dupmx.test mxa.audit-dupmx.test"
done

# At most 10 MX hosts are used: h11 (preference 1) .. h2 (preference 10); h1 (11) is dropped.
scan audit-manymx --no-smtp <<<'audit-manymx.test' || not_ok "scan exited non-zero"
expect audit-manymx.test mx "$(for i in 11 10 9 8 7 6 5 4 3 2; do printf 'h%d.audit-manymx.test ' $i; done | sed 's/ $//')"

# MX lookup failure: error without --no-smtp; with --no-smtp starttls and dane are not tested
# at all (cli.md), and ipv6 rests on the name servers.
scan audit-mxerr --timeout 1 <<<'lame.dm-err.test' || not_ok "scan exited non-zero"
expect lame.dm-err.test starttls error
expect lame.dm-err.test dane error
scan audit-mxerr-nosmtp --no-smtp --timeout 1 <<<'lame.dm-err.test' || not_ok "scan exited non-zero"
expect lame.dm-err.test starttls not_tested
expect lame.dm-err.test dane not_tested
expect lame.dm-err.test mta_sts error

# --- each MX address is probed once per run: the ipv6 check makes no connection of its own ---
LOG="$TESTNET_STATE/postfix/maillog"
count() { # client-address-pattern: connections the good listener logged
	grep -c "postfix/good/smtpd\[[0-9]*\]: connect from [^[]*\[$1\]" "$LOG" 2>/dev/null || true
}
if [ -r "$LOG" ]; then
	b6=$(count 'fd74:[^]]*')
	seq 1 20 | sed 's/^/d/; s/$/.sharedmx.test/' >"$OUT/once.in"
	scan audit-once <"$OUT/once.in" || not_ok "scan exited non-zero"
	sleep 1
	a6=$(count 'fd74:[^]]*')
	n6=$(jget d1.sharedmx.test "[a['connections'] for s in r['checks']['starttls']['servers'] for a in s['addresses'] if a['ip']=='fd74:6e65:7400::25'][0]")
	if [ "$n6" -gt 0 ] 2>/dev/null && [ $((a6 - b6)) -eq "$n6" ]; then
		ok "fd74:6e65:7400::25: $((a6 - b6)) connections = the prober's $n6 (no extra ipv6 probe)"
	else
		not_ok "fd74:6e65:7400::25: the server saw $((a6 - b6)) connections, the prober made $n6"
	fi
	expect_json d1.sharedmx.test "r['checks']['ipv6']['mx_hosts'][0]['ipv6'][0]['reachable']" true
else
	not_ok "no Postfix maillog at $LOG"
fi

# --- dkim: the non-sending exemption needs DMARC and SPF; a failed DMARC lookup leaves it unknown
# afail.hostile.test: "v=spf1 -all", no _domainkey (NXDOMAIN), TXT _dmarc SERVFAIL.
scan audit-dkimexempt --no-smtp <<<'afail.hostile.test' || not_ok "scan exited non-zero"
expect afail.hostile.test dmarc error
expect afail.hostile.test spf pass
expect afail.hostile.test dkim error
expect_json afail.hostile.test "r['checks']['dkim']['non_sending']['exempt']" null

# --- spf: a plain "all" is "+all" --------------------------------------------------------
scan audit-spf --no-smtp <<<'audit-spfall.test' || not_ok "scan exited non-zero"
expect audit-spfall.test spf fail
expect_json audit-spfall.test "[(s['points'], s['max']) for s in $(printf "$sub" spf spf_policy)]" '[[2, 10]]'

# --- invalid rows: every verdict error, score empty, dnssec_status error ------------------------
scan audit-invalid --no-smtp <<'IN' || not_ok "scan exited non-zero"
bad..test
good.test
IN
expect bad..test score ""
expect bad..test dnssec_status error
expect bad..test spf_lookups ""
expect bad..test dmarc_policy ""
expect_json bad..test "r['score']" null
expect_json bad..test "r['spf_lookups']" null
expect_json bad..test "sorted(k for k, c in r['checks'].items() if c['verdict'] == 'error')" \
	'["caa", "dane", "dkim", "dmarc", "dnssec", "ipv6", "mta_sts", "mx", "spf", "starttls", "tlsrpt"]'
expect_json good.test "type(r['score']).__name__" int
expect_json good.test "r['spf_lookups']" 1
expect_json good.test "type(r['score_auth']).__name__" int

# --- input forms and `-` for standard output (cli.md) ---------------------------------------
printf '# a comment\n\n  good.test  \nnullmx.test.\n' >"$OUT/one.txt"
printf 'nomx.test\n' >"$OUT/two.txt"
domscan_in scan --resolver "$TESTNET_RESOLVER" --trust-anchor "$TESTNET_TRUST_ANCHOR" --no-smtp \
	--timeout 3 --quiet --csv - "$OUT/one.txt" "$OUT/two.txt" >"$OUT/stdout.csv" 2>"$OUT/stdout.err"
rc=$?
[ $rc -eq 0 ] && ok "--csv -: exit 0" || not_ok "--csv -: exit $rc"
got=$(/usr/bin/python3 -c 'import csv,sys; print(" ".join(r["domain"] for r in csv.DictReader(open(sys.argv[1]))))' "$OUT/stdout.csv")
[ "$got" = "good.test nullmx.test nomx.test" ] && ok "two INPUT files, comments/blank lines skipped, whitespace and trailing dot trimmed, CSV on stdout" ||
	not_ok "rows from two files on stdout: '$got'"
printf 'good.test\n' | domscan_in scan --resolver "$TESTNET_RESOLVER" --trust-anchor "$TESTNET_TRUST_ANCHOR" \
	--no-smtp --timeout 3 --quiet --json - >"$OUT/stdout.json" 2>>"$OUT/stdout.err"
got=$(/usr/bin/python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; print(len(r), r[0]["domain"], r[0]["spf"])' "$OUT/stdout.json")
[ "$got" = "1 good.test pass" ] && ok "no INPUT reads stdin; --json - writes JSON Lines on stdout" ||
	not_ok "--json - from stdin: '$got'"

# --- the formula guard: text cells defused, verdict/score/count cells never need it ---------
printf 'domain,note,tag,mail\ngood.test,+1,-x,@home\n' >"$OUT/guard.csv"
scan audit-guard --no-smtp <"$OUT/guard.csv" || not_ok "scan exited non-zero"
expect good.test note "'+1"
expect good.test tag "'-x"
expect good.test mail "'@home"
expect good.test spf pass
expect_json good.test "r['note']" "+1"   # JSON keeps the value as it was

# --- --selectors @FILE ----------------------------------------------------------------------
printf 'custom1\n' >"$OUT/sel.txt"
scan audit-sel --no-smtp --selectors "@$OUT/sel.txt" <<<'dk-row.test' || not_ok "scan exited non-zero"
expect dk-row.test dkim_selectors custom1
expect_json dk-row.test "r['checks']['dkim']['selectors_probed']" 1
# a list may name files too (README: --selectors whs1,whs2,@extra.txt)
scan audit-sel2 --no-smtp --selectors "whs1,@$OUT/sel.txt" <<<'dk-row.test' || not_ok "scan exited non-zero"
expect dk-row.test dkim_selectors custom1
expect_json dk-row.test "r['checks']['dkim']['selectors_probed']" 2
expect_json dk-row.test "'invalid_selectors' in r['checks']['dkim']" false

# --- --trust-anchor: DS or DNSKEY records in zone-file format ------------------------------
for ta in "$TESTNET_TRUST_ANCHOR" "$TESTNET_TRUST_ANCHOR_KEY"; do
	printf 'good.test\nunsigned.test\nexpired.test\n' | domscan_in scan --resolver "$TESTNET_RESOLVER" \
		--trust-anchor "$ta" --no-smtp --timeout 3 --quiet --csv - >"$OUT/ta.csv" 2>"$OUT/ta.err"
	got=$(/usr/bin/python3 -c 'import csv,sys; print(" ".join(r["dnssec_status"] for r in csv.DictReader(open(sys.argv[1]))))' "$OUT/ta.csv")
	[ "$got" = "secure insecure bogus" ] && ok "trust anchor $(basename "$ta"): secure insecure bogus" ||
		not_ok "trust anchor $(basename "$ta"): '$got'"
done

# --- no usable resolver: exit 1 (an empty resolv.conf and no --resolver) --------------------
: >"$OUT/empty-resolv.conf"
echo good.test | ip netns exec "$TESTNET_NETNS" unshare -m sh -c \
	'mount --bind "$1" /etc/resolv.conf && exec "$2" scan --csv - --quiet -' sh \
	"$OUT/empty-resolv.conf" "$DOMSCAN" >"$OUT/nores.out" 2>"$OUT/nores.err"
rc=$?
[ $rc -eq 1 ] && grep -q "no usable resolver" "$OUT/nores.err" && ok "no usable resolver: exit 1 with a message" ||
	not_ok "no usable resolver: exit $rc, $(cat "$OUT/nores.err")"

# --- commands and their exit status -----------------------------------------------------
for c in "version" "--version" "help" "--help" "help scan" "scan --help" "help check-host"; do
	domscan_in $c >"$OUT/cmd.out" 2>&1
	rc=$?
	[ $rc -eq 0 ] && [ -s "$OUT/cmd.out" ] && ok "domscan $c: exit 0 with output" || not_ok "domscan $c: exit $rc"
done
domscan_in check-host --resolver "$TESTNET_RESOLVER" --timeout 3 --ip 192.0.2.1 \
	--mailfrom user@good.test >"$OUT/ch.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(head -1 "$OUT/ch.out")" = fail ] && ok "check-host: 'fail' on the first line, exit 0" ||
	not_ok "check-host: exit $rc, '$(head -1 "$OUT/ch.out")'"
domscan_in check-host --resolver "$TESTNET_RESOLVER" --timeout 3 --ip 127.0.0.25 --mailfrom '' \
	--helo good.test >"$OUT/ch2.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(head -1 "$OUT/ch2.out")" = pass ] && ok "check-host: empty --mailfrom checks the HELO identity (pass)" ||
	not_ok "check-host HELO: exit $rc, '$(head -1 "$OUT/ch2.out")'"

done_testing
