#!/usr/bin/python3
"""Hostile HTTPS (MTA-STS policy) server for the domscan test network (see docs/hostile.md).

The certificate (from the test CA) covers the mta-sts host of every zone whose mta-sts name
points at this address. The behaviour is chosen by the Host header's zone:

  mta-sts.stsendless.test    200, chunked, a valid-looking policy followed by endless mx: lines
  mta-sts.stsredirect.test   301 to https://mta-sts.good.test/.well-known/mta-sts.txt
  mta-sts.stsslow.test       200 with Content-Length, then one byte of the body a second
  anything else              404

    https.py --listen ADDR --cert FILE --key FILE --pidfile FILE
"""

import argparse
import asyncio
import os
import ssl
import sys

POLICY = b'version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\nmx: mx.good.test\r\n'


async def handle(reader, writer):
    try:
        head = await asyncio.wait_for(reader.readuntil(b'\r\n\r\n'), 30)
        host = b''
        for line in head.split(b'\r\n')[1:]:
            if line.lower().startswith(b'host:'):
                host = line[5:].strip().lower().split(b':')[0]
        if host == b'mta-sts.stsendless.test':
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n')
            chunk = POLICY + b''.join(b'mx: mx%d.endless.test\r\n' % i for i in range(400))
            while True:
                writer.write(b'%x\r\n%s\r\n' % (len(chunk), chunk))
                await writer.drain()
                await asyncio.sleep(0.001)             # let the other connections run
        elif host == b'mta-sts.stsredirect.test':
            writer.write(b'HTTP/1.1 301 Moved Permanently\r\n'
                         b'Location: https://mta-sts.good.test/.well-known/mta-sts.txt\r\n'
                         b'Content-Length: 0\r\n\r\n')
            await writer.drain()
        elif host == b'mta-sts.stsslow.test':
            writer.write(b'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n' % len(POLICY))
            await writer.drain()
            for i in range(len(POLICY)):
                writer.write(POLICY[i:i + 1])
                await writer.drain()
                await asyncio.sleep(1)
        else:
            writer.write(b'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
            await writer.drain()
    except (ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError,
            asyncio.LimitOverrunError, ssl.SSLError, OSError):
        pass
    except Exception as e:
        print('https: %s' % e, file=sys.stderr, flush=True)
    try:
        writer.close()
    except Exception:
        pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--listen', required=True)
    ap.add_argument('--port', type=int, default=443)
    ap.add_argument('--cert', required=True)
    ap.add_argument('--key', required=True)
    ap.add_argument('--pidfile', required=True)
    a = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    await asyncio.start_server(handle, a.listen, a.port, ssl=ctx, ssl_handshake_timeout=30)
    with open(a.pidfile, 'w') as f:
        f.write('%d\n' % os.getpid())
    await asyncio.Event().wait()


if __name__ == '__main__':
    asyncio.run(main())
