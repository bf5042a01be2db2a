#!/usr/bin/python3
"""Self-checks of the hostile servers, for `testnet verify` (run inside the namespace).

    probe.py CASE ADDR      prints "ok: ..." and exits 0 when the server behaves as documented
"""

import os
import socket
import ssl
import struct
import sys
import time


def recv_for(s, seconds, limit=1 << 30):
    end, buf = time.time() + seconds, b''
    while time.time() < end and len(buf) < limit:
        s.settimeout(max(0.01, end - time.time()))
        try:
            d = s.recv(65536)
        except socket.timeout:
            break
        if not d:
            break
        buf += d
    return buf


def read_reply(s, seconds=5):
    """One SMTP reply (all lines up to the final "DDD ")."""
    end, buf = time.time() + seconds, b''
    while time.time() < end:
        lines = buf.split(b'\r\n')
        if any(len(l) >= 4 and l[3:4] == b' ' for l in lines[:-1]):
            return buf
        s.settimeout(max(0.01, end - time.time()))
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return buf


def starttls(addr):
    s = socket.create_connection((addr, 25), timeout=5)
    read_reply(s)
    s.sendall(b'EHLO probe\r\n')
    if b'STARTTLS' not in read_reply(s):
        raise SystemExit('FAIL: no STARTTLS offered')
    s.sendall(b'STARTTLS\r\n')
    r = read_reply(s)
    if not r.startswith(b'220 '):
        raise SystemExit('FAIL: STARTTLS answered %r' % r[:40])
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    s.settimeout(2)
    return ctx.wrap_socket(s, do_handshake_on_connect=False)


def dns_query(addr, name, qtype=1, tcp=False, timeout=2):
    qid = int.from_bytes(os.urandom(2), 'big')
    q = struct.pack('!HHHHHH', qid, 0x0100, 1, 0, 0, 1)
    for lab in name.split('.'):
        q += bytes([len(lab)]) + lab.encode()
    q += b'\0' + struct.pack('!HH', qtype, 1)
    if tcp:
        s = socket.create_connection((addr, 53), timeout=timeout)
        s.sendall(struct.pack('!H', len(q)) + q)
        n = struct.unpack('!H', s.recv(2, socket.MSG_WAITALL))[0]
        data = s.recv(n, socket.MSG_WAITALL)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        s.sendto(q, (addr, 53))
        data = s.recv(65535)
    s.close()
    return qid, data


