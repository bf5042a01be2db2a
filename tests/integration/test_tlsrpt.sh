#!/bin/bash
# TLS-RPT (verdicts.md "tlsrpt"): pass for exactly one valid record, fail when malformed or
# more than one, info when absent, error on lookup failure.
# Zones: tests/testnet/cases/dmarc.zones and base.zones.
. "$(dirname "$0")/lib.sh"

scan tlsrpt --no-smtp <<'DOMAINS' || { not_ok "domscan scan failed"; done_testing; exit 1; }
good.test
tr-good.test
tr-bad.test
tr-two.test
tr-absent.test
dm-none.test
DOMAINS

expect good.test tlsrpt pass
expect tr-good.test tlsrpt pass          # one valid record next to another TXT record
expect tr-bad.test tlsrpt fail           # rua without mailto:/https:
expect tr-two.test tlsrpt fail
expect tr-absent.test tlsrpt info        # only a non-TLS-RPT TXT record
expect dm-none.test tlsrpt info          # NXDOMAIN
expect_json tr-good.test 'r["checks"]["tlsrpt"]["rua"]' \
	'["mailto:tlsrpt@tr-good.test", "https://report.tr-good.test/tlsrpt"]'
expect_json tr-bad.test 'r["checks"]["tlsrpt"]["record"]' 'v=TLSRPTv1; rua=tlsrpt@tr-bad.test'

# Lookup failure (a delegation to a silent server): error, never "missing".
scan tlsrpt-lame --no-smtp --timeout 1 <<'DOMAINS' || not_ok "domscan scan (lame) failed"
lame.dm-err.test
DOMAINS
expect lame.dm-err.test tlsrpt error

done_testing
