#!/bin/bash
# The HTML report in Dutch and English (--lang, issue 10): the sample portfolio of the test
# network renders fully in each language, with no untranslated message identifier (the
# renderer writes "[[id]]" for a message missing from the catalogue, "[[?name]]" for a missing
# parameter and "[[untranslated]]" for a text without a message), in the browser too; CSV and
# JSON stay English and identical; --lang defaults from LANG; --help documents the option.
. "$(dirname "$0")/lib.sh"

portfolio="$OUT/portfolio.csv"
cp "$TESTNET_PORTFOLIO" "$portfolio"
for lang in nl en; do
	scan "report-$lang" --lang "$lang" --html "$OUT/report-$lang.html" <"$portfolio" &&
		ok "scan with --lang $lang" || not_ok "scan with --lang $lang failed"
done
# A Dutch report with --baseline: the changes section at its top, against the English run
# with good.test's spf made fail (so the section lists a change).
/usr/bin/python3 - "$OUT/report-en.csv" "$OUT/baseline.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
for r in rows:
    if r["domain"] == "good.test":
        r["spf"] = "fail"
w = csv.DictWriter(open(sys.argv[2], "w", encoding="utf-8", newline=""), fieldnames=list(rows[0]))
w.writeheader()
w.writerows(rows)
PY
scan "report-nlbase" --lang nl --baseline "$OUT/baseline.csv" --html "$OUT/report-nlbase.html" \
	<"$portfolio" && grep -q '<section id="changes">' "$OUT/report-nlbase.html" &&
	ok "scan with --lang nl --baseline: changes section" || not_ok "scan with --lang nl --baseline"
grep -qF 'SPF: onvoldoende &rarr; goed' "$OUT/report-nlbase.html" && grep -qF '>verbeterd</div>' "$OUT/report-nlbase.html" &&
	ok "nl: the change of good.test in Dutch (SPF: onvoldoende → goed)" || not_ok "nl: change of good.test not shown in Dutch"
# The hostile cases of the test network (timeouts, garbage, the per-domain deadline) in Dutch:
# their errors are messages too.
printf '%s\n' smtpdrip.test smtptlsstall.test smtptlsreset.test stsendless.test stsslow.test \
	garbage.hostile.test wrongq.hostile.test cnameloop.hostile.test spfbomb.hostile.test \
	refloop.hostile.test >"$OUT/hostile.txt"
scan "report-nlhostile" --lang nl --domain-timeout 4 --html "$OUT/report-nlhostile.html" \
	<"$OUT/hostile.txt" && ok "scan of hostile domains with --lang nl" || not_ok "hostile scan failed"
grep -qF 'De controle was niet op tijd klaar' "$OUT/report-nlhostile.html" &&
	ok "nl: the per-domain deadline explained in Dutch" || not_ok "nl: no Dutch deadline message"
nl="$OUT/report-nl.html"
en="$OUT/report-en.html"
for lang in nl en nlbase nlhostile; do
	f="$OUT/report-$lang.html"
	n=$(grep -o '\[\[[^]]*\]\]' "$f" | sort | uniq -c | sort -rn)
	[ -z "$n" ] && ok "$lang: no untranslated identifier in the HTML" ||
		not_ok "$lang: untranslated identifiers in the HTML: $(echo "$n" | head -20 | tr '\n' ';')"
	grep -q "<html lang=\"${lang:0:2}\">" "$f" && ok "$lang: <html lang=\"${lang:0:2}\">" ||
		not_ok "$lang: html lang attribute"
	# Every subtest row carries a translated name: none shows a raw subtest identifier.
	raw=$(grep -oE '<tr><td title="[a-z0-9_]+">[a-z0-9_]+<' "$f" | head -5)
	[ -z "$raw" ] && ok "$lang: subtest names translated" || not_ok "$lang: raw subtest names: $raw"
done
# Dutch words people read, and no English headings left in the Dutch report.
for w in 'Overzicht' 'Gebruik van de standaarden' 'pas-toe-of-leg-uit-lijst' 'Details per domein' \
	'onvoldoende' 'IPv6-adressen voor naamservers' 'DMARC-beleid' 'Het domein is ondertekend met DNSSEC.' \
	'De mailserver biedt STARTTLS aan.' 'toelichting'; do
	grep -qF "$w" "$nl" && ok "nl report contains '$w'" || not_ok "nl report lacks '$w'"
