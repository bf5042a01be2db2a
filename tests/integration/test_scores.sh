#!/bin/bash
# Hand-computed Internet.nl-style scores (docs/scoring.md; ../shared/spec/verdicts.md "score";
# ../shared/reference/internetnl-mail-test.md §3) for test-network domains, asserted on the CSV
# columns score, score_ipv6, score_dnssec, score_auth and score_starttls. Every expected value
# below is worked out by hand from the zone contents (tests/testnet/cases/*.zones) and the
# listeners' behaviour (tests/testnet/README.md), not copied from a domscan run:
#   points/max per subtest -> per server sum -> category (worst server, largest max, truncated)
#   -> overall (truncated mean of the scored categories).
#
# Facts of the test network used throughout:
# - ns1/ns2.dns.test both have AAAA and answer over IPv6: ns_reach 10/10 (two name servers).
# - Only the good listener (.25) has an IPv6 address (::25); MX hosts without AAAA give
#   mx_reach per host 0, so mx_score = int(sum / (n*10) * 10).
# - Every listener that speaks TLS 1.2 accepts a SHA-1 signature on the key exchange when the
#   client offers only SHA-1 (checked with `openssl s_client -tls1_2 -sigalgs ECDSA+SHA1`), so
#   kex_hash_func is 0/10 there. The "good" listener's STARTTLS block per MX is therefore
#     starttls_exists 10 + fs_params 10 + tls_ciphers 10 + tls_cipher_order 10 + tls_version 10
#     + tls_compression 10 + renegotiation_secure 10 + cert_pubkey 10 + cert_signature 10
#     + zero_rtt 10 + kex_hash_func 0 + extended_master_secret 10          = 110 of 120   (GOOD)
#   and the reference's "everything fine" example (120/130 = 92 without TLSA) becomes 110/130.
# - Certificate trust and host-name match never count (expired or self-signed cost nothing).
. "$(dirname "$0")/lib.sh"

domains="perfect.test pnone.test notlsa.test parentcaa.test twomx.test legacy.test
nostarttls.test refused.test nullmx.test nomx.test unsigned.test expired.test cnamebogus.test
insecmx.test onens.test partv6.test sendless.test spflimit.test"
printf '%s\n' $domains >"$OUT/domains.txt"
scan scores <"$OUT/domains.txt" || not_ok "scan exited non-zero"

# expect_scores DOMAIN SCORE IPV6 DNSSEC AUTH STARTTLS  (an empty string = not scored)
expect_scores() {
	local d=$1
	shift
	local c
	for c in score score_ipv6 score_dnssec score_auth score_starttls; do
		expect "$d" "$c" "$1"
		shift
	done
}

# perfect.test: everything published, DANE 3 1 1 matching the good certificate.
#   IPv6:     ns_reach 10/10 + mx_reach 10/10 (mx has ::25)          = 20/20  -> 100
#   DNSSEC:   domain dnssec_valid 10/10; mx.perfect.test 10/10; min   = 10/10  -> 100
#   Auth:     dmarc 10 + dmarc_policy 10 (reject) + dkim 10 + spf 10 + spf_policy 10 (-all)
#                                                                    = 50/50  -> 100
#   STARTTLS: GOOD 110/120 + dane_exists 10 + dane_valid 10          = 130/140 -> 92.86 -> 92
#   overall:  (100 + 100 + 100 + 92) / 4 = 98
expect_scores perfect.test 98 100 100 100 92

# pnone.test: like perfect.test but DMARC p=none (the reference's auth example).
#   Auth:     dmarc 10 + dmarc_policy 2 (p=none: invalid_p_sp) + dkim 10 + spf 10 + spf_policy 10
#                                                                    = 42/50  -> 84
#   STARTTLS: 130/140 -> 92 (as perfect.test)
#   overall:  (100 + 100 + 84 + 92) / 4 = 94 (docs/scoring.md's last worked example)
expect_scores pnone.test 94 100 100 84 92

# notlsa.test: good MX, signed zone, no TLSA at all.
#   STARTTLS: GOOD 110/120 + dane_exists 0/10 (dane_valid not counted without TLSA)
#                                                                    = 110/130 -> 84.6 -> 84
#   overall:  (100 + 100 + 100 + 84) / 4 = 96
expect_scores notlsa.test 96 100 100 100 84

