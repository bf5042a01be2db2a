#!/bin/bash
# The reports on the sample portfolio: CSV, JSON Lines and HTML written together agree with each
# other (one row per input line, in order), the CSV round-trips through a CSV parser, carried
# columns survive, and hostile text in the input reaches the HTML escaped.
. "$(dirname "$0")/lib.sh"

portfolio="$OUT/portfolio.csv"
cp "$TESTNET_PORTFOLIO" "$portfolio"
# a hostile row: script tags, quotes and a formula in carried columns
printf '%s\n' '"<script>alert(1)</script>.test","=HYPERLINK(""http://x"")","<img src=x onerror=alert(2)>"' >>"$portfolio"
html="$OUT/report.html"
scan reports --html "$html" <"$portfolio"
n_in=$(($(/usr/bin/python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], encoding="utf-8"))))' "$portfolio") - 1))
/usr/bin/python3 - "$LAST_CSV" "$LAST_JSON" "$n_in" <<'PY' && ok "CSV and JSON: $n_in rows each, same domains in the same order" || not_ok "CSV/JSON rows disagree"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
js = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
n = int(sys.argv[3])
assert len(rows) == len(js) == n, (len(rows), len(js), n)
for r, j in zip(rows, js):
    assert r["domain"] == j["domain"], (r["domain"], j["domain"])
    assert (r["score"] or None) == (None if j["score"] is None else str(j["score"])), (r["score"], j["score"])
    for c in ("dnssec", "spf", "dkim", "dmarc", "caa", "starttls", "dane", "ipv6", "mta_sts", "tlsrpt"):
        assert r[c] == j[c], (r["domain"], c, r[c], j[c])
PY
expect good.test customer "Customer 001"
hostile=$(/usr/bin/python3 -c 'import csv,sys; rows=list(csv.DictReader(open(sys.argv[1], encoding="utf-8"))); print(rows[-1]["customer"])' "$LAST_CSV")
[ "$hostile" = "'=HYPERLINK(\"http://x\")" ] && ok "formula in a carried column is defused" || not_ok "formula cell: $hostile"
[ -s "$html" ] && ok "HTML report written" || not_ok "no HTML report"
grep -q '<script>alert(1)</script>' "$html" && not_ok "raw <script> from input in the HTML" || ok "no raw hostile <script> in the HTML"
grep -q 'onerror=alert(2)>' "$html" && not_ok "raw <img onerror> in the HTML" || ok "no raw <img onerror> in the HTML"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$html" && ok "hostile text shown escaped" || not_ok "escaped hostile text not found"
grep -Eq 'https?://[^"]*\.(com|net|org)/' "$html" && grep -Eq '<(script|link)[^>]+src=' "$html" && not_ok "external resources referenced" || ok "self-contained (no external script/link sources)"
for d in good.test nullmx.test xn--bcher-kva.test; do
	grep -q "$d" "$html" && ok "HTML lists $d" || not_ok "HTML lacks $d"
done
done_testing