done
for w in '>Overview<' 'Adoption of the standards' 'Details per domain' '>explanation<' \
	'Could not complete' 'The domain is signed' 'mean score'; do
	grep -qF "$w" "$nl" && not_ok "nl report contains English '$w'" || ok "nl report has no '$w'"
	grep -qF "$w" "$en" || [ "$w" = 'Could not complete' ] && ok "en report contains '$w'" ||
		not_ok "en report lacks '$w'"
done
# Every visible text is in the report's language: the visible text without scripts, styles,
# proposed records (<code>), technical details (<span class="detail">, the JSON detail lists)
# and the input's own text has no common word of the other language.
for lang in nl en nlbase nlhostile; do
	/usr/bin/python3 - "$OUT/report-$lang.html" "${lang:0:2}" >"$OUT/foreign-$lang.txt" <<'PY'
import html, re, sys
s = open(sys.argv[1], encoding="utf-8").read()
for pat in (r"<script.*?</script>", r"<style.*?</style>", r"<code>.*?</code>",
            r'<span class="detail">.*?</span>', r'<ul class="rec">.*?</ul>', r"<summary>.*?</summary>",
            r'<a href="#d\d+">.*?</a>'):
    s = re.sub(pat, " ", s, flags=re.S)
text = html.unescape(re.sub(r"<[^>]*>", "\n", s))
words = {"nl": r"the|and|with|has|have|should|could|cannot|domains|hosts|found|failed|shared|days|left|every|only|which|this|that|there",
         "en": r"de|het|een|van|niet|geen|wordt|zijn|naamservers?|mailservers?|ondertekend|beleid|voldoet"}[sys.argv[2]]
bad = {}
for line in text.split("\n"):
    for w in re.findall(r"(?<![\w.@/-])(%s)(?![\w.@/-])" % words, line, flags=re.I):
        bad.setdefault(line.strip()[:120], w)
for l, w in list(bad.items())[:15]:
    print("%s: %s" % (w, l))
PY
	[ ! -s "$OUT/foreign-$lang.txt" ] && ok "$lang: no words of the other language in the visible text" ||
		not_ok "$lang: words of the other language: $(head -8 "$OUT/foreign-$lang.txt" | tr '\n' '|')"
done
# Advice with proposed records: the record in <code>, the text around it translated.
grep -qE 'Publiceer een DMARC-record: <code>_dmarc\.[a-z0-9.-]+ TXT &quot;v=DMARC1; p=quarantine' "$nl" &&
	ok "nl: DMARC advice with the proposed record" || not_ok "nl: no DMARC advice with a record"
grep -qE 'Publish a DMARC record: <code>_dmarc\.' "$en" && ok "en: DMARC advice with the proposed record" ||
	not_ok "en: no DMARC advice with a record"
# Machines: CSV and JSON do not depend on the language.
cmp -s "$OUT/report-nl.csv" "$OUT/report-en.csv" && ok "CSV identical in both languages" ||
	not_ok "CSV differs between languages"
/usr/bin/python3 - "$OUT/report-nl.json" "$OUT/report-en.json" <<'PY' && ok "JSON subtests carry msg and args; English reasons; identical across languages" || not_ok "JSON subtests"
import json, sys
def load(p):
    out = []
    for l in open(p, encoding="utf-8"):
        r = json.loads(l)
        r.pop("elapsed_ms", None)
        for c in (r.get("checks") or {}).values():
            if isinstance(c, dict):
                c.pop("elapsed_ms", None)
        out.append(r)
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
n = 0
for r in a:
    for name, c in (r.get("checks") or {}).items():
        for st in (c.get("subtests") or []) if isinstance(c, dict) else []:
            assert isinstance(st.get("msg"), str) and "." in st["msg"] or st["msg"] == "no_smtp", (r["domain"], st)
            assert isinstance(st.get("args"), dict), st
            assert isinstance(st.get("reason"), str), st
            n += 1
