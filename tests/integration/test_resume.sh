#!/bin/bash
# --resume on the real test network: a 10,000-domain scan (cheap wildcard names from
# cases/bulk.zones, plus invalid and duplicate entries) killed with SIGKILL halfway and resumed
# gives the uninterrupted scan's CSV byte for byte and the same JSON Lines rows (timings aside);
# --resume --html rebuilds the HTML report byte for byte from the JSON Lines rows; the resumed run scans only the rest (DNS query count); resuming a
# finished report changes nothing; a report of another input is refused and left alone.
. "$(dirname "$0")/lib.sh"

N=10000
in="$OUT/in.txt"
{
	echo "# bulk portfolio"
	seq -f 'd%g.bulk.test' 1 2999
	echo "bad..bulk.test"
	echo "D17.Bulk.Test."
	seq -f 'd%g.bulk.test' 3000 $N
	echo "not a domain!"
	echo "d42.bulk.test"
} >"$in"
rows=$((N + 4))

run() { # NAME extra-options... ; stderr to $OUT/NAME.stderr
	local name=$1
	shift
	DOMSCAN_STATS=1 ip netns exec "$TESTNET_NETNS" "$DOMSCAN" scan --resolver "$TESTNET_RESOLVER" \
		--trust-anchor "$TESTNET_TRUST_ANCHOR" --ca-file "$TESTNET_CA_FILE" --timeout 3 --quiet \
		--selectors whs1 "$@" "$in" 2>"$OUT/$name.stderr"
}
queries() { sed -n 's/.*dns queries \([0-9]*\),.*/\1/p' "$OUT/$1.stderr"; }

run full --csv "$OUT/full.csv" --json "$OUT/full.json" ||
	not_ok "uninterrupted scan failed: $(tail -3 "$OUT/full.stderr")"
[ "$(($(wc -l <"$OUT/full.csv") - 1))" = "$rows" ] && ok "uninterrupted scan: $rows rows" ||
	not_ok "uninterrupted scan wrote $(wc -l <"$OUT/full.csv") lines"

# The same scan, killed with SIGKILL once about half of the rows are on disk.
args=(--csv "$OUT/part.csv" --json "$OUT/part.json")
DOMSCAN_STATS=1 ip netns exec "$TESTNET_NETNS" "$DOMSCAN" scan --resolver "$TESTNET_RESOLVER" \
	--trust-anchor "$TESTNET_TRUST_ANCHOR" --ca-file "$TESTNET_CA_FILE" --timeout 3 --quiet \
	--selectors whs1 "${args[@]}" "$in" 2>"$OUT/killed.stderr" &
pid=$!
for _ in $(seq 1 3000); do
	[ -f "$OUT/part.csv" ] && [ "$(wc -l <"$OUT/part.csv")" -ge $((rows / 2)) ] && break
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
kill -9 $pid 2>/dev/null && ok "scan killed with SIGKILL at $(($(wc -l <"$OUT/part.csv") - 1)) CSV rows" ||
	not_ok "the scan finished before it could be killed"
wait $pid 2>/dev/null
on_disk=$(($(wc -l <"$OUT/part.csv") - 1))
[ "$on_disk" -lt "$rows" ] && ok "interrupted report is partial ($on_disk of $rows rows)" || not_ok "nothing was cut off"

run resumed --resume "${args[@]}" || not_ok "resumed scan failed: $(tail -3 "$OUT/resumed.stderr")"
kept=$(sed -n 's/.*--resume: \([0-9]*\) rows already.*/\1/p' "$OUT/resumed.stderr")
[ -n "$kept" ] && [ "$kept" -gt $((rows / 3)) ] && [ "$kept" -lt "$rows" ] &&
	ok "resume kept $kept rows of the interrupted run" || not_ok "resume kept '${kept}' rows"
cmp -s "$OUT/part.csv" "$OUT/full.csv" && ok "resumed CSV = uninterrupted CSV, byte for byte" ||
	not_ok "resumed CSV differs: $(diff "$OUT/part.csv" "$OUT/full.csv" | head -4)"

# The resumed run scanned only the rest: its DNS queries are about the share of rows left.
qf=$(queries full)
qr=$(queries resumed)
left=$((rows - kept))
if [ -n "$qf" ] && [ -n "$qr" ] && [ "$qr" -lt $((qf * left / rows + qf / 10)) ]; then
	ok "resumed run asked $qr DNS queries for $left rows (uninterrupted: $qf for $rows)"
else
	not_ok "resumed run asked ${qr} DNS queries (uninterrupted ${qf}; $left of $rows rows left)"
fi

