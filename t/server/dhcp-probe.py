#!/usr/bin/env python3
"""A DHCP client for tests: sends DHCP requests as raw Ethernet frames (the client has
no IPv4 address, as a booting firmware) and prints each server reply as one JSON line.

  dhcp-probe.py -i IFACE [--payload FILE] [--chaddr MAC] [--xid N] [--flags 0|0x8000]
                [--dora] [--raw-hex HEX] [--timeout S] [--rs]

--payload: a DHCP UDP payload (t/data/dhcp/*.bin); its xid/chaddr/flags are replaced
when --xid/--chaddr/--flags are given. Without it a plain DISCOVER is built.
--dora: after the OFFER, send a REQUEST (selecting state) and print the ACK too.
--raw-hex: send these bytes as the UDP payload as-is (hostile input) and expect nothing.
--rs: send an ICMPv6 router solicitation and print the router advertisement.
Replies are captured from the wire whatever their destination (broadcast or unicast
to chaddr), with their Ethernet/IP destination, so a test can check where they went.
"""
import argparse
import json
import os
import random
import select
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
ETH_P_ALL = 0x0003
MAGIC = b"\x63\x82\x53\x63"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def mac_text(b):
    return ":".join("%02x" % x for x in b)


def iface_mac(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return f.read().strip()


def frame(src_mac, payload, src_ip="0.0.0.0", dst_ip="255.255.255.255", sport=68, dport=67,
          dst_mac=b"\xff" * 6):
    udp_len = 8 + len(payload)
    sip, dip = socket.inet_aton(src_ip), socket.inet_aton(dst_ip)
    pseudo = sip + dip + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0) + payload
    uc = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", uc) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, random.randrange(65536), 0, 64, 17, 0,
                     sip, dip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + src_mac + struct.pack("!H", ETH_P_IP) + ip + udp


def parse_options(buf):
    opts = {}
    i = 0
    while i < len(buf):
        c = buf[i]
        if c == 0:
            i += 1
            continue
        if c == 255 or i + 1 >= len(buf):
            break
        n = buf[i + 1]
        v = buf[i + 2:i + 2 + n]
        opts[c] = opts.get(c, b"") + v
        i += 2 + n
    return opts


def build_dhcp(msgtype, xid, chaddr, flags=0, ciaddr="0.0.0.0", extra=None):
    hdr = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 1, 1, 6, 0, xid, 0, flags,
                      socket.inet_aton(ciaddr), b"\0" * 4, b"\0" * 4, b"\0" * 4,
                      chaddr + b"\0" * 10, b"", b"")
    opts = bytes([53, 1, msgtype])
    for code, val in (extra or []):
        opts += bytes([code, len(val)]) + val
    opts += bytes([55, 5, 1, 3, 6, 66, 67]) if not any(c == 55 for c, _ in (extra or [])) else b""
    pkt = hdr + MAGIC + opts + b"\xff"
    return pkt + b"\0" * max(0, 300 - len(pkt))


def patch(payload, xid=None, chaddr=None, flags=None):
    p = bytearray(payload)
    if xid is not None:
        p[4:8] = struct.pack("!I", xid)
    if flags is not None:
        p[10:12] = struct.pack("!H", flags)
    if chaddr is not None:
        p[28:28 + 16] = chaddr + b"\0" * (16 - len(chaddr))
    return bytes(p)


def replace_option(payload, code, value):
    """Rebuild the options of a DHCP payload with @code set to @value (None: removed)."""
    opts = payload[240:]
    out = b""
    i = 0
    done = False
    while i < len(opts):
        c = opts[i]
        if c == 0:
            i += 1
            continue
        if c == 255 or i + 1 >= len(opts):
            break
        n = opts[i + 1]
        if c == code:
            if value is not None and not done:
                out += bytes([code, len(value)]) + value
            done = True
        else:
            out += opts[i:i + 2 + n]
        i += 2 + n
    if not done and value is not None:
        out += bytes([code, len(value)]) + value
    return payload[:240] + out + b"\xff"


