#!/usr/bin/env python3
"""Raw HTTP/1.x probes curl cannot make (run in the client namespace by
test-http-netns.sh): pipelining, HTTP/1.0 with and without keep-alive, the
absolute form, an oversized head, garbage, a request with a body, a half-closed
client, a client that hangs up mid-body.
Usage: http-probe.py SERVER BOOT.IPXE-FILE
Prints one line per probe: "ok <name>" or "not ok <name>: why"."""
import socket
import sys
import time

SERVER = (sys.argv[1], 80)
BOOT_IPXE = open(sys.argv[2], "rb").read()


def connect(timeout=5.0):
    s = socket.create_connection(SERVER, timeout=timeout)
    s.settimeout(timeout)
    return s


def read_until_eof(s, limit=1 << 22):
    """Everything the server sends until it closes; (data, how) where how is
    'eof', 'timeout' or 'reset'."""
    data = b""
    try:
        while len(data) < limit:
            chunk = s.recv(65536)
            if not chunk:
                return data, "eof"
            data += chunk
    except socket.timeout:
        return data, "timeout"
    except ConnectionResetError:
        return data, "reset"
    return data, "limit"


def read_response(s, buf=b"", head_request=False):
    """One response (head + Content-Length body, none for HEAD) from s; returns
    (status, headers, body, rest)."""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("connection closed before a response head")
        buf += chunk
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = 0 if head_request else int(headers.get("content-length", "0"))
    while len(buf) < n:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("connection closed inside a body")
        buf += chunk
    return status, headers, buf[:n], buf[n:]


def boot_ipxe_answered(s, rest=b""):
    """None if the next response on s is boot.ipxe, 200; else why not."""
    st, _, body, _ = read_response(s, rest)
    if st != 200:
        return "status %d" % st
    return None if body == BOOT_IPXE else "body differs"


results = []


def probe(name):
    def wrap(fn):
        try:
            why = fn()
        except Exception as e:  # noqa: BLE001 - any failure is a finding
            why = "%s: %s" % (type(e).__name__, e)
        results.append("ok " + name if why is None else "not ok %s: %s" % (name, why))
        return fn

    return wrap


@probe("pipelined: three requests in one segment, three answers in order")
def _():
    s = connect()
    s.sendall(b"GET /boot.ipxe HTTP/1.1\r\nHost: x\r\n\r\n"
              b"HEAD /boot/256k.bin HTTP/1.1\r\nHost: x\r\n\r\n"
              b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
    st1, _, b1, rest = read_response(s)
    st2, h2, b2, rest = read_response(s, rest, head_request=True)
    st3, _, _, rest = read_response(s, rest)
    if (st1, st2, st3) != (200, 200, 404):
        return "statuses %s" % [st1, st2, st3]
    if b1 != BOOT_IPXE:
        return "first body differs"
    if b2 != b"" or h2.get("content-length") != "262144":
        return "HEAD: body %d bytes, Content-Length %s" % (len(b2), h2.get("content-length"))
    return None


@probe("HTTP/1.0 without keep-alive: Connection: close, then the server closes")
def _():
    s = connect()
    s.sendall(b"GET /boot.ipxe HTTP/1.0\r\n\r\n")
    data, how = read_until_eof(s)
    if how != "eof":
        return "connection not closed (%s)" % how
    if b"\r\nConnection: close\r\n" not in data or not data.endswith(BOOT_IPXE):
        return "response %r" % data[:200]
    return None


@probe("HTTP/1.0 with Connection: keep-alive: kept open for a second request")
def _():
    s = connect()
    req = b"GET /boot.ipxe HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    s.sendall(req)
    st1, h1, _, rest = read_response(s)
    s.sendall(req)
    st2, _, b2, _ = read_response(s, rest)
    if (st1, st2) != (200, 200) or h1.get("connection", "").lower() != "keep-alive":
        return "statuses %s, Connection %r" % ([st1, st2], h1.get("connection"))
    return None if b2 == BOOT_IPXE else "second body differs"


@probe("absolute-form target (RFC 9112 3.2.2): 200")
def _():
    s = connect()
    s.sendall(b"GET http://%s/boot.ipxe?x=1 HTTP/1.1\r\nHost: y\r\n\r\n" % SERVER[0].encode())
    return boot_ipxe_answered(s)


def answered_then_closed(request, status, also=b"", ends=("eof",)):
    """Sends request; the answer must start with status (and hold also), and the
    server must then close the connection (ends: how the close may look)."""
    s = connect()
    s.sendall(request)
    data, how = read_until_eof(s)
    if not data.startswith(b"HTTP/1.1 %d " % status) or also not in data:
        return "response %r" % data[:120]
    return None if how in ends else "ended by %s, not a close" % how


@probe("head over 16 KiB: 431 and closed")
def _():
    # The unread rest of the head may turn the close into a reset.
    return answered_then_closed(b"GET /boot.ipxe HTTP/1.1\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n",
                                431, ends=("eof", "reset"))


@probe("garbage request line: 400 and closed")
def _():
    return answered_then_closed(b"\x16\x03\x01 hello there\r\n\r\n", 400)


@probe("HTTP/2.0: 505 and closed")
def _():
    return answered_then_closed(b"GET /boot.ipxe HTTP/2.0\r\n\r\n", 505)


@probe("POST with an unread body: 405 with Allow arrives whole, then a clean close")
def _():
    body = b"x" * 200000
    return answered_then_closed(
        b"POST /boot.ipxe HTTP/1.1\r\nContent-Length: %d\r\n\r\n" % len(body) + body, 405,
        also=b"\r\nAllow: GET, HEAD\r\n")


@probe("client half-closes after its request: the whole answer still arrives")
def _():
    s = connect()
    s.sendall(b"GET /boot/256k.bin HTTP/1.1\r\nHost: x\r\n\r\n")
    s.shutdown(socket.SHUT_WR)
    st, _, body, _ = read_response(s)
    return None if st == 200 and len(body) == 262144 else "status %d, %d bytes" % (st, len(body))


@probe("idle connection between requests stays usable")
def _():
    s = connect()
    s.sendall(b"GET /boot.ipxe HTTP/1.1\r\n\r\n")
    read_response(s)
    time.sleep(1.0)
    s.sendall(b"GET /boot.ipxe HTTP/1.1\r\n\r\n")
    return boot_ipxe_answered(s)


@probe("a head sent a byte at a time is answered")
def _():
    s = connect()
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for b in b"GET /boot.ipxe HTTP/1.1\r\nHost: x\r\n\r\n":
        s.send(bytes([b]))
        time.sleep(0.002)
    return boot_ipxe_answered(s)


@probe("client hangs up 1 MiB into a 64 MiB body")
def _():
    s = connect()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.sendall(b"GET /boot/64m.img HTTP/1.1\r\nUser-Agent: hangup-probe\r\n\r\n")
    got = 0
    while got < 1 << 20:
        chunk = s.recv(65536)
        if not chunk:
            return "closed early"
        got += len(chunk)
    s.close()
    return None


for r in results:
    print(r)