assert n > 100, n
assert [x["domain"] for x in a] == [x["domain"] for x in b]
PY
# domscan merge rebuilds the HTML from JSON Lines in the language asked, messages included.
domscan_in merge --lang nl --html "$OUT/merged-nl.html" "$OUT/report-nl.json" 2>"$OUT/merge.err" &&
	grep -q '<html lang="nl">' "$OUT/merged-nl.html" && ! grep -q '\[\[' "$OUT/merged-nl.html" &&
	grep -qF 'Het domein is ondertekend met DNSSEC.' "$OUT/merged-nl.html" &&
	ok "merge --lang nl: a Dutch HTML report without untranslated identifiers" ||
	not_ok "merge --lang nl: $(head -3 "$OUT/merge.err")"
# JSON carries the advice with its text in the report's language.
/usr/bin/python3 - "$OUT/report-nl.json" "$OUT/report-en.json" <<'PY' && ok "JSON advice text in Dutch and English" || not_ok "JSON advice text"
import json, sys
def advice(p):
    out = {}
    for l in open(p, encoding="utf-8"):
        r = json.loads(l)
        for name, c in (r.get("checks") or {}).items():
            if isinstance(c, dict) and "advice" in c:
                out[(r["domain"], name)] = c["advice"]
    return out
nl, en = advice(sys.argv[1]), advice(sys.argv[2])
assert nl.keys() == en.keys() and len(nl) > 20, (len(nl), len(en))
for k in nl:
    assert nl[k]["msg"] == en[k]["msg"] and nl[k]["args"] == en[k]["args"], k
    assert nl[k]["lang"] == "nl" and en[k]["lang"] == "en", k
    assert nl[k]["text"] and nl[k]["text"] != en[k]["text"] and "[[" not in nl[k]["text"], k
d = [k for k in nl if k[1] == "dmarc" and nl[k]["msg"] == "advice.dmarc.fail"]
assert d, "no DMARC advice"
assert nl[d[0]]["text"].startswith("Publiceer een DMARC-record: _dmarc."), nl[d[0]]["text"]
assert en[d[0]]["text"].startswith("Publish a DMARC record: _dmarc."), en[d[0]]["text"]
PY
# The default language comes from LANG (LC_ALL first).
LANG=nl_NL.UTF-8 LC_ALL= scan "report-env" --html "$OUT/report-env.html" <"$portfolio" &&
	grep -q '<html lang="nl">' "$OUT/report-env.html" && ok "LANG=nl_NL.UTF-8 gives a Dutch report" ||
	not_ok "LANG=nl_NL.UTF-8 did not give a Dutch report"
LANG=C LC_ALL= scan "report-c" --html "$OUT/report-c.html" <"$portfolio" &&
	grep -q '<html lang="en">' "$OUT/report-c.html" && ok "LANG=C gives an English report" ||
	not_ok "LANG=C did not give an English report"
domscan_in scan --lang fr --html "$OUT/x.html" - </dev/null >"$OUT/fr.out" 2>&1
[ $? -eq 1 ] && grep -q -- '--lang' "$OUT/fr.out" && ok "--lang fr is a usage error" || not_ok "--lang fr: $(cat "$OUT/fr.out")"
"$DOMSCAN" help scan 2>&1 | grep -q -- '--lang nl|en' && ok "help scan documents --lang" || not_ok "help scan lacks --lang"
"$DOMSCAN" scan --help 2>&1 | grep -q -- '--lang nl|en' && ok "scan --help documents --lang" ||
	not_ok "scan --help lacks --lang"

# In the browser: the Dutch report renders (headless Chromium's DOM after scripts ran).
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
	for lang in nl en; do
		timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
			--user-data-dir="$OUT/chrome-$lang" --dump-dom "file://$OUT/report-$lang.html" \
			>"$OUT/dom-$lang.html" 2>"$OUT/chrome-$lang.log"
		if [ -s "$OUT/dom-$lang.html" ] && grep -q 'id="domains"' "$OUT/dom-$lang.html"; then
			m=$(grep -o '\[\[[^]]*\]\]' "$OUT/dom-$lang.html" | head -3)
			[ -z "$m" ] && ok "browser ($lang): the report renders with no untranslated identifier" ||
				not_ok "browser ($lang): untranslated: $m"
		else
			not_ok "browser ($lang): no DOM (see $OUT/chrome-$lang.log)"
		fi
	done
	grep -qF 'Verdeling van de scores' "$OUT/dom-nl.html" && ok "browser (nl): Dutch headings in the DOM" ||
		not_ok "browser (nl): Dutch headings missing from the DOM"
else
	not_ok "no chromium for the browser check (scripts/install-deps.sh installs it)"
fi
done_testing