class Probe:
    def __init__(self, iface):
        self.iface = iface
        self.mac = mac_bytes(iface_mac(iface))
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        self.sock.bind((iface, ETH_P_ALL))

    def send(self, payload, src_mac=None):
        self.sock.send(frame(src_mac or self.mac, payload))

    def replies(self, xid, timeout):
        """Yields parsed server replies (UDP to port 68) with this xid until timeout."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                return
            data, addr = self.sock.recvfrom(65535)
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            rep = parse_frame(data)
            if rep is not None and rep["xid"] == xid:
                yield rep


def parse_frame(data):
    if len(data) < 14 + 20 + 8 or struct.unpack("!H", data[12:14])[0] != ETH_P_IP:
        return None
    ihl = (data[14] & 0x0F) * 4
    if data[14 + 9] != 17:
        return None
    ip = data[14:14 + ihl]
    udp = data[14 + ihl:14 + ihl + 8]
    sport, dport, ulen, ucsum = struct.unpack("!HHHH", udp)
    if dport != 68:
        return None
    payload = data[14 + ihl + 8:14 + ihl + ulen]
    if len(payload) < 240 or payload[0] != 2:
        return None
    ip_ok = csum(ip) == 0
    pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, ulen)
    udp_ok = ucsum == 0 or csum(pseudo + data[14 + ihl:14 + ihl + ulen]) == 0
    (op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname,
     fname) = struct.unpack("!BBBBIHH4s4s4s4s16s64s128s", payload[:236])
    opts = parse_options(payload[240:]) if payload[236:240] == MAGIC else {}
    return {
        "eth_dst": mac_text(data[0:6]),
        "eth_src": mac_text(data[6:12]),
        "ip_src": socket.inet_ntoa(ip[12:16]),
        "ip_dst": socket.inet_ntoa(ip[16:20]),
        "ip_checksum_ok": ip_ok,
        "udp_checksum_ok": udp_ok,
        "sport": sport,
        "dport": dport,
        "xid": xid,
        "flags": flags,
        "ciaddr": socket.inet_ntoa(ciaddr),
        "yiaddr": socket.inet_ntoa(yiaddr),
        "siaddr": socket.inet_ntoa(siaddr),
        "giaddr": socket.inet_ntoa(giaddr),
        "chaddr": mac_text(chaddr[:hlen if hlen <= 16 else 16]),
        "sname": sname.split(b"\0")[0].decode("latin-1"),
        "file": fname.split(b"\0")[0].decode("latin-1"),
        "msgtype": opts.get(53, b"\0")[0] if 53 in opts else None,
        "options": {str(k): v.hex() for k, v in sorted(opts.items())},
    }


def router_solicit(iface, timeout):
    """RFC 4861 4.1: RS to ff02::2 with hop limit 255; prints the first RA received."""
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, iface.encode())
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    idx = socket.if_nametoindex(iface)
    s.sendto(bytes([133, 0, 0, 0, 0, 0, 0, 0]), ("ff02::2", 0, 0, idx))
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], end - time.monotonic())
        if not r:
            break
        data, anc, _, src = s.recvmsg(1500, socket.CMSG_SPACE(4))
        if not data or data[0] != 134:
            continue
        hop = None
        for level, typ, val in anc:
            if level == socket.IPPROTO_IPV6 and typ == socket.IPV6_HOPLIMIT:
                hop = struct.unpack("i", val[:4])[0]
        print(json.dumps({
            "type": data[0], "code": data[1], "cur_hop_limit": data[4], "flags": data[5],
            "router_lifetime": struct.unpack("!H", data[6:8])[0], "src": src[0],
            "ip_hop_limit": hop, "length": len(data)}), flush=True)
        return 0
    print(json.dumps({"error": "no router advertisement"}), flush=True)
    return 1


def relay(a):
    giaddr, server = a.relay.split(":")
    chaddr = mac_bytes(a.chaddr or "52:54:00:00:20:01")
    xid = a.xid if a.xid is not None else random.randrange(1 << 32)
    payload = open(a.payload, "rb").read() if a.payload else build_dhcp(1, xid, chaddr)
    payload = patch(payload, xid=xid, chaddr=chaddr, flags=a.flags)
    for o in a.option:
        code, _, val = o.partition("=")
        payload = replace_option(payload, int(code), bytes.fromhex(val) if val else None)
    p = bytearray(payload)
    p[3] = 1                              # hops
    p[24:28] = socket.inet_aton(giaddr)   # giaddr
    # RFC 3046 agent circuit id "eth0" as the last option (before END).
    payload = replace_option(bytes(p), 82, bytes([1, 4]) + b"eth0")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
    s.bind((giaddr, 67))
    s.sendto(payload, (server, 67))
    s.settimeout(a.timeout)
    try:
        while True:
            data, src = s.recvfrom(65535)
            if len(data) < 240 or data[0] != 2 or struct.unpack("!I", data[4:8])[0] != xid:
                continue
            (op, htype, hlen, hops, rxid, secs, flags, ciaddr, yiaddr, siaddr, gi, ch, sname,
             fname) = struct.unpack("!BBBBIHH4s4s4s4s16s64s128s", data[:236])
            opts = parse_options(data[240:]) if data[236:240] == MAGIC else {}
            print(json.dumps({
                "eth_dst": "relay", "ip_src": src[0], "sport": src[1], "xid": rxid,
                "flags": flags, "giaddr": socket.inet_ntoa(gi),
                "yiaddr": socket.inet_ntoa(yiaddr), "siaddr": socket.inet_ntoa(siaddr),
                "sname": sname.split(b"\0")[0].decode("latin-1"),
                "file": fname.split(b"\0")[0].decode("latin-1"),
                "msgtype": opts[53][0] if 53 in opts else None,
                "options": {str(k): v.hex() for k, v in sorted(opts.items())}}), flush=True)
            return 0
    except socket.timeout:
        print(json.dumps({"error": "no reply", "xid": xid}), flush=True)
        return 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-i", "--iface", required=True)
    ap.add_argument("--payload")
    ap.add_argument("--raw-hex")
    ap.add_argument("--chaddr")
    ap.add_argument("--xid", type=lambda x: int(x, 0))
    ap.add_argument("--flags", type=lambda x: int(x, 0))
    ap.add_argument("--option", action="append", default=[],
                    help="CODE=HEX: set an option in the payload (CODE= removes it)")
    ap.add_argument("--dora", action="store_true")
    ap.add_argument("--release", action="store_true", help="after --dora, send a RELEASE")
    ap.add_argument("--timeout", type=float, default=3.0)
    ap.add_argument("--rs", action="store_true")
    ap.add_argument("--relay", metavar="GIADDR:SERVER",
                    help="act as a relay agent at GIADDR (an address of IFACE): unicast the "
                         "request from GIADDR:67 to SERVER:67 with giaddr and option 82 set, "
                         "print the reply the server sends back to port 67")
    a = ap.parse_args()

    if a.rs:
        return router_solicit(a.iface, a.timeout)
    if a.relay:
        return relay(a)

    p = Probe(a.iface)
    if a.raw_hex is not None:
        p.send(bytes.fromhex(a.raw_hex))
        return 0
    chaddr = mac_bytes(a.chaddr) if a.chaddr else None
    xid = a.xid if a.xid is not None else random.randrange(1 << 32)
    if a.payload:
        with open(a.payload, "rb") as f:
            payload = f.read()
    else:
        payload = build_dhcp(1, xid, chaddr or p.mac, a.flags or 0)
    payload = patch(payload, xid=xid, chaddr=chaddr, flags=a.flags)
    if chaddr is not None:
        # iPXE's client identifier is 01 + its MAC: keep it consistent with chaddr so
        # that each probe is a distinct client to any server.
        opts = parse_options(payload[240:])
        if 61 in opts and len(opts[61]) == 7 and opts[61][0] == 1:
            payload = replace_option(payload, 61, b"\x01" + chaddr)
    for o in a.option:
        code, _, val = o.partition("=")
        payload = replace_option(payload, int(code), bytes.fromhex(val) if val else None)
    src_mac = chaddr or p.mac
    p.send(payload, src_mac)
    offer = None
    for rep in p.replies(xid, a.timeout):
        print(json.dumps(rep), flush=True)
        offer = rep
        break
    if offer is None:
        print(json.dumps({"error": "no reply", "xid": xid}), flush=True)
        return 1
    if not a.dora:
        return 0
    # RFC 2131 4.3.2 SELECTING: requested address and server identifier, ciaddr 0.
    req = replace_option(payload, 53, bytes([3]))
    req = replace_option(req, 50, socket.inet_aton(offer["yiaddr"]))
    req = replace_option(req, 54, bytes.fromhex(offer["options"]["54"]))
    p.send(req, src_mac)
    ack = None
    for rep in p.replies(xid, a.timeout):
        print(json.dumps(rep), flush=True)
        ack = rep
        break
    if ack is None:
        print(json.dumps({"error": "no ack", "xid": xid}), flush=True)
        return 1
    if a.release:
        rel = build_dhcp(7, xid, src_mac, 0, ciaddr=offer["yiaddr"],
                         extra=[(54, bytes.fromhex(offer["options"]["54"])), (55, b"")])
        p.send(rel, src_mac)
    return 0


if __name__ == "__main__":
    sys.exit(main())
