#!/usr/bin/python3
"""isatap-apiabuse: a hostile client of isatap-control's JSON-RPC socket
(docs/API.md), python3 stdlib only.

  rpc LINE...            send each LINE (a '\\n' is added) and print each reply
                         line, or "EOF" when the daemon closed the connection
  raw HEXBYTES           send these bytes as they are, print replies / EOF
  bigline BYTES [nl]     one request line of BYTES octets ("nl": newline-ended);
                         prints the reply and whether the connection was closed
  idle N SECS            open N connections at once and keep them SECS; prints
                         "connected=A refused=B open=C served=D": refused ones
                         were closed (or never accepted) by the daemon, served
                         ones answered a status request while all N were open
  noread N               send N status requests and never read; prints
                         "closed" once the daemon drops us, or "open"
  subscribe-noread SECS  subscribe, never read, hold SECS; prints closed/open
  silent N SECS          open N connections and never send a byte, for SECS;
                         prints "ready" once all are connected, then at the end
                         "connected=A refused=B idle_closed=C open=D
                         idle_after_s=E": refused ones the daemon closed within
                         a second (an error line, or none), idle_closed ones it
                         closed later, E the earliest such close (seconds after
                         connecting, -1 without one)
"""
import json
import select
import socket
import sys
import time

STATUS = b'{"jsonrpc":"2.0","method":"status","id":1}\n'


def conn(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_lines(s, n, timeout=3.0):
    """Up to n reply lines; 'EOF' when closed."""
    out, buf = [], b""
    end = time.monotonic() + timeout
    while len(out) < n:
        left = end - time.monotonic()
        if left <= 0:
            out.append("TIMEOUT")
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        try:
            d = s.recv(1 << 20)
        except (ConnectionResetError, BrokenPipeError):
            d = b""
        if not d:
            if buf:
                out.append(buf.decode(errors="replace"))
            out.append("EOF")
            break
        buf += d
        while b"\n" in buf and len(out) < n:
            line, buf = buf.split(b"\n", 1)
            out.append(line.decode(errors="replace"))
    return out


def eof_within(s, secs):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], max(0, end - time.monotonic()))
        if r:
            try:
                d = s.recv(1 << 20)
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not d:
                return True
    return False


def main():
    path, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd == "rpc":
        s = conn(path)
        for line in args:
            try:
                # surrogateescape: the bytes of argv as given, invalid UTF-8 too
                s.sendall(line.encode(errors="surrogateescape") + b"\n")
            except (BrokenPipeError, ConnectionResetError):
                print("EOF")
                return 0
            r = read_lines(s, 1)
            print(r[0], flush=True)
            if r[0] == "EOF":
                return 0
    elif cmd == "raw":
        s = conn(path)
        s.sendall(bytes.fromhex(args[0]))
        for line in read_lines(s, 2, 2.0):
            print(line)
    elif cmd == "bigline":
        n = int(args[0])
        body = b'{"jsonrpc":"2.0","method":"status","id":1,"x":"'
        line = body + b"a" * max(0, n - len(body) - 2) + b'"}'
        if len(args) > 1 and args[1] == "nl":
            line += b"\n"
        s = conn(path)
        try:
            s.sendall(line)
        except (BrokenPipeError, ConnectionResetError):
            # The daemon gave up before the end of the line: what it said
            # before closing is still in our receive queue.
            pass
        r = read_lines(s, 1, 5.0)
        print(r[0])
        print("closed" if r[0] == "EOF" or eof_within(s, 3) else "open")
    elif cmd == "idle":
        n, secs = int(args[0]), float(args[1])
        socks, failed = [], 0
        for _ in range(n):
            try:
                socks.append(conn(path))
            except OSError:
                failed += 1
        time.sleep(1.0)
        refused, alive = 0, []
        for s in socks:
            r, _, _ = select.select([s], [], [], 0)
            if r:
                try:
                    d = s.recv(65536)
                except OSError:
                    d = b""
                if not d:
                    refused += 1
                    continue
                # an error line, then (possibly) EOF
                if eof_within(s, 0.5):
                    refused += 1
                    continue
            alive.append(s)
        served = 0
        for s in alive:
            try:
                s.sendall(STATUS)
            except OSError:
                continue
        for s in alive:
            r = read_lines(s, 1, 3.0)
            if r and r[0].startswith("{") and '"result"' in r[0]:
                served += 1
        print("connected=%d refused=%d open=%d served=%d" %
              (len(socks), refused + failed, len(alive), served), flush=True)
        time.sleep(max(0, secs - 1))
    elif cmd == "noread":
        n = int(args[0])
        s = conn(path)
        s.setblocking(False)
        sent = 0
        end = time.monotonic() + 10
        while sent < n and time.monotonic() < end:
            try:
                s.send(STATUS)
                sent += 1
            except BlockingIOError:
                time.sleep(0.01)
            except (BrokenPipeError, ConnectionResetError):
                break
        s.setblocking(True)
        # Now see whether the daemon dropped us (without us reading a byte
        # first would never tell: drain until EOF or a long quiet).
        closed = False
        end = time.monotonic() + 10
        while time.monotonic() < end:
            r, _, _ = select.select([s], [], [], 1)
            if not r:
                continue
            try:
                d = s.recv(1 << 20)
            except (ConnectionResetError, BrokenPipeError):
                closed = True
                break
            if not d:
                closed = True
                break
        print("sent=%d %s" % (sent, "closed" if closed else "open"), flush=True)
    elif cmd == "silent":
        n, secs = int(args[0]), float(args[1])
        socks, failed = [], 0
        t0 = time.monotonic()
        for _ in range(n):
            try:
                socks.append(conn(path))
            except OSError:
                failed += 1
        print("ready", flush=True)
        closed_at = {}
        end = t0 + secs
        while time.monotonic() < end and len(closed_at) < len(socks):
            live = [s for s in socks if s not in closed_at]
            r, _, _ = select.select(live, [], [], max(0, min(0.2, end - time.monotonic())))
            for s in r:
                try:
                    d = s.recv(65536)
                except OSError:
                    d = b""
                if not d:
                    closed_at[s] = time.monotonic() - t0
        refused = sum(1 for t in closed_at.values() if t < 1.0)
        idle = [t for t in closed_at.values() if t >= 1.0]
        print("connected=%d refused=%d idle_closed=%d open=%d idle_after_s=%d" %
              (len(socks), refused + failed, len(idle), len(socks) - len(closed_at),
               int(min(idle)) if idle else -1), flush=True)
    elif cmd == "subscribe-noread":
        s = conn(path)
        s.sendall(b'{"jsonrpc":"2.0","method":"subscribe","id":1}\n')
        time.sleep(float(args[0]))
        print("closed" if eof_within(s, 0.1) else "open")
    else:
        sys.exit("unknown command " + cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
