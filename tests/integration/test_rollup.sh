#!/bin/bash
# The HTML report's shared-infrastructure roll-up on the test network: hosts counted per
# dependent domain, the certificate expiry the starttls detail records (cert_days_left,
# cert_not_after), the findings line of a shared host, the name-server table, and an MX host
# name with HTML in it (cases/rollup.zones) shown escaped.
. "$(dirname "$0")/lib.sh"

html="$OUT/rollup.html"
printf '%s\n' a.rollup.test b.rollup.test expiredcert.test hostile.rollup.test \
	d1.sharedmx.test d2.sharedmx.test d3.sharedmx.test good.test noipv6ns.test >"$OUT/domains.txt"
scan rollup --html "$html" <"$OUT/domains.txt" || not_ok "scan exited non-zero"

srv='r["checks"]["starttls"]["servers"][0]'
# The good listener's certificate is made valid for 365 days at `testnet up`.
days=$(jget good.test "$srv['cert_days_left']")
[ "$days" -ge 363 ] && [ "$days" -le 365 ] && ok "good.test: cert_days_left $days (365-day certificate)" ||
	not_ok "good.test: cert_days_left '$days'"
# The expired listener's certificate ended 2021-01-01: days_left is minus the days since then.
na=$(jget expiredcert.test "$srv['cert_not_after']")
exp_days=$(/usr/bin/python3 -c 'import sys,time,calendar; t=calendar.timegm(time.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ")); print(-int((time.time()-t)//86400)-1)' "$na")
got=$(jget expiredcert.test "$srv['cert_days_left']")
[[ "$na" == 2021-01-01T* ]] && ok "expiredcert.test: cert_not_after $na" || not_ok "expiredcert.test: cert_not_after '$na'"
[ "$got" = "$exp_days" ] && ok "expiredcert.test: cert_days_left $got" || not_ok "expiredcert.test: cert_days_left '$got', expected $exp_days"

grep -q '<h2 id="infrastructure">Shared infrastructure</h2>' "$html" && ok "roll-up section present" || not_ok "no roll-up section"
# 9 domains: MX hosts mx.expiredcert.test (3), mx1/mx2.sharedmx.test (3 each), mx.good.test,
# x<svg>.rollup.test, mx.noipv6ns.test (1 each); name servers ns1/ns2.dns.test (8) and
# ns1-v4/ns2-v4.dns.test (1, noipv6ns.test).
grep -q '6 distinct MX hosts and 4 distinct name servers serve the 9 scanned domains' "$html" &&
	ok "host and domain counts" || not_ok "host and domain counts: $(grep -o '[0-9]* distinct MX[^.]*' "$html")"
ago=$((-got))
grep -q "<li>3 domains use <code>mx.expiredcert.test</code>: its certificate expired $ago days ago;" "$html" &&
	ok "finding: 3 domains use mx.expiredcert.test, certificate expired $ago days ago" ||
	not_ok "no expired-certificate finding for mx.expiredcert.test"
grep -q "<code>mx.expiredcert.test</code><td class=\"num\" data-v=\"3\">3<td class=\"v-pass\">pass<td class=\"v-pass\">TLSv1.2 TLSv1.3<td class=\"v-fail\">expired $ago days ago (2021-01-01) (not trusted)<td class=\"v-fail\">fail<td class=\"v-pass\">secure<td class=\"v-fail\">no AAAA" "$html" &&
	ok "MX table row of mx.expiredcert.test" || not_ok "MX table row of mx.expiredcert.test"
grep -q '<li>3 domains use <code>mx1.sharedmx.test</code>: no valid DANE (TLSA) record; its host name is DNSSEC-insecure</li>' "$html" &&
	ok "finding: mx1.sharedmx.test (insecure host name, no DANE)" || not_ok "finding for mx1.sharedmx.test"
grep -q '<code>mx2.sharedmx.test</code><td class="num" data-v="3">3<td class="v-warning">warning' "$html" &&
	ok "mx2.sharedmx.test: STARTTLS warning (RSA-2048 certificate)" || not_ok "mx2.sharedmx.test row"
grep -q '<code>ns1.dns.test</code><td class="num" data-v="8">8<td class="num">1<td class="v-pass">reachable' "$html" &&
	ok "name server ns1.dns.test: 8 domains, reachable over IPv6" || not_ok "ns1.dns.test row"
grep -q '<code>ns1-v4.dns.test</code><td class="num" data-v="1">1<td class="num">0<td class="v-fail">no AAAA' "$html" &&
	ok "name server ns1-v4.dns.test: no AAAA" || not_ok "ns1-v4.dns.test row"
# Most-used hosts first.
first=$(/usr/bin/python3 -c 'import sys; s=open(sys.argv[1], encoding="utf-8").read(); s=s[s.index("id=\"rollup-mx\""):]; i=s.index("<tr><td><code>"); print(s[i:s.index("<", i + 14)])' "$html")
[ "$first" = '<tr><td><code>mx.expiredcert.test' ] && ok "MX table sorted by dependent domains" || not_ok "first MX row: $first"
# The hostile MX name (x<svg>.rollup.test) only appears escaped.
grep -q '<code>x&lt;svg&gt;.rollup.test</code>' "$html" && ok "hostile MX host name escaped in the roll-up" || not_ok "hostile MX name not found escaped"
grep -q 'x<svg>' "$html" && not_ok "raw <svg> from a host name in the HTML" || ok "no raw <svg> from the network"
done_testing
