#!/usr/bin/python3
"""Seeds for tests/fuzz/fuzz_dnssec_records.c from the test network (run inside its namespace):

    ip netns exec NS python3 tests/fuzz/mk_dnssec_seeds.py RESOLVER OUTDIR

Each seed is one DNS message whose answer section combines what the validator meets for a
zone: the DS RRset from the parent with its RRSIG, the DNSKEY RRset with its RRSIGs, and a
signed answer or denial (NSEC, NSEC3, NSEC3PARAM, DNAME, TLSA). Names are written without
compression, so records of several replies can share one message. Only DNSSEC-relevant types
are kept (the rdata of the other types could hold compressed names).
"""
import os
import random
import socket
import struct
import sys

KEEP = {5, 6, 39, 43, 46, 47, 48, 50, 51, 52}   # CNAME SOA DNAME DS RRSIG NSEC DNSKEY NSEC3 NSEC3PARAM TLSA
NAMED_RDATA = {5, 6, 39}                      # rdata starts with (possibly compressed) names
TYPES = {'A': 1, 'SOA': 6, 'MX': 15, 'DS': 43, 'DNSKEY': 48, 'NSEC3PARAM': 51, 'TLSA': 52}


def wire_name(n):
    out = b''
    for lab in n.rstrip('.').split('.'):
        if lab:
            out += bytes([len(lab)]) + lab.encode()
    return out + b'\0'


def read_name(msg, i):
    labels, jumped, end = [], False, None
    for _ in range(128):
        ln = msg[i]
        if ln & 0xC0 == 0xC0:
            if not jumped:
                end = i + 2
            i = ((ln & 0x3F) << 8) | msg[i + 1]
            jumped = True
            continue
        if ln == 0:
            if not jumped:
                end = i + 1
            break
        labels.append(msg[i + 1:i + 1 + ln])
        i += 1 + ln
    return b''.join(bytes([len(l)]) + l for l in labels) + b'\0', end


def query(server, name, qtype):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    qid = random.randrange(65536)
    hdr = struct.pack('!HHHHHH', qid, 0x0110, 1, 0, 0, 1)        # RD, CD
    opt = b'\0' + struct.pack('!HHIH', 41, 4096, 0x8000, 0)     # EDNS0, DO
    s.sendto(hdr + wire_name(name) + struct.pack('!HH', TYPES[qtype], 1) + opt, (server, 53))
    msg = s.recv(65535)
    s.close()
    an, ns = struct.unpack('!HH', msg[6:10])
    i = 12
    _, i = read_name(msg, i)
    i += 4
    rrs = []
    for _ in range(an + ns):
        owner, i = read_name(msg, i)
        t, c, ttl, rl = struct.unpack('!HHIH', msg[i:i + 10])
        i += 10
        rd = msg[i:i + rl]
        if t in NAMED_RDATA:        # decompress the leading names
            if t == 6:
                n1, j = read_name(msg, i)
                n2, j = read_name(msg, j)
                rd = n1 + n2 + msg[j:i + rl]
            else:
                rd, _ = read_name(msg, i)
        i += rl
        if t in KEEP:
            rrs.append(owner + struct.pack('!HHIH', t, c, ttl, len(rd)) + rd)
    return rrs


def message(qname, qtype, rrs):
    hdr = struct.pack('!HHHHHH', 0x1234, 0x8180, 1, len(rrs), 0, 0)
    return hdr + wire_name(qname) + struct.pack('!HH', TYPES[qtype], 1) + b''.join(rrs)


def main():
    server, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    seeds = {
        # zone keys: DS + DNSKEY (+ their RRSIGs) of each algorithm, with a signed answer
        'keys-alg13': ('good.test', 'SOA', [('good.test', 'DS'), ('good.test', 'DNSKEY'), ('good.test', 'SOA')]),
        'keys-alg8': ('alg8.test', 'SOA', [('alg8.test', 'DS'), ('alg8.test', 'DNSKEY'), ('alg8.test', 'SOA')]),
        'keys-alg15': ('alg15.test', 'SOA', [('alg15.test', 'DS'), ('alg15.test', 'DNSKEY'), ('alg15.test', 'SOA')]),
        'keys-alg5': ('rsasha1.test', 'SOA', [('rsasha1.test', 'DS'), ('rsasha1.test', 'DNSKEY'), ('rsasha1.test', 'SOA')]),
        'keys-root-tld': ('test', 'DNSKEY', [('.', 'DNSKEY'), ('test', 'DS'), ('test', 'DNSKEY')]),
        'keys-badds': ('badds.test', 'DNSKEY', [('badds.test', 'DS'), ('badds.test', 'DNSKEY')]),
        'keys-expired': ('expired.test', 'DNSKEY', [('expired.test', 'DS'), ('expired.test', 'DNSKEY')]),
        # denials with the keys that sign them
        'nsec3-nxdomain': ('nosuch.nsec3.test', 'A', [('nsec3.test', 'DNSKEY'), ('nosuch.nsec3.test', 'A')]),
        'nsec3-iter': ('nosuch.nsec3iter.test', 'A', [('nsec3iter.test', 'DNSKEY'), ('nsec3iter.test', 'NSEC3PARAM'),
                                                     ('nosuch.nsec3iter.test', 'A')]),
        'nsec3-nods': ('unsigned.nsec3.test', 'DS', [('nsec3.test', 'DNSKEY'), ('unsigned.nsec3.test', 'DS')]),
        'nsec-nxdomain': ('nosuch.good.test', 'A', [('good.test', 'DNSKEY'), ('nosuch.good.test', 'A')]),
        'nsec-nods': ('unsigned.test', 'DS', [('test', 'DNSKEY'), ('unsigned.test', 'DS')]),
        'nsec-forged': ('forgednsec.test', 'DS', [('test', 'DNSKEY'), ('forgednsec.test', 'DS')]),
        'nsec-wildcard': ('host.wild.test', 'SOA', [('wild.test', 'DNSKEY'), ('host.wild.test', 'SOA')]),
        # DNAME: the question name below the DNAME, the signed DNAME and the synthesised CNAME
        'dname': ('mx.alias.dname.test', 'SOA', [('dname.test', 'DNSKEY'), ('mx.alias.dname.test', 'SOA')]),
        'dname-nsec3': ('x.nsec3.dname.test', 'A', [('dname.test', 'DNSKEY'), ('x.nsec3.dname.test', 'A')]),
        # TLSA, signed and with its RRSIG missing
        'tlsa-secure': ('_25._tcp.mx.tlsasecure.test', 'TLSA', [('tlsasecure.test', 'DNSKEY'),
                                                              ('_25._tcp.mx.tlsasecure.test', 'TLSA')]),
        'tlsa-nosig': ('_25._tcp.mx.tlsabogus.test', 'TLSA', [('_25._tcp.mx.tlsabogus.test', 'DNSKEY'),
                                                             ('_25._tcp.mx.tlsabogus.test', 'TLSA')]),
    }
    for name, (qn, qt, parts) in sorted(seeds.items()):
        rrs = []
        for n, t in parts:
            rrs += query(server, n, t)
        with open(os.path.join(out, 'seed-' + name), 'wb') as f:
            f.write(message(qn, qt, rrs))
        print('%s: %d records' % (name, len(rrs)))


if __name__ == '__main__':
    main()
