#!/usr/bin/env python3
"""Raw TFTP probes the stock clients cannot make (run in the client namespace by
test-tftp-netns.sh): hostile requests, option edge cases, a retransmitted RRQ, a
stale ACK. Prints one line per probe: "ok <name>" or "not ok <name>: why"."""
import socket
import struct
import sys

server = sys.argv[1]
SERVER = (server, 69)


def sock(timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.bind(("0.0.0.0", 0))
    return s


def rrq(name, mode=b"octet", **opts):
    p = b"\0\1" + name + b"\0" + mode + b"\0"
    for k, v in opts.items():
        p += k.encode() + b"\0" + str(v).encode() + b"\0"
    return p


def recv(s):
    try:
        return s.recvfrom(70000)
    except socket.timeout:
        return None, None


def parse_oack(data):
    parts = data[2:].split(b"\0")
    return {parts[i].decode(): parts[i + 1].decode() for i in range(0, len(parts) - 1, 2)}


results = []


def report(name, cond, why=""):
    print(("ok " if cond else "not ok ") + name + ("" if cond else ": " + why))


def expect_error(name, payload, codes):
    s = sock()
    s.sendto(payload, SERVER)
    data, _ = recv(s)
    ok = data is not None and data[:2] == b"\0\5" and struct.unpack("!H", data[2:4])[0] in codes
    report(name, ok, repr(data))


expect_error("RRQ without any NUL -> ERROR 4", b"\0\1undionly.kpxe", (4,))
expect_error("option without value -> ERROR 4", b"\0\1boot.ipxe\0octet\0blksize\0", (4,))
expect_error("unknown mode -> ERROR 4", rrq(b"boot.ipxe", b"mail"), (4,))
expect_error("WRQ -> ERROR 2", b"\0\2up\0octet\0", (2,))
expect_error("../ traversal -> ERROR 2", rrq(b"../outside/secret"), (2,))
expect_error("absolute path is mapped into the root -> ERROR 1", rrq(b"/etc/passwd"), (1,))

# Garbage to port 69: no answer, and the server keeps serving.
s = sock(0.5)
for junk in (b"", b"\0", b"\xff" * 100, b"\0\7abc", b"\0\4\0\1", b"\0\3\0\1data"):
    s.sendto(junk, SERVER)
data, _ = recv(s)
report("garbage and stray DATA/ACK to port 69 get no answer", data is None, repr(data))

# Option edge cases: blksize 0 ignored, 70000 clamped to the path MTU, windowsize capped.
s = sock()
s.sendto(rrq(b"boot.ipxe", blksize=0, tsize=0), SERVER)
data, peer = recv(s)
o = parse_oack(data) if data and data[:2] == b"\0\6" else {}
report("blksize 0 left out of the OACK, tsize answered", "blksize" not in o and o.get("tsize") not in (None, "0"), repr(data))
if peer:
    s.sendto(b"\0\5\0\0done", peer)
s = sock()
s.sendto(rrq(b"boot.ipxe", blksize=70000, windowsize=100000), SERVER)
data, peer = recv(s)
o = parse_oack(data) if data and data[:2] == b"\0\6" else {}
report("blksize 70000 answered 1468 (MTU 1500), windowsize 100000 ignored",
       o.get("blksize") == "1468" and "windowsize" not in o, repr(data))
if peer:
    s.sendto(b"\0\5\0\0done", peer)

# A retransmitted RRQ from the same port must not start a second transfer.
s = sock(0.7)
req = rrq(b"boot/256k.bin", blksize=1432)
s.sendto(req, SERVER)
s.sendto(req, SERVER)
peers = set()
while True:
    data, peer = recv(s)
    if data is None:
        break
    peers.add(peer)
report("duplicate RRQ from the same port: one transfer", len(peers) == 1, repr(peers))

# A full lock-step transfer by hand: stale and duplicate ACKs get no DATA back.
s = sock(1.0)
s.sendto(rrq(b"boot/256k.bin"), SERVER)
data, peer = recv(s)
got = bytearray()
block = 1
dup_answered = False
while data is not None and data[:2] == b"\0\3":
    n = struct.unpack("!H", data[2:4])[0]
    if n == block:
        got += data[4:]
        s.sendto(struct.pack("!HH", 4, n), peer)
        if n == 3:
            # Duplicate and stale ACKs: RFC 1123 says no DATA may answer them.
            s.sendto(struct.pack("!HH", 4, n), peer)
            s.sendto(struct.pack("!HH", 4, 1), peer)
            first, _ = recv(s)
            s.settimeout(0.05)
            extra, _ = recv(s)
            s.settimeout(1.0)
            dup_answered = extra is not None
            data = first
            block += 1
            if len(data) - 4 < 512:
                break
            continue
        block += 1
        if len(data) - 4 < 512:
            break
    data, _ = recv(s)
with open(sys.argv[2], "rb") as f:
    want = f.read()
report("hand-driven lock-step transfer intact", bytes(got) == want, "%d vs %d bytes" % (len(got), len(want)))
report("duplicate and stale ACKs answered with nothing (Sorcerer's Apprentice)", not dup_answered)

# A file that shrinks under a running transfer (argv[3]: its path, served as
# boot/shrink.bin): the blocks already read ahead may still go out, then the server
# must end the transfer with ERROR 0, not send stale or short blocks as if all were
# well, and not leave the client to time out.
if len(sys.argv) > 3:
    s = sock(2.0)
    s.sendto(rrq(b"boot/shrink.bin"), SERVER)
    data, peer = recv(s)
    with open(sys.argv[3], "r+b") as f:
        f.truncate(4096)
    error = None
    blocks = 0
    while data is not None:
        if data[:2] == b"\0\5":
            error = struct.unpack("!H", data[2:4])[0]
            break
        if data[:2] != b"\0\3" or len(data) - 4 < 512:
            break  # a short block: the server claimed the file ended
        blocks += 1
        s.sendto(b"\0\4" + data[2:4], peer)
        data, _ = recv(s)
    report("file shrunk during the transfer: ERROR 0 after %d full blocks" % blocks, error == 0,
           "got %r after %d blocks" % (data[:4] if data else None, blocks))