def main():
    case, addr = sys.argv[1], sys.argv[2]
    if case == 'drip':
        s = socket.create_connection((addr, 25), timeout=5)
        b = recv_for(s, 2.5)
        if not (1 <= len(b) <= 4 and b'220-drip'.startswith(b)):
            raise SystemExit('FAIL: %d bytes in 2.5 s: %r' % (len(b), b[:20]))
        print('ok: %d bytes in 2.5 s' % len(b))
    elif case == 'silent':
        s = socket.create_connection((addr, 25), timeout=5)
        b = recv_for(s, 1.5)
        if b:
            raise SystemExit('FAIL: sent %r' % b[:40])
        print('ok: nothing in 1.5 s')
    elif case == 'endless':
        s = socket.create_connection((addr, 25), timeout=5)
        b = recv_for(s, 5, 300000)
        if len(b) < 300000 or not b.startswith(b'220-') or b'\r\n220 ' in b:
            raise SystemExit('FAIL: %d bytes' % len(b))
        print('ok: %d bytes of 220- lines, no last line' % len(b))
    elif case == 'bigehlo':
        s = socket.create_connection((addr, 25), timeout=5)
        read_reply(s)
        s.sendall(b'EHLO probe\r\n')
        b = read_reply(s, 10)
        if len(b) < 1000000 or not b.endswith(b'250 STARTTLS\r\n'):
            raise SystemExit('FAIL: EHLO reply of %d bytes' % len(b))
        print('ok: EHLO reply of %d bytes' % len(b))
    elif case == 'tlsstall':
        t = starttls(addr)
        try:
            t.do_handshake()
        except socket.timeout:
            print('ok: handshake stalled (2 s)')
            return
        raise SystemExit('FAIL: handshake finished')
    elif case == 'tlsreset':
        t = starttls(addr)
        try:
            t.do_handshake()
        except ConnectionResetError:
            print('ok: reset during the handshake')
            return
        except Exception as e:
            raise SystemExit('FAIL: %r' % e)
        raise SystemExit('FAIL: handshake finished')
    elif case == 'dns-garbage':
        qid, d = dns_query(addr, 'garbage.hostile.test')
        if d[:2] != struct.pack('!H', qid) or len(d) < 12:
            raise SystemExit('FAIL: %r' % d[:20])
        print('ok: %d bytes after the right ID' % len(d))
    elif case == 'dns-wrongid':
        qid, d = dns_query(addr, 'wrongid.hostile.test')
        if d[:2] == struct.pack('!H', qid):
            raise SystemExit('FAIL: right ID')
        print('ok: reply under ID %d for query %d' % (struct.unpack('!H', d[:2])[0], qid))
    elif case == 'dns-wrongq':
        qid, d = dns_query(addr, 'wrongq.hostile.test')
        if b'\x05other\x06wrongq' not in d:
            raise SystemExit('FAIL: question not changed')
        print('ok: reply for other.wrongq.hostile.test')
    elif case == 'dns-tc':
        qid, d = dns_query(addr, 'tc.hostile.test')
        if not d[2] & 0x02:
            raise SystemExit('FAIL: TC not set')
        try:
            dns_query(addr, 'tc.hostile.test', tcp=True)
        except (ConnectionRefusedError, ConnectionResetError):
            print('ok: TC over UDP, TCP refused')
            return
        raise SystemExit('FAIL: TCP answered')
    elif case == 'dns-bigtxt':
        qid, d = dns_query(addr, 'bigtxt.hostile.test', 16)
        if not d[2] & 0x02:
            raise SystemExit('FAIL: UDP reply not truncated')
        qid, d = dns_query(addr, 'bigtxt.hostile.test', 16, tcp=True)
        an = struct.unpack('!H', d[6:8])[0]
        if len(d) < 60000 or an < 200:
            raise SystemExit('FAIL: TCP reply %d bytes, %d RRs' % (len(d), an))
        print('ok: TC over UDP; %d bytes, %d TXT RRs over TCP' % (len(d), an))
    elif case == 'dns-cname':
        # walk both chains at the server: one CNAME (TTL 0) per answer
        def target(name):
            qid, d = dns_query(addr, name, 15)
            an = struct.unpack('!H', d[6:8])[0]
            i = 12
            while d[i]:
                i += d[i] + 1
            i += 5
            if an != 1:
                raise SystemExit('FAIL: %s: %d answers' % (name, an))
            while True:                              # skip the owner name
                if d[i] & 0xC0:
                    i += 2
                    break
                if d[i] == 0:
                    i += 1
                    break
                i += d[i] + 1
            rtype, _, ttl, rdlen = struct.unpack('!HHIH', d[i:i + 10])
            rd = d[i + 10:i + 10 + rdlen]
            if rtype != 5:
                return None, rtype
            if ttl != 0:
                raise SystemExit('FAIL: CNAME TTL %d' % ttl)
            labels, j = [], 0
            while rd[j]:
                labels.append(rd[j + 1:j + 1 + rd[j]].decode())
                j += rd[j] + 1
            return '.'.join(labels), rtype
        name, hops = 'cname20.hostile.test', 0
        while True:
            nxt, rtype = target(name)
            if nxt is None:
                break
            name, hops = nxt, hops + 1
            if hops > 30:
                raise SystemExit('FAIL: chain longer than 30')
        if hops != 20 or rtype != 15:
            raise SystemExit('FAIL: %d CNAMEs, then type %d' % (hops, rtype))
        name, seen = 'cnameloop.hostile.test', []
        while name not in seen:
            seen.append(name)
            name, _ = target(name)
        print('ok: 20 CNAMEs then MX; loop of %d names' % len(seen))
    else:
        raise SystemExit('unknown case %s' % case)


if __name__ == '__main__':
    main()
