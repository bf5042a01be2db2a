#!/bin/bash
# Politeness limits (docs/scale.md): per-MX-address SMTP connection budget and spacing, counted
# by Postfix and timed; per-resolver DNS in-flight cap, --qps and the DNS cache's memory bound,
# from the scanner's own counters (DOMSCAN_STATS=1) compared with the limits.
. "$(dirname "$0")/lib.sh"

LOG="$TESTNET_STATE/postfix/maillog"
seen30() { # connections Postfix logged on the rsa2048 listener (127.0.0.30, IPv4 only)
	grep -c 'postfix/rsa2048/smtpd\[[0-9]*\]: connect from' "$LOG" 2>/dev/null || true
}
stat_of() { # NAME FIELD: a counter from the DOMSCAN_STATS lines of scan NAME
	sed -n "s/.*[ ,]$2 \([0-9]*\).*/\1/p" "$OUT/$1.stderr" | head -1
}
conns30() {
	jget rsa2048.test "[a['connections'] for s in r['checks']['starttls']['servers'] for a in s['addresses'] if a['ip']=='127.0.0.30'][0]"
}
now() { date +%s.%N; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# --- SMTP: a budget of 6 connections per address, 250 ms apart
b=$(seen30)
t0=$(now)
DOMSCAN_STATS=1 scan smtp-limited --smtp-connections 6 --smtp-interval 250 <<<'rsa2048.test' ||
	not_ok "limited scan exited non-zero"
t1=$(now)
sleep 1
server=$(($(seen30) - b))
mine=$(conns30)
if [ "$server" -ge 2 ] && [ "$server" -le 6 ] && [ "$server" = "$mine" ]; then
	ok "--smtp-connections 6: Postfix saw $server connections to 127.0.0.30 (scanner: $mine)"
else
	not_ok "--smtp-connections 6: Postfix saw $server connections, scanner counted '$mine'"
fi
min=$(awk -v n="$server" 'BEGIN { print (n - 1) * 0.25 }')
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
if ge "$el" "$min"; then
	ok "--smtp-interval 250: $server connections took $el s (>= $min s)"
else
	not_ok "--smtp-interval 250: $server connections in $el s, spacing needs >= $min s"
fi
most=$(sed -n 's/.*most to one address \([0-9]*\).*/\1/p' "$OUT/smtp-limited.stderr")
[ "$most" = "$mine" ] && ok "stats: most connections to one address = $most" ||
	not_ok "stats: most to one address '$most', expected $mine"

# The same address without the budget needs more: the limit above was binding.
b=$(seen30)
scan smtp-default <<<'rsa2048.test' || not_ok "default scan exited non-zero"
sleep 1
full=$(($(seen30) - b))
if [ "$full" -gt 6 ] && [ "$full" = "$(conns30)" ]; then
	ok "default budget: one enumeration of 127.0.0.30 takes $full connections"
else
	not_ok "default budget: Postfix saw $full connections, scanner $(conns30)"
fi
expect rsa2048.test starttls warning

# --- DNS: at most 2 queries in flight to the resolver
seq 1 40 | sed 's/^/d/; s/$/.sharedmx.test/' >"$OUT/dns.in"
DOMSCAN_STATS=1 scan dns-inflight --no-smtp --dns-inflight 2 <"$OUT/dns.in" ||
	not_ok "--dns-inflight scan exited non-zero"
peak=$(stat_of dns-inflight 'inflight peak')
[ -n "$peak" ] && [ "$peak" -ge 1 ] && [ "$peak" -le 2 ] && ok "--dns-inflight 2: peak $peak in flight" ||
	not_ok "--dns-inflight 2: peak '$peak' in flight"
expect d40.sharedmx.test mx 'mx1.sharedmx.test mx2.sharedmx.test'
DOMSCAN_STATS=1 scan dns-default --no-smtp <"$OUT/dns.in" || not_ok "default DNS scan exited non-zero"
peak=$(stat_of dns-default 'inflight peak')
[ -n "$peak" ] && [ "$peak" -gt 2 ] && ok "default: peak $peak in flight (the cap above was binding)" ||
	not_ok "default: peak '$peak' in flight, expected more than 2"

# --- DNS: --qps 40 spreads the queries out
seq 41 50 | sed 's/^/d/; s/$/.sharedmx.test/' >"$OUT/qps.in"
t0=$(now)
DOMSCAN_STATS=1 scan dns-qps --no-smtp --qps 40 <"$OUT/qps.in" || not_ok "--qps scan exited non-zero"
t1=$(now)
sent=$(stat_of dns-qps sent)
min=$(awk -v n="$sent" 'BEGIN { print (n - 4) / 40 }') # burst: qps/10 tokens
el=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
if [ -n "$sent" ] && [ "$sent" -gt 40 ] && ge "$el" "$min"; then
	ok "--qps 40: $sent queries took $el s (>= $min s)"
else
	not_ok "--qps 40: $sent queries in $el s, expected >= $min s"
fi

# --- DNS cache: bounded by --dns-cache-mb (estimated heap use of the cached replies)
seq 1 200 | sed 's/^/d/; s/$/.sharedmx.test/' >"$OUT/cache.in"
DOMSCAN_STATS=1 scan dns-cache --no-smtp --dns-cache-mb 1 <"$OUT/cache.in" ||
	not_ok "--dns-cache-mb scan exited non-zero"
cpeak=$(stat_of dns-cache 'cache bytes peak')
ev=$(stat_of dns-cache evictions)
if [ -n "$cpeak" ] && [ "$cpeak" -le $((1048576 + 65536)) ] && [ "$ev" -gt 0 ]; then
	ok "--dns-cache-mb 1: cache peak $cpeak bytes, $ev evictions"
else
	not_ok "--dns-cache-mb 1: cache peak '$cpeak' bytes, evictions '$ev'"
fi
expect d200.sharedmx.test mx 'mx1.sharedmx.test mx2.sharedmx.test'

# --- bad values are refused with a clear error
for opt in "--dns-inflight 0" "--smtp-connections x" "--smtp-interval -1" "--dns-cache-mb 0"; do
	# shellcheck disable=SC2086
	if domscan_in scan $opt --csv /dev/null - </dev/null 2>"$OUT/bad.err"; then
		not_ok "$opt accepted"
	elif grep -q -- "${opt%% *}" "$OUT/bad.err"; then
		ok "$opt refused: $(head -1 "$OUT/bad.err")"
	else
		not_ok "$opt: unclear error: $(head -1 "$OUT/bad.err")"
	fi
done

done_testing
