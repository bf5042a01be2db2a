#!/usr/bin/python3
"""Hostile authoritative DNS server for the domscan test network (see docs/hostile.md).

The zone hostile.test (served by NSD, cases/hostile.zones) delegates one child zone per
behaviour to this server. The behaviour is chosen by the child zone the query name is in,
whoever asks (Unbound iterating, or domscan itself with --resolver pointed here):

  garbage.hostile.test   reply = the query ID followed by random bytes
  tc.hostile.test        on the UDP-only address: TC=1 and nothing else; no TCP listener
  wrongid.hostile.test   a correct answer under another message ID
  wrongq.hostile.test    a correct-looking answer for another question name
  bigtxt.hostile.test    apex TXT RRset of about 64 KiB (TC over UDP, whole over TCP)
  cname20.hostile.test   apex -> c1 -> ... -> c20 (20 CNAMEs, one per answer), c20 has data
  cnameloop.hostile.test apex -> l1 -> l2 -> apex ... (a CNAME loop)
  spfbomb.hostile.test   SPF include bomb: every iN name includes 10 more (iN0 .. iN9)
  refloop.hostile.test   every answer is a referral back up to hostile.test (referral loop)
  afail.hostile.test     A queries get SERVFAIL; the apex AAAA is the good listener's
                         fd74:6e65:7400::25 (an MX host whose A lookup fails, AAAA works);
                         TXT _dmarc.afail.hostile.test gets SERVFAIL too (apex TXT
                         "v=spf1 -all", no _domainkey: is it a non-sending domain?)

The apex SOA and NS of every child zone are answered normally, so the delegation works and
readiness can be probed. Names outside these zones get REFUSED.

    dns.py --udp ADDR[,ADDR...] --tcp ADDR[,ADDR...] --pidfile FILE   (UDP-only = not in --tcp)
"""

import argparse
import asyncio
import os
import random
import struct
import sys

BASE = 'hostile.test'
NS_NAME = 'ns1.hostile.test'
NS_ADDR = '127.0.0.70'
TTL = 60

T_A, T_NS, T_CNAME, T_SOA, T_MX, T_TXT, T_AAAA, T_OPT = 1, 2, 5, 6, 15, 16, 28, 41

ZONES = ['garbage', 'tc', 'wrongid', 'wrongq', 'bigtxt', 'cname20', 'cnameloop', 'spfbomb',
         'refloop', 'afail']


def ns_of(zone):
    return 'ns-udp.hostile.test' if zone == 'tc' else NS_NAME


def name_wire(name):
    out = b''
    for lab in name.rstrip('.').split('.'):
        if lab:
            b = lab.encode()
            out += bytes([len(b)]) + b
    return out + b'\0'


def parse_query(data):
    """(id, flags, qname (lower case, no dot), qtype, end of question, has EDNS, EDNS size)."""
    if len(data) < 12:
        return None
    qid, flags, qd, an, ns, ar = struct.unpack('!HHHHHH', data[:12])
    if qd != 1 or flags & 0x8000:
        return None
    i, labels = 12, []
    while True:
        if i >= len(data):
            return None
        n = data[i]
        i += 1
        if n == 0:
            break
        if n & 0xC0 or i + n > len(data):
            return None
        labels.append(data[i:i + n].decode('ascii', 'replace').lower())
        i += n
    if i + 4 > len(data):
        return None
    qtype, qclass = struct.unpack('!HH', data[i:i + 4])
    qend = i + 4
    edns, size = False, 512
    if ar and len(data) >= qend + 11 and data[qend] == 0:
        t, cls = struct.unpack('!HH', data[qend + 1:qend + 5])
        if t == T_OPT:
            edns, size = True, max(512, cls)
    return qid, flags, '.'.join(labels), qtype, qend, edns, size


def rr(name, rtype, rdata, ttl=TTL):
    return name_wire(name) + struct.pack('!HHIH', rtype, 1, ttl, len(rdata)) + rdata


def txt_rdata(*strings):
    out = b''
    for s in strings:
        b = s.encode()
        while True:
            out += bytes([min(len(b), 255)]) + b[:255]
            b = b[255:]
            if not b:
                break
    return out


def soa_rdata(zone):
    return name_wire(NS_NAME) + name_wire('hostmaster.' + zone) + struct.pack('!IIIII', 1, 3600, 900, 604800, 60)


