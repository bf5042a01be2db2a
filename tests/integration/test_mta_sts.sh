#!/bin/bash
# MTA-STS (verdicts.md "mta_sts"): pass for mode enforce covering every MX; warning for mode
# testing or max_age under one day; fail when the TXT exists but the policy cannot be fetched
# (no host, nothing listening, certificate not valid for the name, HTTP 404), does not parse or
# does not cover the MX hosts, or when the TXT is malformed; info without a v=STSv1 record;
# not_tested for no MX / null MX (before info); error on lookup failure.
# Zones: tests/testnet/cases/mtasts-extra.zones, mail.zones, base.zones, dmarc.zones.
. "$(dirname "$0")/lib.sh"

scan mta_sts --no-smtp <<'DOMAINS' || { not_ok "domscan scan failed"; done_testing; exit 1; }
good.test
perfect.test
ststesting.test
stsmissmx.test
noipv6ns.test
stsbadtxt.test
stsnoid.test
ststwo.test
stsnohost.test
stsnoserver.test
stsbadcert.test
stscertname.test
stsshortage.test
stsbadpolicy.test
stswild.test
stspartial.test
stsnomx.test
stsnullmx.test
stsother.test
nomx.test
nullmx.test
lame.dm-err.test
good.test
DOMAINS

expect good.test mta_sts pass
expect perfect.test mta_sts pass
expect stswild.test mta_sts pass              # "*.stswild.test" covers mx1 and mx2
expect ststesting.test mta_sts warning        # mode: testing
expect stsshortage.test mta_sts warning       # max_age 3600
expect stsmissmx.test mta_sts fail            # mx pattern does not cover the MX
expect stspartial.test mta_sts fail           # covers one of two MX hosts
expect stsbadtxt.test mta_sts fail            # id= with '-'
expect stsnoid.test mta_sts fail              # no id=
expect ststwo.test mta_sts fail               # two v=STSv1 records
expect stsnohost.test mta_sts fail            # mta-sts.<domain> does not exist
expect stsnoserver.test mta_sts fail          # nothing listens on 443
expect stsbadcert.test mta_sts fail           # HTTP 404
expect stscertname.test mta_sts fail          # certificate not valid for the name
expect stsbadpolicy.test mta_sts fail         # policy without mx
expect noipv6ns.test mta_sts info             # no _mta-sts record
expect stsother.test mta_sts info             # only a non-STS TXT record
expect stsnomx.test mta_sts not_tested        # no MX, even with a record
expect stsnullmx.test mta_sts not_tested      # null MX, even with a record
expect nomx.test mta_sts not_tested
expect nullmx.test mta_sts not_tested
expect lame.dm-err.test mta_sts error

expect_json good.test 'r["checks"]["mta_sts"]["id"]' '20240101T000000'
expect_json good.test 'r["checks"]["mta_sts"]["policy"]["mode"]' 'enforce'
expect_json good.test 'r["checks"]["mta_sts"]["policy"]["mx"]' '["mx.good.test"]'
expect_json good.test 'r["checks"]["mta_sts"]["policy"]["max_age"]' '604800'
expect_json stsmissmx.test 'r["checks"]["mta_sts"]["uncovered_mx"]' '["mx.stsmissmx.test"]'
expect_json stsbadcert.test 'r["checks"]["mta_sts"]["fetch"]["status"]' '404'
expect_json stsbadpolicy.test 'r["checks"]["mta_sts"]["policy_error"]' 'no "mx" field'

# The fetcher's limits, against a small HTTPS server on the policy address, port 8443
# (DOMSCAN_HTTPS_PORT points curl there while the URL keeps :443): a chunked body over
# 64 KiB is cut off in the write callback, a redirect is not followed.
policy_server() { # policy_server MODE: serves mta-sts.stsbadcert.test's policy on 127.0.0.40:8443
	ip netns exec "$TESTNET_NETNS" /usr/bin/python3 - "$1" "$TESTNET_STATE/pki" <<'PY' &
import http.server, ssl, sys
mode, pki = sys.argv[1], sys.argv[2]
POLICY = b'version: STSv1\nmode: enforce\nmx: mx.stsbadcert.test\nmax_age: 604800\n'
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do_GET(self):
        if mode == 'chunked':
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            body = POLICY + b'x: ' + b'a' * 100000 + b'\n'
            for i in range(0, len(body), 4096):
                c = body[i:i + 4096]
                self.wfile.write(b'%x\r\n' % len(c) + c + b'\r\n')
            self.wfile.write(b'0\r\n\r\n')
        elif mode == 'redirect':
            self.send_response(301)
            self.send_header('Location', 'https://mta-sts.good.test/.well-known/mta-sts.txt')
            self.send_header('Content-Length', '0')
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Content-Length', str(len(POLICY)))
            self.end_headers()
            self.wfile.write(POLICY)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(('127.0.0.40', 8443), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(pki + '/mtasts.pem', pki + '/mtasts.key')
s.socket = ctx.wrap_socket(s.socket, server_side=True)
s.serve_forever()
PY
	SERVER_PID=$!
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		ip netns exec "$TESTNET_NETNS" bash -c '</dev/tcp/127.0.0.40/8443' 2>/dev/null && return 0
		sleep 0.3
	done
}
for mode in plain chunked redirect; do
	policy_server $mode
	DOMSCAN_HTTPS_PORT=8443 scan "mta_sts-$mode" --no-smtp <<<"stsbadcert.test" ||
		not_ok "domscan scan ($mode server) failed"
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	case $mode in
	plain) expect stsbadcert.test mta_sts pass ;;
	chunked)
		expect stsbadcert.test mta_sts fail
		expect_json stsbadcert.test 'r["checks"]["mta_sts"]["fetch"]["error"]' 'body larger than 65536 bytes'
		;;
	redirect)
		expect stsbadcert.test mta_sts fail
		expect_json stsbadcert.test 'r["checks"]["mta_sts"]["fetch"]["status"]' '301'
		;;
	esac
done

done_testing
