#!/usr/bin/python3
"""A tiny loopback DNS server for the RFC 7208 conformance suite (stdlib only).

It answers recursively-styled queries (RA set) from one scenario's `zonedata` of
rfc7208-tests.yml, applying the suite's rules (see /work/shared/conformance/README.md):
names are case-insensitive, unlisted names are NXDOMAIN, SPF records are also served as TXT
unless the name has any TXT item (including `TXT: NONE`), and `TIMEOUT` makes queries of a
type get no answer unless a record of that type is listed before it. CNAMEs are followed
(with loop protection). UDP replies that do not fit are truncated; TCP is served as well.

Binds only to 127.0.0.1. Use Zone.set(zonedata) to switch scenarios.
"""
import socket
import socketserver
import struct
import threading

TYPES = {'A': 1, 'NS': 2, 'CNAME': 5, 'PTR': 12, 'MX': 15, 'TXT': 16, 'AAAA': 28, 'SPF': 99}


def _b(s):
    """Text from the YAML (code points U+0000..U+00FF stand for octets) to bytes."""
    try:
        return s.encode('latin-1')
    except UnicodeEncodeError:
        return s.encode('utf-8')


def _norm(name):
    name = name.lower()
    if name.endswith('.') and len(name) > 1:
        name = name[:-1]
    return name


def _labels(name):
    name = name[:-1] if name.endswith('.') else name
    if name == '':
        return b'\x00'
    out = b''
    for lab in name.split('.'):
        raw = _b(lab)[:63]
        out += bytes([len(raw)]) + raw
    return out + b'\x00'


class Zone:
    def __init__(self):
        self.lock = threading.Lock()
        self.data = {}

    def set(self, zonedata):
        d = {}
        for name, items in (zonedata or {}).items():
            d.setdefault(_norm(str(name)), []).extend(items or [])
        with self.lock:
            self.data = d

    def lookup(self, qname, qtype):
        """Returns ('timeout', None), ('nx', []) or ('ok', [(owner, type, rdata)])."""
        with self.lock:
            data = self.data
        answers = []
        name = qname
        for _ in range(10):
            items = data.get(name)
            if items is None:
                return ('nx', answers) if not answers else ('ok', answers)
            has_txt = any(isinstance(i, dict) and 'TXT' in i for i in items)
            seen_type = False
            recs = []
            cname = None
            for it in items:
                if it == 'TIMEOUT':
                    if not seen_type:
                        return ('timeout', None)
                    break
                if not isinstance(it, dict):
                    continue
                for t, v in it.items():
                    types = [t]
                    if t == 'SPF' and not has_txt:
                        types = ['SPF', 'TXT']
                    if t == 'TXT' and v == 'NONE':
                        continue
                    for tt in types:
                        if TYPES.get(tt) == qtype:
                            seen_type = True
                            recs.append((name, tt, v))
                        if tt == 'CNAME':
                            cname = v
            if recs or cname is None or qtype == TYPES['CNAME']:
                answers.extend(recs)
                return ('ok', answers)
            answers.append((name, 'CNAME', cname))
            name = _norm(cname)
            if any(a[0] == name for a in answers):
                return ('ok', answers)  # CNAME loop
        return ('ok', answers)


def _rdata(t, v):
    if t == 'A':
        return socket.inet_pton(socket.AF_INET, v)
    if t == 'AAAA':
        return socket.inet_pton(socket.AF_INET6, v)
    if t in ('PTR', 'CNAME', 'NS'):
        return _labels(str(v))
    if t == 'MX':
        return struct.pack('!H', int(v[0])) + _labels(str(v[1]))
    if t in ('TXT', 'SPF'):
        strings = v if isinstance(v, list) else [v]
        out = b''
        for s in strings:
            raw = _b(str(s))
            if raw == b'':
                out += b'\x00'
            while raw:
                out += bytes([len(raw[:255])]) + raw[:255]
                raw = raw[255:]
        return out
    raise ValueError(t)


def answer(zone, msg, tcp=False):
    if len(msg) < 12:
        return None
    qid, flags, qd, _an, _ns, ar = struct.unpack('!6H', msg[:12])
    if qd != 1:
        return None
    i = 12
    labels = []
    while True:
        if i >= len(msg):
            return None
        n = msg[i]
        i += 1
        if n == 0:
            break
        if n & 0xC0:
            return None
        labels.append(msg[i:i + n].decode('latin-1'))
        i += n
    if i + 4 > len(msg):
        return None
    qtype, qclass = struct.unpack('!HH', msg[i:i + 4])
    question = msg[12:i + 4]
    edns = ar > 0
    qname = _norm('.'.join(labels))
    status, recs = zone.lookup(qname, qtype)
    if status == 'timeout':
        return None
    rcode = 3 if status == 'nx' else 0
    body = b''
    count = 0
    for owner, t, v in recs:
        try:
            rd = _rdata(t, v)
        except (ValueError, OSError):
            continue
        body += _labels(owner) + struct.pack('!HHIH', TYPES[t] if t != 'SPF' else 99, 1,
                                             300, len(rd)) + rd
        count += 1
    opt = b'\x00' + struct.pack('!HHIH', 41, 1232, 0, 0) if edns else b''
    rflags = 0x8000 | (flags & 0x0100) | 0x0080 | rcode
    limit = 65535 if tcp else (1232 if edns else 512)
    head = struct.pack('!6H', qid, rflags, 1, count, 0, 1 if edns else 0)
    out = head + question + body + opt
    if len(out) > limit:
        head = struct.pack('!6H', qid, rflags | 0x0200, 1, 0, 0, 1 if edns else 0)
        out = head + question + opt
    return out


class _UDP(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        out = answer(self.server.zone, data)
        if out:
            sock.sendto(out, self.client_address)


class _TCP(socketserver.BaseRequestHandler):
    def handle(self):
        try:
            while True:
                hdr = self.request.recv(2)
                if len(hdr) < 2:
                    return
                n = struct.unpack('!H', hdr)[0]
                data = b''
                while len(data) < n:
                    chunk = self.request.recv(n - len(data))
                    if not chunk:
                        return
                    data += chunk
                out = answer(self.server.zone, data, tcp=True)
                if out:
                    self.request.sendall(struct.pack('!H', len(out)) + out)
        except OSError:
            return


class _ThreadedUDP(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True


class _ThreadedTCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start(zone, port=0):
    """Start UDP+TCP on 127.0.0.1 (a free high port when port=0). Returns (port, stop)."""
    for _ in range(50):
        udp = _ThreadedUDP(('127.0.0.1', port), _UDP)
        p = udp.server_address[1]
        try:
            tcp = _ThreadedTCP(('127.0.0.1', p), _TCP)
        except OSError:
            udp.server_close()
            if port:
                raise
            continue
        break
    udp.zone = tcp.zone = zone
    for s in (udp, tcp):
        threading.Thread(target=s.serve_forever, daemon=True).start()

    def stop():
        for s in (udp, tcp):
            s.shutdown()
            s.server_close()
    return p, stop
