#!/usr/bin/env python3
"""Turn a bootcheck run's capture.pcap + events.jsonl into a committed fixture.

  sanitize.py RUN-ARTIFACT-DIR NAME

writes NAME.pcap.gz and NAME.events.jsonl here. The capture keeps every frame at its
length, but TFTP DATA payloads and non-HTTP-header TCP payloads are zeroed: the
transfers carried iPXE binaries (undionly.kpxe, snponly.efi), which are not committed.
DHCP, TFTP control packets and HTTP request/status lines stay as captured. Frame
timestamps are moved onto the run's clock (t=0 at VM start) plus BASE seconds, using
the first DHCP packet, which is in both files. Events (bootcheck's events.jsonl, one
timeline event a line) keep the console, vm and server events; the wire events come
from the capture.
"""
import gzip
import json
import os
import struct
import sys

src, name = sys.argv[1], sys.argv[2]
here = os.path.dirname(os.path.abspath(__file__))
BASE = 1000

events = []
first_dhcp_t = None
with open(os.path.join(src, "events.jsonl")) as f:
    for line in f:
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get("kind") == "dhcp" and first_dhcp_t is None:
            first_dhcp_t = ev["t"]
        if ev.get("kind") in ("console", "vm", "server"):
            events.append(ev)
assert first_dhcp_t is not None
offset = None

with open(os.path.join(src, "capture.pcap"), "rb") as f:
    data = f.read()
magic = struct.unpack("<I", data[:4])[0]
assert magic == 0xA1B2C3D4, "little-endian microsecond pcap expected"
out = bytearray(data[:24])
records = []
off = 24
while off + 16 <= len(data):
    ts_s, ts_us, caplen, wirelen = struct.unpack("<IIII", data[off:off + 16])
    frame = bytearray(data[off + 16:off + 16 + caplen])
    off += 16 + caplen
    ts = ts_s * 1000000 + ts_us
    eth = 14
    if len(frame) >= 18 and frame[12:14] == b"\x81\x00":
        eth = 18
    if len(frame) >= eth + 20 and frame[eth - 2:eth] == b"\x08\x00":
        ihl = (frame[eth] & 0x0F) * 4
        proto = frame[eth + 9]
        l4 = eth + ihl
        if proto == 17 and len(frame) >= l4 + 12:
            sport, dport = struct.unpack("!HH", frame[l4:l4 + 4])
            payload = l4 + 8
            if offset is None and {sport, dport} & {67, 68}:
                offset = round(first_dhcp_t * 1000000) - ts
            if {sport, dport} & {67, 68, 69} == set() and frame[payload:payload + 2] == b"\x00\x03":
                frame[payload + 4:] = bytes(len(frame) - payload - 4)
        elif proto == 6 and len(frame) >= l4 + 20:
            doff = (frame[l4 + 12] >> 4) * 4
            payload = l4 + doff
            body = bytes(frame[payload:])
            head = body.find(b"\r\n\r\n")
            if body[:5] == b"HTTP/" or body[:4] in (b"GET ", b"HEAD"):
                keep = head + 4 if head >= 0 else len(body)
            else:
                keep = 0
            frame[payload + keep:] = bytes(len(body) - keep)
    records.append((ts, caplen, wirelen, bytes(frame)))

assert offset is not None
for ts, caplen, wirelen, frame in records:
    t = ts + offset + BASE * 1000000
    out += struct.pack("<IIII", t // 1000000, t % 1000000, caplen, wirelen) + frame

with gzip.open(os.path.join(here, name + ".pcap.gz"), "wb", 9) as f:
    f.write(bytes(out))

with open(os.path.join(here, name + ".events.jsonl"), "w") as o:
    for ev in events:
        o.write(json.dumps(ev, separators=(",", ":")) + "\n")