cat >"$OUT/same.py" <<'PY'
import json, sys
def norm(o):
    if isinstance(o, dict):
        return {k: norm(v) for k, v in o.items() if k not in ("elapsed_ms", "sni", "connections")}
    if isinstance(o, list):
        return [norm(x) for x in o]
    return o
n = 0
with open(sys.argv[1]) as a, open(sys.argv[2]) as b:
    for la, lb in zip(a, b):
        n += 1
        assert norm(json.loads(la)) == norm(json.loads(lb)), "row %d differs" % n
    assert a.readline() == b.readline() == "", "different row counts"
PY
/usr/bin/python3 "$OUT/same.py" "$OUT/part.json" "$OUT/full.json" 2>"$OUT/same.err" &&
	ok "resumed JSON Lines = uninterrupted JSON Lines (timings aside)" ||
	not_ok "resumed JSON differs: $(tail -1 "$OUT/same.err")"

# Resuming a finished report: nothing to scan, nothing changes.
cp "$OUT/part.csv" "$OUT/before.csv"
run again --resume "${args[@]}" || not_ok "resume of a finished report failed"
grep -q -- "--resume: $rows rows already" "$OUT/again.stderr" && cmp -s "$OUT/part.csv" "$OUT/before.csv" &&
	ok "resuming a finished report keeps it as it is" || not_ok "resume of a finished report: $(head -2 "$OUT/again.stderr")"
qa=$(queries again)
[ -n "$qa" ] && [ "$qa" -lt 100 ] && ok "and asks almost nothing ($qa DNS queries)" || not_ok "resume of a finished report asked ${qa} queries"

# --resume --html: the HTML report is rebuilt, its first rows from the JSON Lines rows already
# there. A smaller scan, cut off as a kill leaves it (a torn last line in each file).
head -n 301 "$in" >"$OUT/small.txt"
small() { # NAME options...
	local name=$1
	shift
	ip netns exec "$TESTNET_NETNS" "$DOMSCAN" scan --resolver "$TESTNET_RESOLVER" \
		--trust-anchor "$TESTNET_TRUST_ANCHOR" --ca-file "$TESTNET_CA_FILE" --timeout 3 --quiet \
		--selectors whs1 "$@" "$OUT/small.txt" 2>"$OUT/$name.stderr"
}
small sfull --csv "$OUT/s.csv" --json "$OUT/s.json" --html "$OUT/s.html"
head -c $(($(stat -c %s "$OUT/s.csv") / 2)) "$OUT/s.csv" >"$OUT/sr.csv"
head -c $(($(stat -c %s "$OUT/s.json") / 3)) "$OUT/s.json" >"$OUT/sr.json"
printf '<html>partial' >"$OUT/sr.html"
small sresumed --resume --csv "$OUT/sr.csv" --json "$OUT/sr.json" --html "$OUT/sr.html"
skept=$(sed -n 's/.*--resume: \([0-9]*\) rows already.*/\1/p' "$OUT/sresumed.stderr")
[ -n "$skept" ] && [ "$skept" -gt 10 ] && [ "$skept" -lt 200 ] && cmp -s "$OUT/sr.html" "$OUT/s.html" &&
	cmp -s "$OUT/sr.csv" "$OUT/s.csv" && ok "resumed --html (first $skept of 300 rows rebuilt from JSON) = uninterrupted HTML, byte for byte" ||
	not_ok "resumed HTML (kept '${skept}') differs from the uninterrupted one"

# A report of another input is refused and left as it was.
sed -i 's/^d5\.bulk\.test$/d5b.bulk.test/' "$in"
if run other --resume --csv "$OUT/part.csv"; then
	not_ok "resume accepted a report of another input"
else
	grep -q "not a report of this input" "$OUT/other.stderr" && cmp -s "$OUT/part.csv" "$OUT/before.csv" &&
		ok "a report of another input is refused ($(grep -m1 'resume:.*input' "$OUT/other.stderr" | head -c 100)) and left alone" ||
		not_ok "other input: $(tail -2 "$OUT/other.stderr")"
fi
"$DOMSCAN" scan --resume --csv - "$in" 2>"$OUT/stdout.err" && not_ok "--resume to standard output accepted" ||
	{ grep -q "standard output" "$OUT/stdout.err" && ok "--resume refuses standard output" || not_ok "$(cat "$OUT/stdout.err")"; }
"$DOMSCAN" scan --resume --html "$OUT/x.html" "$in" 2>"$OUT/html.err" && not_ok "--resume --html without --json accepted" ||
	{ grep -q "needs --json" "$OUT/html.err" && ok "--resume --html needs --json" || not_ok "$(cat "$OUT/html.err")"; }
# the JSON Lines reports are large (about 10 KB per row): keep them only when something failed
[ "$T_FAILED" -eq 0 ] && rm -f "$OUT/full.json" "$OUT/part.json"
done_testing
