#!/bin/bash
# --shard I/N and domscan merge on the real test network: the sample portfolio scanned in 4
# shards and merged gives the CSV of one unsharded scan byte for byte, and the same JSON Lines
# rows (up to what differs between any two runs: timings, which domain's SNI first reached a
# shared MX address, DNS record order); the split follows the documented FNV-1a rule; the HTML
# rebuilt from JSON Lines equals the scanner's own; broken sets of parts are refused; merge --input
# checks the parts against the input to its last row.
. "$(dirname "$0")/lib.sh"

portfolio="$TESTNET_PORTFOLIO"
scan single --html "$OUT/single.html" <"$portfolio" || not_ok "unsharded scan failed"
for i in 1 2 3 4; do
	scan "part$i" --shard "$i/4" <"$portfolio" &
done
wait
for i in 1 2 3 4; do
	[ -s "$OUT/part$i.csv" ] && [ -s "$OUT/part$i.json" ] || not_ok "shard $i wrote no report"
done

# every input row in exactly one shard, by the documented hash
/usr/bin/python3 - "$OUT" <<'PY' && ok "every row in exactly one shard: FNV-1a 64 of the domain (invalid: of the input) mod 4" || not_ok "shard split is not the documented one"
import json, sys
out = sys.argv[1]
def fnv(s):
    h = 0xcbf29ce484222325
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h
single = [json.loads(l) for l in open(out + "/single.json")]
seen = {}
for i in range(1, 5):
    rows = [json.loads(l) for l in open("%s/part%d.json" % (out, i))]
    assert rows, "shard %d is empty" % i
    last = 0
    for r in rows:
        key = r["input"] if r["input_error"] is not None else r["domain"]
        assert fnv(key) % 4 + 1 == i, (key, i)
        assert r["input_row"] > last  # input order
        last = r["input_row"]
        assert r["input_row"] not in seen
        seen[r["input_row"]] = i
assert sorted(seen) == list(range(1, len(single) + 1)), (len(seen), len(single))
assert any(r["input_error"] for r in single)  # the malformed entries were sharded too
PY

"$DOMSCAN" merge --csv "$OUT/merged.csv" --json "$OUT/merged.json" --html "$OUT/merged.html" \
	"$OUT"/part4.csv "$OUT"/part2.json "$OUT"/part1.csv "$OUT"/part3.json "$OUT"/part3.csv \
	"$OUT"/part1.json "$OUT"/part2.csv "$OUT"/part4.json 2>"$OUT/merge.err" &&
	ok "merge of 4 CSV and 4 JSON parts succeeds" || not_ok "merge failed: $(cat "$OUT/merge.err")"
cmp -s "$OUT/merged.csv" "$OUT/single.csv" && ok "merged CSV = unsharded CSV, byte for byte" ||
	not_ok "merged CSV differs: $(diff "$OUT/merged.csv" "$OUT/single.csv" | head -3)"

# Fields that differ between any two scans of the same input, not because of sharding.
cat >"$OUT/norm.py" <<'PY'
import json, sys
def norm(o):
    if isinstance(o, dict):
        return {k: norm(v) for k, v in o.items() if k not in ("elapsed_ms", "sni", "connections")}
    if isinstance(o, list):
        v = [norm(x) for x in o]
        return sorted(v, key=lambda x: json.dumps(x, sort_keys=True)) if all(isinstance(x, dict) for x in v) else v
    return o
for l in open(sys.argv[1]):
    print(json.dumps(norm(json.loads(l)), sort_keys=True))
PY
/usr/bin/python3 "$OUT/norm.py" "$OUT/merged.json" >"$OUT/merged.norm"
/usr/bin/python3 "$OUT/norm.py" "$OUT/single.json" >"$OUT/single.norm"
cmp -s "$OUT/merged.norm" "$OUT/single.norm" && ok "merged JSON Lines = unsharded JSON Lines (timings, SNI and record order aside)" ||
	not_ok "merged JSON differs: $(diff "$OUT/merged.norm" "$OUT/single.norm" | head -c 600)"
cut -c1-20 "$OUT/merged.json" | cmp -s - <(cut -c1-20 "$OUT/single.json") && ok "merged JSON rows in input order" || not_ok "JSON row order"