# parentcaa.test: secure TLSA that matches no certificate; no DKIM key (NXDOMAIN).
#   Auth:     dmarc 10 + 10 + dkim 0 + spf 10 + 10                   = 40/50  -> 80
#   STARTTLS: GOOD 110/120 + dane_exists 0 + dane_valid 0 (both share dane_score, 0 unless
#             validated: reference §2.7)                             = 110/140 -> 78.6 -> 78
#   overall:  (100 + 100 + 80 + 78) / 4 = 89.5 -> 89
expect_scores parentcaa.test 89 100 100 80 78

# twomx.test: mx1 good (.25 + ::25), mx2 legacy (.27, TLS 1.0/1.1 only, no AAAA).
#   IPv6:     ns 10; mx hosts 10 + 0 -> mx_score int(10/20*10) = 5    = 15/20  -> 75
#   DNSSEC:   domain 10, mx1 10, mx2 10                              = 10/10  -> 100
#   STARTTLS: mx1 = GOOD 110/120 + dane_exists 0/10                  = 110/130
#             mx2 = exists 10 + fs 0 + ciphers 0 + order 10 + version 0 + compression 10
#                   + reneg 10 + pubkey 10 + signature 10 + 0-RTT 10 + kex_hash 10 (no TLS 1.2
#                   to test) + EMS not counted (no TLS 1.2) + dane_exists 0/10 = 80/120
#             worst server: min(110, 80) = 80 of the largest max 130 -> 61.5 -> 61
#   overall:  (75 + 100 + 100 + 61) / 4 = 84
expect_scores twomx.test 84 75 100 100 61

# legacy.test: one MX on the legacy listener (no AAAA).
#   IPv6:     10 + 0                                                 = 10/20  -> 50
#   STARTTLS: the mx2 block of twomx.test                            = 80/120 -> 66.7 -> 66
#   overall:  (50 + 100 + 100 + 66) / 4 = 79
expect_scores legacy.test 79 50 100 100 66

# nostarttls.test: the MX does not offer STARTTLS; nothing else is evaluated there.
#   STARTTLS: starttls_exists 0/10 + dane_exists 0/10                 = 0/20   -> 0
#   overall:  (50 + 100 + 100 + 0) / 4 = 62.5 -> 62
expect_scores nostarttls.test 62 50 100 100 0

# refused.test: the MX refuses connections (error: the category counts, with 0).
#   STARTTLS: starttls_exists 0/10 (error) + dane_exists 0/10         = 0/20   -> 0
#   overall:  (50 + 100 + 100 + 0) / 4 = 62
expect_scores refused.test 62 50 100 100 0

# nullmx.test: MX 0 ., v=spf1 -all, p=reject (non-sending domain).
#   IPv6:     ns_reach 10/10; mx_reach not counted (null MX)          = 10/10  -> 100
#   DNSSEC:   domain only                                            = 10/10  -> 100
#   Auth:     dmarc 10 + 10, dkim exempt (no max), spf 10 + 10         = 40/40  -> 100
#   STARTTLS: not scored (null MX)
#   overall:  (100 + 100 + 100) / 3 = 100
expect_scores nullmx.test 100 100 100 100 ""

# nomx.test: no MX, no SPF, no DMARC, no DKIM.
#   IPv6:     ns only                                                = 10/10  -> 100
#   Auth:     dmarc 0 + dmarc_policy 0 + dkim 0 + spf 0 + spf_policy 0 = 0/50   -> 0
#   STARTTLS: not scored (no MX)
#   overall:  (100 + 100 + 0) / 3 = 66.7 -> 66
expect_scores nomx.test 66 100 100 0 ""

# unsigned.test: insecure zone (MX in it too); no DMARC; expired MX certificate (.29).
#   IPv6:     10 + 0                                                 = 10/20  -> 50
#   DNSSEC:   domain insecure 2; mx.unsigned.test insecure 2; min     = 2/10   -> 20
#   Auth:     dmarc 0 + 0 + dkim 10 + spf 10 + 10                    = 30/50  -> 60
#   STARTTLS: GOOD-like 110/120 (expiry not counted) + dane_exists 0  = 110/130 -> 84
#   overall:  (50 + 20 + 60 + 84) / 4 = 53.5 -> 53
expect_scores unsigned.test 53 50 20 60 84

