#!/bin/bash
# The SMTP prober's bounded result cache (scanner/smtp.h, docs/scale.md): with the bound forced
# down (DOMSCAN_SMTP_CACHE) results are evicted and addresses probed again, and the verdicts are
# those of a run that probes every address once. The re-probes are counted (DOMSCAN_STATS=1),
# Postfix sees exactly the connections the scanner counts (re-probes included), and the
# per-address budget holds across re-probes. A run with 4 workers over a 1-result cache keeps
# results alive while evicted (reference counting; ASan build in CI).
. "$(dirname "$0")/lib.sh"

LOG="$TESTNET_STATE/postfix/maillog"
seen() { # smtpd connections Postfix logged so far (all listeners)
	grep -c 'postfix/[a-z0-9]*/smtpd\[[0-9]*\]: connect from' "$LOG" 2>/dev/null || true
}
stat_of() { # NAME FIELD: a number from the "domscan: smtp" line of scan NAME
	sed -n "s/^domscan: smtp.*[ ,]$2 \([0-9]*\).*/\1/p" "$OUT/$1.stderr" | head -1
}
# The domains: single-address MX hosts (rsa2048 .30, legacy, selfsigned), good.test (two
# addresses, TLSA 3 1 1) and shared-MX domains on .25, its IPv6 address and .30. In this order
# (one worker) a one-result cache must lose the address a later domain asks for again.
cat >"$OUT/cache.in" <<'LIST'
rsa2048.test
good.test
d1.sharedmx.test
legacy.test
d2.sharedmx.test
selfsigned.test
LIST

b=$(seen)
DOMSCAN_STATS=1 scan cache-default --concurrency 1 <"$OUT/cache.in" ||
	not_ok "scan with the default cache exited non-zero"
sleep 1
srv_default=$(($(seen) - b))
addrs=$(stat_of cache-default addresses)
probes=$(stat_of cache-default probes)
[ "$(stat_of cache-default reprobes)" = 0 ] && [ -n "$addrs" ] && [ "$probes" = "$addrs" ] &&
	[ "$(stat_of cache-default evictions)" = 0 ] &&
	ok "default cache: $addrs addresses probed once each, no eviction" ||
	not_ok "default cache: addresses '$addrs', probes '$probes', stats: $(grep 'smtp addr' "$OUT/cache-default.stderr")"
conns=$(stat_of cache-default connections)
[ "$srv_default" = "$conns" ] && ok "default cache: Postfix saw the $conns connections counted" ||
	not_ok "default cache: Postfix saw $srv_default connections, the scanner counted '$conns'"
expect good.test starttls pass
expect good.test dane pass
expect rsa2048.test starttls warning

b=$(seen)
DOMSCAN_STATS=1 DOMSCAN_SMTP_CACHE=1 scan cache-1 --concurrency 1 <"$OUT/cache.in" ||
	not_ok "scan with DOMSCAN_SMTP_CACHE=1 exited non-zero"
sleep 1
srv_small=$(($(seen) - b))
if cmp -s "$OUT/cache-default.csv" "$OUT/cache-1.csv"; then
	ok "DOMSCAN_SMTP_CACHE=1: the same CSV report as the default cache"
else
	not_ok "DOMSCAN_SMTP_CACHE=1: the CSV reports differ"
	diff "$OUT/cache-default.csv" "$OUT/cache-1.csv" | sed 's/^/#   /' | head -20
fi
a1=$(stat_of cache-1 addresses)
p1=$(stat_of cache-1 probes)
r1=$(stat_of cache-1 reprobes)
e1=$(stat_of cache-1 evictions)
if [ "$a1" = "$addrs" ] && [ "${r1:-0}" -ge 2 ] && [ "$p1" = $((a1 + r1)) ] &&
	[ "${e1:-0}" -ge "$r1" ] && [ "$(stat_of cache-1 cached)" = 1 ]; then
	ok "DOMSCAN_SMTP_CACHE=1: $r1 re-probes counted ($p1 probes of $a1 addresses, $e1 evictions)"
else
	not_ok "DOMSCAN_SMTP_CACHE=1: $(grep 'smtp addr' "$OUT/cache-1.stderr")"
fi
c1=$(stat_of cache-1 connections)
[ "$srv_small" = "$c1" ] && [ "$c1" -gt "$conns" ] &&
	ok "re-probes cost connections: Postfix saw $srv_small (scanner $c1, once each: $conns)" ||
	not_ok "re-probes: Postfix saw $srv_small connections, scanner '$c1', single probes $conns"

# The per-address budget is for the whole run, re-probes included: with 40 connections per
# address a second enumeration of an address cannot be complete.
DOMSCAN_STATS=1 DOMSCAN_SMTP_CACHE=1 scan cache-budget --concurrency 1 --smtp-connections 40 \
	<"$OUT/cache.in" || not_ok "budget scan exited non-zero"
most=$(sed -n 's/.*most to one address \([0-9]*\).*/\1/p' "$OUT/cache-budget.stderr")
[ -n "$most" ] && [ "$most" -le 40 ] && [ "$(stat_of cache-budget reprobes)" -ge 1 ] &&
	ok "--smtp-connections 40 holds across re-probes (most to one address: $most)" ||
	not_ok "budget across re-probes: $(grep 'smtp addr' "$OUT/cache-budget.stderr")"

# Several workers over a 1-result cache: results are evicted while other domains still read
# them; the verdicts stay those of the default run.
seq 3 10 | sed 's/^/d/; s/$/.sharedmx.test/' >"$OUT/shared.in"
cat "$OUT/cache.in" "$OUT/shared.in" >"$OUT/many.in"
scan many-default --concurrency 4 <"$OUT/many.in" || not_ok "4-worker default scan failed"
DOMSCAN_STATS=1 DOMSCAN_SMTP_CACHE=1 scan many-1 --concurrency 4 --smtp-connections 2000 \
	<"$OUT/many.in" || not_ok "4-worker scan with DOMSCAN_SMTP_CACHE=1 exited non-zero"
if cmp -s "$OUT/many-default.csv" "$OUT/many-1.csv"; then
	ok "4 workers, DOMSCAN_SMTP_CACHE=1: the same CSV report ($(stat_of many-1 reprobes) re-probes)"
else
	not_ok "4 workers, DOMSCAN_SMTP_CACHE=1: the CSV reports differ"
	diff "$OUT/many-default.csv" "$OUT/many-1.csv" | sed 's/^/#   /' | head -20
fi

done_testing
