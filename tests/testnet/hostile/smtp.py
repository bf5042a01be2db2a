#!/usr/bin/python3
"""Hostile SMTP servers for the domscan test network (see docs/hostile.md).

One listener per behaviour, each on its own address, port 25:

  drip      sends an endless multi-line banner one byte a second ("220-drip ...")
  silent    accepts the connection and never sends a byte
  endless   an endless multi-line banner as fast as the client reads ("220-line N")
  bigehlo   a normal banner, then a 1 MB EHLO reply (about 1000 "250-" lines)
  tlsstall  banner, EHLO with STARTTLS, "220 go ahead", then never answers the ClientHello
  tlsreset  banner, EHLO with STARTTLS, "220 go ahead", reads the ClientHello, then resets

    smtp.py --listen BEHAVIOUR=ADDR [...] --pidfile FILE
"""

import argparse
import asyncio
import os
import socket
import struct
import sys

BEHAVIOURS = ('drip', 'silent', 'endless', 'bigehlo', 'tlsstall', 'tlsreset')


async def read_line(reader, timeout=60):
    line = await asyncio.wait_for(reader.readline(), timeout)
    if not line:
        raise ConnectionError('closed')
    return line


async def ehlo_dialogue(reader, writer, name):
    """Banner, then answer commands until STARTTLS has been accepted (returns True)."""
    writer.write(b'220 %s ESMTP hostile\r\n' % name.encode())
    await writer.drain()
    while True:
        line = (await read_line(reader)).strip().upper()
        if line.startswith(b'EHLO') or line.startswith(b'HELO'):
            writer.write(b'250-%s\r\n250-PIPELINING\r\n250 STARTTLS\r\n' % name.encode())
        elif line == b'STARTTLS':
            writer.write(b'220 go ahead\r\n')
            await writer.drain()
            return True
        elif line == b'QUIT':
            writer.write(b'221 bye\r\n')
            await writer.drain()
            return False
        else:
            writer.write(b'502 no\r\n')
        await writer.drain()


async def handle(kind, reader, writer):
    try:
        if kind == 'drip':
            text = b''.join(b'220-drip line %d\r\n' % i for i in range(100000))
            for i in range(len(text)):
                writer.write(text[i:i + 1])
                await writer.drain()
                await asyncio.sleep(1)
        elif kind == 'silent':
            while await reader.read(4096):
                pass
        elif kind == 'endless':
            i = 0
            while True:
                writer.write(b''.join(b'220-endless banner line %d\r\n' % (i + k) for k in range(100)))
                i += 100
                await writer.drain()
                await asyncio.sleep(0.001)             # let the other connections run
        elif kind == 'bigehlo':
            writer.write(b'220 bigehlo.hostile ESMTP\r\n')
            await writer.drain()
            while True:
                line = (await read_line(reader)).strip().upper()
                if line.startswith(b'EHLO'):
                    pad = b'X' * 1000
                    for i in range(1000):                # 1000 lines of ~1 KB: about 1 MB
                        writer.write(b'250-%d%s\r\n' % (i, pad))
                        await writer.drain()
                        await asyncio.sleep(0)
                    writer.write(b'250 STARTTLS\r\n')
                    await writer.drain()
                elif line == b'QUIT':
                    writer.write(b'221 bye\r\n')
                    await writer.drain()
                    break
                else:
                    writer.write(b'502 no\r\n')
                    await writer.drain()
        elif kind in ('tlsstall', 'tlsreset'):
            if await ehlo_dialogue(reader, writer, kind + '.hostile'):
                if kind == 'tlsstall':
                    while await reader.read(4096):     # swallow the ClientHello, answer nothing
                        pass
                else:
                    hdr = await asyncio.wait_for(reader.readexactly(5), 30)   # TLS record header
                    await asyncio.wait_for(reader.readexactly(struct.unpack('!H', hdr[3:5])[0]), 30)
                    sock = writer.get_extra_info('socket')
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                    writer.transport.abort()           # RST in the middle of the handshake
                    return
    except (ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError, OSError):
        pass
    except Exception as e:
        print('smtp %s: %s' % (kind, e), file=sys.stderr, flush=True)
    try:
        writer.close()
    except Exception:
        pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--listen', action='append', required=True, help='BEHAVIOUR=ADDR')
    ap.add_argument('--port', type=int, default=25)
    ap.add_argument('--pidfile', required=True)
    a = ap.parse_args()
    for spec in a.listen:
        kind, addr = spec.split('=', 1)
        if kind not in BEHAVIOURS:
            sys.exit('unknown behaviour %s' % kind)
        await asyncio.start_server(lambda r, w, kind=kind: handle(kind, r, w), addr, a.port)
    with open(a.pidfile, 'w') as f:
        f.write('%d\n' % os.getpid())
    await asyncio.Event().wait()


if __name__ == '__main__':
    asyncio.run(main())