# expired.test: bogus (expired RRSIGs); no DKIM key.
#   DNSSEC:   domain bogus 0; mx bogus 0                             = 0/10   -> 0
#   Auth:     10 + 10 + dkim 0 + 10 + 10                             = 40/50  -> 80
#   STARTTLS: 110/130 -> 84; IPv6 50
#   overall:  (50 + 0 + 80 + 84) / 4 = 53.5 -> 53
expect_scores expired.test 53 50 0 80 84

# cnamebogus.test: secure domain, MX name is a CNAME into the bogus expired.test; non-sending
# (v=spf1 -all, p=reject, no DKIM) so DKIM is exempt.
#   IPv6:     ns 10 + mx 0 (mx.expired.test has no AAAA)             = 10/20  -> 50
#   DNSSEC:   domain secure 10; MX bogus 0; worst server             = 0/10   -> 0
#   Auth:     40/40 (DKIM exempt)                                    -> 100
#   STARTTLS: 110/130 -> 84
#   overall:  (50 + 0 + 100 + 84) / 4 = 58.5 -> 58
expect_scores cnamebogus.test 58 50 0 100 84

# insecmx.test (scores.zones): secure domain, MX mx1.sharedmx.test in an unsigned zone.
#   IPv6:     10 + 10 (mx1 has ::25)                                  = 20/20  -> 100
#   DNSSEC:   domain 10; MX insecure 2; worst server min(10, 2)       = 2/10   -> 20
#   STARTTLS: 110/120 + dane_exists 0 (TLSA cannot be secure)         = 110/130 -> 84
#   overall:  (100 + 20 + 100 + 84) / 4 = 76
expect_scores insecmx.test 76 100 20 100 84

# onens.test (scores.zones): one name server only (ns1.dns.test, with IPv6).
#   IPv6:     ns_score 10 capped at 5 for a single NS + mx_reach 10   = 15/20  -> 75
#   overall:  (75 + 100 + 100 + 84) / 4 = 89.75 -> 89
expect_scores onens.test 89 75 100 100 84

# partv6.test (scores.zones): the MX has AAAA ::25 (accepts) and ::1 (refuses port 25).
#   IPv6:     ns 10; the host: 1 of 2 IPv6 addresses reachable -> 2; mx_score int(2/10*10) = 2
#                                                                    = 12/20  -> 60
#   STARTTLS: domscan probes every address of the MX; per subtest the host keeps the fewest
#             points over its addresses: ::1 is unreachable, so starttls_exists 0; the other
#             subtests come from .25/::25 (GOOD minus starttls_exists) = 100/120, + dane 0/10
#                                                                    = 100/130 -> 76.9 -> 76
#   overall:  (60 + 100 + 100 + 76) / 4 = 84
expect_scores partv6.test 84 60 100 100 76

# sendless.test (scores.zones): non-sending (p=reject, exactly v=spf1 -all, no DKIM) with an MX.
#   Auth:     dmarc 10 + 10 + spf 10 + 10, dkim exempt                = 40/40  -> 100
#   STARTTLS: 110/130 -> 84; IPv6 20/20
#   overall:  (100 + 100 + 100 + 84) / 4 = 96
expect_scores sendless.test 96 100 100 100 84

# spflimit.test: SPF needs 12 lookups (max_dns_lookups: 2 points); DMARC quarantine with an
# unauthorised external rua (warning, still 10); whs1._domainkey is a dangling CNAME, so
# _domainkey exists (NOERROR: 10); MX on the legacy listener.
#   Auth:     dmarc 10 + dmarc_policy 10 + dkim 10 + spf 10 + spf_policy 2 = 42/50 -> 84
#   STARTTLS: 80/120 -> 66 (as legacy.test); IPv6 50
#   overall:  (50 + 100 + 84 + 66) / 4 = 75
expect_scores spflimit.test 75 50 100 84 66

# The JSON Lines report carries the same parts: the worst-server totals of twomx.test.
expect_json twomx.test "r['scores']['starttls']['points']" 80
expect_json twomx.test "r['scores']['starttls']['max']" 130
expect_json insecmx.test "r['scores']['dnssec']['points']" 2
expect_json nullmx.test "r['scores']['starttls']['pct']" null
done_testing