def message(qid, rd, qname_wire, qtype, rcode=0, aa=True, tc=False, answer=(), authority=(),
            additional=(), edns=False):
    flags = 0x8000 | (0x0400 if aa else 0) | (0x0200 if tc else 0) | (0x0100 if rd else 0) | rcode
    add = list(additional)
    if edns:
        add.append(b'\0' + struct.pack('!HHIH', T_OPT, 1232, 0, 0))
    hdr = struct.pack('!HHHHHH', qid, flags, 1, len(answer), len(authority), len(add))
    return hdr + qname_wire + struct.pack('!HH', qtype, 1) + b''.join(answer) + b''.join(authority) + b''.join(add)


class Server:
    def zone_of(self, qname):
        for z in ZONES:
            zn = '%s.%s' % (z, BASE)
            if qname == zn or qname.endswith('.' + zn):
                return z, zn
        return None, None

    def answer(self, data, local_addr, tcp):
        q = parse_query(data)
        if not q:
            return None
        qid, qflags, qname, qtype, qend, edns, size = q
        rd = bool(qflags & 0x0100)
        qw = name_wire(qname)
        z, zn = self.zone_of(qname)
        if z is None:
            return message(qid, rd, qw, qtype, rcode=5, aa=False, edns=edns)
        soa = rr(zn, T_SOA, soa_rdata(zn))
        apex = qname == zn
        # apex SOA/NS answered normally everywhere (delegation, readiness probes)
        if apex and qtype == T_SOA and z not in ('garbage', 'wrongid', 'wrongq'):
            return message(qid, rd, qw, qtype, answer=[soa], edns=edns)
        if apex and qtype == T_NS and z not in ('garbage', 'wrongid', 'wrongq', 'refloop'):
            return message(qid, rd, qw, qtype, answer=[rr(zn, T_NS, name_wire(ns_of(z)))], edns=edns)

        if z == 'garbage':
            return struct.pack('!H', qid) + os.urandom(random.randint(10, 300))
        if z == 'tc':
            if tcp:
                return None                        # no answer over TCP: the connection is closed
            if apex and qtype == T_SOA:
                return message(qid, rd, qw, qtype, answer=[soa], edns=edns)
            return message(qid, rd, qw, qtype, tc=True, edns=edns)
        if z == 'wrongid':
            good = self.normal(qid, rd, qw, qname, qtype, zn, edns)
            return struct.pack('!H', qid ^ 0x5A5A) + good[2:]
        if z == 'wrongq':
            other = 'other.' + qname if len(qname) < 200 else zn
            return self.normal(qid, rd, name_wire(other), other, qtype, zn, edns)
        if z == 'bigtxt':
            if apex and qtype == T_TXT:
                # about 64 KiB of TXT records; the message stays below 65535 bytes
                ans = [rr(zn, T_TXT, txt_rdata('v=spf1 ip4:10.%d.%d.0/24 -all %s' % (i // 256, i % 256, 'x' * 200)))
                       for i in range(270)]
                msg = message(qid, rd, qw, qtype, answer=ans, edns=edns)
                while len(msg) > 65535:
                    ans.pop()
                    msg = message(qid, rd, qw, qtype, answer=ans, edns=edns)
                if not tcp and len(msg) > (size if edns else 512):
                    return message(qid, rd, qw, qtype, tc=True, edns=edns)
                return msg
            return self.normal(qid, rd, qw, qname, qtype, zn, edns)
        if z in ('cname20', 'cnameloop'):
            rel = qname[:-len(zn)].rstrip('.')
            if z == 'cname20':
                if rel == '':
                    target = 'c1.' + zn
                elif rel.startswith('c') and rel[1:].isdigit() and 1 <= int(rel[1:]) < 20:
                    target = 'c%d.%s' % (int(rel[1:]) + 1, zn)
                elif rel == 'c20':
                    return self.normal(qid, rd, qw, qname, qtype, zn, edns, data_here=True)
                else:
                    return message(qid, rd, qw, qtype, rcode=3, authority=[soa], edns=edns)
            else:
                nxt = {'': 'l1', 'l1': 'l2', 'l2': ''}
                if rel not in nxt:
                    return message(qid, rd, qw, qtype, rcode=3, authority=[soa], edns=edns)
                target = (nxt[rel] + '.' + zn) if nxt[rel] else zn
            # TTL 0: resolvers cannot serve the chain from their cache, so every lookup walks it
            return message(qid, rd, qw, qtype, answer=[rr(qname, T_CNAME, name_wire(target), ttl=0)], edns=edns)
        if z == 'spfbomb':
            rel = qname[:-len(zn)].rstrip('.')
            if qtype == T_TXT and (rel == '' or (rel.startswith('i') and rel[1:].isdigit() and len(rel) < 60)):
                base = rel if rel else 'i'
                incs = ' '.join('include:%s%d.%s' % (base, d, zn) for d in range(10))
                return message(qid, rd, qw, qtype, answer=[rr(qname, T_TXT, txt_rdata('v=spf1 %s -all' % incs))],
                               edns=edns)
            return self.normal(qid, rd, qw, qname, qtype, zn, edns)
        if z == 'afail':
            if qtype == T_A or (qtype == T_TXT and qname == '_dmarc.' + zn):
                return message(qid, rd, qw, qtype, rcode=2, aa=False, edns=edns)
            if apex and qtype == T_AAAA:
                a6 = bytes.fromhex('fd746e657400' + '0' * 16 + '0025')
                return message(qid, rd, qw, qtype, answer=[rr(qname, T_AAAA, a6)], edns=edns)
            return self.normal(qid, rd, qw, qname, qtype, zn, edns)
        if z == 'refloop':
            # a referral back up to the parent zone: hostile.test is served by ns1/ns2.dns.test
            auth = [rr(BASE, T_NS, name_wire('ns1.dns.test')), rr(BASE, T_NS, name_wire('ns2.dns.test'))]
            return message(qid, rd, qw, qtype, aa=False, authority=auth, edns=edns)
        return None

    def normal(self, qid, rd, qw, qname, qtype, zn, edns, data_here=None):
        """An ordinary answer: the apex (or a data name) has A, MX, TXT; others NXDOMAIN."""
        soa = rr(zn, T_SOA, soa_rdata(zn))
        if data_here is None:
            data_here = qname == zn or qname.startswith('other.')
        if not data_here:
            return message(qid, rd, qw, qtype, rcode=3, authority=[soa], edns=edns)
        if qtype == T_A:
            return message(qid, rd, qw, qtype, answer=[rr(qname, T_A, bytes([127, 0, 0, 25]))], edns=edns)
        if qtype == T_MX:
            return message(qid, rd, qw, qtype, answer=[rr(qname, T_MX, struct.pack('!H', 10) + name_wire('mx.good.test'))],
                           edns=edns)
        if qtype == T_TXT:
            return message(qid, rd, qw, qtype, answer=[rr(qname, T_TXT, txt_rdata('v=spf1 -all'))], edns=edns)
        if qtype == T_SOA:
            return message(qid, rd, qw, qtype, answer=[soa], edns=edns)
        if qtype == T_NS:
            return message(qid, rd, qw, qtype, answer=[rr(qname, T_NS, name_wire(ns_of(zn.split('.')[0])))], edns=edns)
        return message(qid, rd, qw, qtype, authority=[soa], edns=edns)


class Udp(asyncio.DatagramProtocol):
    def __init__(self, srv, addr):
        self.srv, self.addr = srv, addr

    def connection_made(self, transport):
        self.t = transport

    def datagram_received(self, data, peer):
        try:
            out = self.srv.answer(data, self.addr, False)
        except Exception as e:                     # never die on a query
            print('dns: %s' % e, file=sys.stderr, flush=True)
            out = None
        if out:
            self.t.sendto(out, peer)


async def tcp_client(srv, addr, reader, writer):
    try:
        while True:
            hdr = await asyncio.wait_for(reader.readexactly(2), 30)
            data = await asyncio.wait_for(reader.readexactly(struct.unpack('!H', hdr)[0]), 30)
            out = srv.answer(data, addr, True)
            if out is None:
                break
            writer.write(struct.pack('!H', len(out)) + out)
            await writer.drain()
    except Exception:
        pass
    finally:
        writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--udp', required=True, help='comma-separated addresses (UDP, port 53)')
    ap.add_argument('--tcp', default='', help='comma-separated addresses (TCP, port 53)')
    ap.add_argument('--port', type=int, default=53)
    ap.add_argument('--pidfile', required=True)
    a = ap.parse_args()
    srv = Server()
    loop = asyncio.get_running_loop()
    for addr in [x for x in a.udp.split(',') if x]:
        await loop.create_datagram_endpoint(lambda addr=addr: Udp(srv, addr), local_addr=(addr, a.port))
    for addr in [x for x in a.tcp.split(',') if x]:
        await asyncio.start_server(lambda r, w, addr=addr: tcp_client(srv, addr, r, w), addr, a.port)
    with open(a.pidfile, 'w') as f:
        f.write('%d\n' % os.getpid())
    await asyncio.Event().wait()


if __name__ == '__main__':
    asyncio.run(main())
