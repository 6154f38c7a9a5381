#!/usr/bin/python3
"""Hostile and measuring HTTP clients for tests/cli/test_dos*.sh (loopback
only). Not a test itself.

  dos_client.py slow PORT N SECONDS [SOURCE...]
      N connections to 127.0.0.1:PORT (from the SOURCE addresses in turn,
      default 127.0.0.1) that send a request head one byte a second and
      never finish it (slowloris); a closed one is opened again a second
      later. Prints "opened N" once N connections were established, then,
      after SECONDS, "closed-by-server K" (how many the server closed)
      and exits.
  dos_client.py post PORT PATH FILE [HEADER...]
      POSTs FILE (streamed, Content-Length) to PATH; prints "sent" once
      the whole body is written, then "status CODE" when answered (or
      "status 000" when the connection closed without an answer).
  dos_client.py hold PORT PATH TOTAL SEND [HEADER...]
      POSTs a body of TOTAL zero bytes, sends SEND of them, prints "held",
      and waits until stdin closes; then prints "status CODE" of whatever
      the server answered, without sending the rest.
  dos_client.py lock DB SECONDS
      Takes SQLite's write lock on DB (BEGIN IMMEDIATE), prints "locked",
      holds it SECONDS (or until stdin closes, when SECONDS is 0) and
      rolls back: a writer that keeps the database busy, whatever the
      machine's speed.
"""
import errno
import os
import resource
import selectors
import socket
import sqlite3
import sys
import time

HOST = "127.0.0.1"


def head(path, length, headers):
    lines = ["POST %s HTTP/1.1" % path, "Host: %s" % HOST,
             "Content-Length: %d" % length, "Connection: close"]
    lines += headers
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def status_of(sock):
    data = b""
    try:
        sock.settimeout(120)
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    parts = data.split(b" ", 2)
    return parts[1].decode() if len(parts) > 1 else "000"


def slow(port, n, seconds, sources):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 256), hard))
    sel = selectors.DefaultSelector()
    line = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: "
    conns = {}  # socket -> bytes sent
    pending = []  # when to reopen
    closed = 0
    established = 0
    announced = False
    end = time.monotonic() + seconds

    turn = [0]

    def opens():
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((sources[turn[0] % len(sources)], 0))
        turn[0] += 1
        s.setblocking(False)
        try:
            s.connect((HOST, port))
        except BlockingIOError:
            pass
        conns[s] = 0
        sel.register(s, selectors.EVENT_READ)

    for _ in range(n):
        opens()
    while time.monotonic() < end:
        now = time.monotonic()
        while pending and pending[0] <= now:
            pending.pop(0)
            opens()
        gone = []
        for key, _ in sel.select(timeout=0):
            s = key.fileobj
            try:
                if not s.recv(4096):
                    gone.append(s)
            except OSError:
                gone.append(s)
        for s in list(conns):
            if s in gone:
                continue
            try:
                s.send(line[conns[s]:conns[s] + 1] or b"a")
                if not conns[s]:
                    established += 1
                conns[s] += 1
            except BlockingIOError:
                pass
            except OSError as e:
                if e.errno not in (errno.ENOTCONN,):
                    gone.append(s)
        for s in gone:
            sel.unregister(s)
            del conns[s]
            s.close()
            closed += 1
            pending.append(time.monotonic() + 1)
        if not announced and established >= n:
            print("opened %d" % n, flush=True)
            announced = True
        time.sleep(1)
    print("closed-by-server %d" % closed, flush=True)


def post(port, path, fname, headers):
    size = os.path.getsize(fname)
    s = socket.create_connection((HOST, port))
    s.sendall(head(path, size, headers))
    try:
        with open(fname, "rb") as f:
            while True:
                buf = f.read(1 << 20)
                if not buf:
                    break
                s.sendall(buf)
        print("sent", flush=True)
    except OSError:
        print("send-failed", flush=True)
    print("status %s" % status_of(s), flush=True)


def hold(port, path, total, send, headers):
    s = socket.create_connection((HOST, port))
    s.sendall(head(path, total, headers))
    zeros = bytes(1 << 20)
    left = send
    while left > 0:
        s.sendall(zeros[:min(left, len(zeros))])
        left -= min(left, len(zeros))
    print("held", flush=True)
    sys.stdin.read()
    s.shutdown(socket.SHUT_WR)
    print("status %s" % status_of(s), flush=True)


def lock(db, seconds):
    con = sqlite3.connect(db, timeout=60, isolation_level=None)
    con.execute("BEGIN IMMEDIATE")
    print("locked", flush=True)
    if seconds > 0:
        time.sleep(seconds)
    else:
        sys.stdin.read()
    con.execute("ROLLBACK")
    con.close()


def main():
    a = sys.argv[1:]
    if a and a[0] == "slow" and len(a) >= 4:
        slow(int(a[1]), int(a[2]), float(a[3]), a[4:] or [HOST])
    elif a and a[0] == "post" and len(a) >= 4:
        post(int(a[1]), a[2], a[3], a[4:])
    elif a and a[0] == "hold" and len(a) >= 5:
        hold(int(a[1]), a[2], int(a[3]), int(a[4]), a[5:])
    elif a and a[0] == "lock" and len(a) == 3:
        lock(a[1], float(a[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