# The HTML rebuilt from JSON Lines is the scanner's own HTML, byte for byte.
"$DOMSCAN" merge --html "$OUT/rebuilt.html" --csv "$OUT/rebuilt.csv" "$OUT/single.json" 2>>"$OUT/merge.err"
cmp -s "$OUT/rebuilt.html" "$OUT/single.html" && ok "HTML rebuilt from JSON Lines = the scan's HTML" || not_ok "rebuilt HTML differs"
cmp -s "$OUT/rebuilt.csv" "$OUT/single.csv" && ok "CSV rebuilt from JSON Lines = the scan's CSV" || not_ok "rebuilt CSV differs"
"$DOMSCAN" merge --html "$OUT/fromparts.html" "$OUT"/part?.json 2>>"$OUT/merge.err"
"$DOMSCAN" merge --html "$OUT/frommerged.html" "$OUT/merged.json" 2>>"$OUT/merge.err"
cmp -s "$OUT/fromparts.html" "$OUT/frommerged.html" && cmp -s "$OUT/fromparts.html" "$OUT/merged.html" &&
	ok "merged HTML = HTML of the merged JSON Lines" || not_ok "merged HTML differs"
n_single=$(grep -o '<details id=' "$OUT/single.html" | wc -l)
n_merged=$(grep -o '<details id=' "$OUT/merged.html" | wc -l)
[ "$n_single" -gt 30 ] && [ "$n_single" = "$n_merged" ] && ok "merged HTML has every detail section ($n_merged)" ||
	not_ok "HTML detail sections: single $n_single, merged $n_merged"

# Broken sets of parts: refused with a reason, nothing written.
refused() { # what pattern parts...
	local what=$1 pat=$2
	shift 2
	rm -f "$OUT/bad.csv"
	if "$DOMSCAN" merge --csv "$OUT/bad.csv" "$@" 2>"$OUT/bad.err"; then
		not_ok "merge accepted $what"
	elif ! grep -q "$pat" "$OUT/bad.err"; then
		not_ok "$what: message '$(cat "$OUT/bad.err")' lacks '$pat'"
	elif [ -e "$OUT/bad.csv" ]; then
		not_ok "$what: a report was written anyway"
	else
		ok "refused: $what ($(head -c 90 "$OUT/bad.err"))"
	fi
}
refused "a missing part" "in none of the parts" "$OUT"/part1.csv "$OUT"/part2.csv "$OUT"/part4.csv
refused "the same part twice" "is in both" "$OUT"/part1.csv "$OUT"/part2.csv "$OUT"/part3.csv "$OUT"/part4.csv "$OUT"/part2.csv
head -c -5 "$OUT/part3.csv" >"$OUT/torn.csv"
refused "an unfinished part" "incomplete" "$OUT"/part1.csv "$OUT"/part2.csv "$OUT"/torn.csv "$OUT"/part4.csv
scan other --shard 2/4 --no-smtp <"$portfolio"
/usr/bin/python3 - "$OUT/other.csv" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().split("\n")
lines[0] = lines[0].replace("domain,", "Domain,", 1)
open(p, "w", encoding="utf-8").write("\n".join(lines))
PY
refused "parts with different columns" "different columns" "$OUT"/part1.csv "$OUT"/other.csv "$OUT"/part3.csv "$OUT"/part4.csv
# merge --input checks the parts against the input, to the last row.
"$DOMSCAN" merge --input "$portfolio" --csv "$OUT/checked.csv" "$OUT"/part?.csv 2>"$OUT/checked.err" &&
	cmp -s "$OUT/checked.csv" "$OUT/single.csv" && ok "merge --input: the parts hold exactly the input's rows" ||
	not_ok "merge --input: $(cat "$OUT/checked.err")"
# The part holding the last input row loses that row cleanly (no torn line): the other parts
# cannot show it; the input does.
last=$(($(wc -l <"$OUT/single.csv") - 1))
for i in 1 2 3 4; do
	cp "$OUT/part$i.csv" "$OUT/cut$i.csv"
	if tail -1 "$OUT/part$i.csv" | grep -q ",$last\$"; then
		head -n -1 "$OUT/part$i.csv" >"$OUT/cut$i.csv"
	fi
done
refused "the last row lost, with --input" "more rows than the parts" --input "$portfolio" "$OUT"/cut?.csv
sed 's/^good\.test,/good2.test,/' "$portfolio" >"$OUT/other-input.csv"
refused "parts of another input, with --input" "parts of another input" --input "$OUT/other-input.csv" "$OUT"/part?.csv
"$DOMSCAN" scan --shard 5/4 x 2>"$OUT/bad.err" && not_ok "--shard 5/4 accepted" ||
	{ grep -q "I/N" "$OUT/bad.err" && ok "--shard 5/4 refused" || not_ok "--shard 5/4: $(cat "$OUT/bad.err")"; }
done_testing
