#!/usr/bin/python3
"""A hostile station on the lab's L2 segment (tests/lab/test_arp.sh).

    arp_hostile.py IFACE SCANNER_IP SCANNER_MAC [--proxy IP,...]
                   [--forge IP,...] [--offtarget NET/LEN] [--rate PPS]
                   [--slow IP,... [--delay-ms MS]]

Runs inside its own lab namespace, on IFACE, with Debian's python3 and a
raw AF_PACKET socket (no scapy). Until killed it:
  --proxy IP,...   answers every ARP who-has for these addresses with its
                   own MAC, unicast to the asker (proxy ARP for hosts that
                   do not exist);
  --forge IP,...   sends, over and over, replies about these addresses
                   that are not answers to the scanner: gratuitous
                   broadcasts (sender = target address), replies unicast
                   to the scanner's MAC but naming another target
                   address, and replies whose sender MAC is not the
                   frame's source;
  --slow IP,...    answers ARP for these addresses too, and their ICMP
                   echo requests --delay-ms later (default 800): a router
                   doing proxy ARP for real hosts behind a slow link;
  --offtarget NET  sends well-formed replies to the scanner for random
                   addresses of NET with random MACs (never asked);
at about --rate frames per second in all (default 4000). It prints
"ready" on stdout once its socket is open.
"""
import ipaddress
import os
import random
import select
import socket
import struct
import sys
import time

ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def rand_mac():
    # unicast, locally administered
    return bytes([0x02 | (random.randrange(256) & 0xFC)] +
                 [random.randrange(256) for _ in range(5)])


def frame(eth_dst, eth_src, op, sha, spa, tha, tpa):
    return (eth_dst + eth_src + struct.pack("!H", ETH_P_ARP) +
            struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) +
            sha + socket.inet_aton(spa) + tha + socket.inet_aton(tpa))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    t = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return ~t & 0xFFFF


def echo_reply(pkt, me, slow):
    """The Ethernet frame answering the echo request pkt to an address of
    slow, from that address, or None."""
    if len(pkt) < 42 or pkt[12:14] != b"\x08\x00":
        return None
    ihl = (pkt[14] & 0x0F) * 4
    tot = struct.unpack("!H", pkt[16:18])[0]
    if pkt[23] != 1 or ihl < 20 or len(pkt) < 14 + tot or tot < ihl + 8:
        return None
    src, dst = pkt[26:30], pkt[30:34]
    icmp = pkt[14 + ihl:14 + tot]
    if socket.inet_ntoa(dst) not in slow or icmp[0] != 8:
        return None
    icmp = b"\0\0\0\0" + icmp[4:]
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1,
                     0, dst, src)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return pkt[6:12] + me + b"\x08\x00" + ip + icmp


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    iface, scan_ip, scan_mac = argv[1], argv[2], mac_bytes(argv[3])
    opts = {"--proxy": "", "--forge": "", "--offtarget": "", "--rate": "4000",
            "--slow": "", "--delay-ms": "800"}
    rest = argv[4:]
    while rest:
        if rest[0] not in opts or len(rest) < 2:
            sys.exit("arp_hostile.py: bad option %r" % rest[0])
        opts[rest[0]] = rest[1]
        rest = rest[2:]
    proxy = set(x for x in opts["--proxy"].split(",") if x)
    forge = [x for x in opts["--forge"].split(",") if x]
    slow = set(x for x in opts["--slow"].split(",") if x)
    proxy |= slow
    delay = int(opts["--delay-ms"]) / 1000.0
    off = (list(ipaddress.ip_network(opts["--offtarget"]).hosts())
           if opts["--offtarget"] else [])
    gap = 1.0 / max(1, int(opts["--rate"]))

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ARP))
    s.bind((iface, ETH_P_ARP))
    s.setblocking(False)
    # our own storm is not read back (PACKET_IGNORE_OUTGOING)
    s.setsockopt(263, 23, 1)
    me = s.getsockname()[4]
    # echo requests to the slow addresses (frames to our MAC: our kernel
    # drops them, not being a router)
    e = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_IP))
    e.bind((iface, ETH_P_IP))
    e.setblocking(False)
    e.setsockopt(263, 23, 1)
    later = []  # (when, frame) of echo replies held back
    bcast = b"\xff" * 6
    print("ready", flush=True)

    storm = []
    for ip in forge:
        m = rand_mac()
        # gratuitous: broadcast, about itself
        storm.append(frame(bcast, m, 2, m, ip, bcast, ip))
        # to the scanner's MAC, but an answer to someone else's address
        storm.append(frame(scan_mac, m, 2, m, ip, scan_mac, "198.18.8.1"))
        # names a MAC that did not send the frame
        storm.append(frame(scan_mac, m, 2, rand_mac(), ip, scan_mac, scan_ip))
    i = 0
    next_send = time.monotonic()
    while True:
        select.select([s, e], [], [], 0.001)
        while slow:
            try:
                reply = echo_reply(e.recv(2048), me, slow)
            except BlockingIOError:
                break
            if reply:
                later.append((time.monotonic() + delay, reply))
        while later and later[0][0] <= time.monotonic():
            s.send(later.pop(0)[1])
        for _ in range(256):  # every request waiting, then the storm
            try:
                pkt = s.recv(2048)
            except BlockingIOError:
                break
            if len(pkt) >= 42 and pkt[12:14] == b"\x08\x06":
                op = struct.unpack("!H", pkt[20:22])[0]
                sha, spa = pkt[22:28], socket.inet_ntoa(pkt[28:32])
                tpa = socket.inet_ntoa(pkt[38:42])
                if op == 1 and tpa in proxy:
                    s.send(frame(sha, me, 2, me, tpa, sha, spa))
        now = time.monotonic()
        while now >= next_send and (storm or off):
            if storm and (i % 2 == 0 or not off):
                s.send(storm[(i // 2) % len(storm)])
            else:
                m = rand_mac()
                s.send(frame(scan_mac, m, 2, m, str(random.choice(off)),
                             scan_mac, scan_ip))
            i += 1
            next_send += gap
            if now - next_send > 1:  # a stall: do not burst to catch up
                next_send = now


if __name__ == "__main__":
    try:
        main(sys.argv)
    except KeyboardInterrupt:
        os._exit(0)
