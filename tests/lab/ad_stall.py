#!/usr/bin/python3
"""A TCP relay that lets a domain controller stop answering mid-read.

usage: ad_stall.py LISTEN_ADDR LISTEN_PORT DC_ADDR DC_PORT LIMIT DC_PID MARK

Relays one connection at a time, byte for byte (TLS passes through: the
client still checks the DC's own certificate). Once LIMIT bytes have come
from the DC, it sends SIGSTOP to DC_PID (the DC stops, as a hung server
would), writes MARK with the byte count and relays nothing more; the
connections stay open until the relay is killed. For tests/lab/test_ad.sh.
"""
import os
import select
import signal
import socket
import sys


def main():
    laddr, lport, daddr, dport, limit, pid, mark = sys.argv[1:8]
    lport, dport, limit, pid = int(lport), int(dport), int(limit), int(pid)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((laddr, lport))
    srv.listen(4)
    held = []
    while True:
        cli, _ = srv.accept()
        dc = socket.create_connection((daddr, dport))
        down = 0
        while True:
            r, _, _ = select.select([cli, dc], [], [])
            if cli in r:
                data = cli.recv(65536)
                if not data:
                    break
                dc.sendall(data)
            if dc in r:
                data = dc.recv(min(65536, max(1, limit - down)))
                if not data:
                    break
                cli.sendall(data)
                down += len(data)
                if down >= limit:
                    os.kill(pid, signal.SIGSTOP)
                    with open(mark, "w") as f:
                        f.write("%d\n" % down)
                    held.append((cli, dc))
                    signal.pause()
        cli.close()
        dc.close()


if __name__ == "__main__":
    main()
