#!/usr/bin/env python3
"""Writes the DHCP packet fixtures in this folder (UDP payloads, no IP/UDP headers).

Run from anywhere: python3 t/data/dhcp/gen-fixtures.py. The .bin files are committed;
this script documents how each was put together and from what evidence.

seed000-*: reconstructed from the tcpdump -vv text in seed 000 (both DISCOVERs from
52:54:00:9d:7d:60, secs 4). Option order and values follow iPXE's
dhcp_request_options_data[] (src/net/udp/dhcp.c, 2019): 53, 57 (1472), 93, 94, 60, 77,
55, then 175 (bus-id, version, feature flags), 61, 97. The 175 contents are the ones
printed in the seed. tcpdump reported length 397 for both; the built-in one is padded
with zeros after END to 397, the Joyent one (19 more bytes of option 97) is 398.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
MAC = bytes.fromhex("5254009d7d60")
COOKIE = bytes([99, 130, 83, 99])

# iPXE 2019 parameter request list: 1 3 6 7 12 15 17 26 43 60 66 67 119 128-135 175 203
IPXE_PRL = bytes([1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119] + list(range(128, 136)) + [175, 203])


def dots(s):
    return bytes(int(x) for x in s.split("."))


BUILTIN_175 = dots("177.5.1.26.244.16.65.235.3.1.0.0.23.1.1.34.1.1.19.1.1.17.1.1.39.1.1."
                   "25.1.1.16.1.2.33.1.1.21.1.1.24.1.1.18.1.1")
JOYENT_175 = dots("177.5.1.26.244.16.65.235.3.1.0.0.23.1.1.34.1.1.19.1.1.20.1.1.39.1.1."
                  "25.1.1.16.1.2.33.1.1.21.1.1.24.1.1.38.1.1")
JOYENT_97 = dots("0.106.152.94.124.99.214.254.64.167.134.211.7.24.58.130.83")
assert len(BUILTIN_175) == 45 and len(JOYENT_175) == 45 and len(JOYENT_97) == 17


def header(op, xid, secs, flags, ciaddr="0.0.0.0", yiaddr="0.0.0.0", siaddr="0.0.0.0",
           giaddr="0.0.0.0", mac=MAC, sname=b"", file=b""):
    h = struct.pack("!BBBBIHH", op, 1, len(mac), 0, xid, secs, flags)
    h += dots(ciaddr) + dots(yiaddr) + dots(siaddr) + dots(giaddr)
    h += mac.ljust(16, b"\0") + sname.ljust(64, b"\0") + file.ljust(128, b"\0")
    assert len(h) == 236
    return h


def opt(code, data):
    assert len(data) <= 255
    return bytes([code, len(data)]) + data


def packet(hdr, options, pad_to=0):
    p = hdr + COOKIE + b"".join(options) + b"\xff"
    return p.ljust(pad_to, b"\0")


def ipxe_discover(xid, flags, arch, ndi, vendor_class, encap, uuid=None, pad_to=0, mac=MAC):
    options = [
        opt(53, b"\x01"),
        opt(57, struct.pack("!H", 1472)),
        opt(93, struct.pack("!H", arch)),
        opt(94, bytes(ndi)),
        opt(60, vendor_class),
        opt(77, b"iPXE"),
        opt(55, IPXE_PRL),
        opt(175, encap),
        opt(61, b"\x01" + mac),
    ]
    if uuid is not None:
        options.append(opt(97, uuid))
    return packet(header(1, xid, 4, flags, mac=mac), options, pad_to)


def feature_flags(codes):
    return b"".join(bytes([c, 1, 2 if c == 16 else 1]) for c in codes)


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


# Seed 000: QEMU's built-in iPXE (no HTTPS, 175.17 iSCSI) and Joyent's (175.20 HTTPS,
# 175.38 VLAN, option 97, BOOTP broadcast flag).
write("seed000-builtin-discover.bin",
      ipxe_discover(0x556ED510, 0x0000, 0, [1, 2, 1], b"PXEClient:Arch:00000:UNDI:002001",
                    BUILTIN_175, pad_to=397))
write("seed000-joyent-discover.bin",
      ipxe_discover(0xC4A6CF39, 0x8000, 0, [1, 2, 1], b"PXEClient:Arch:00000:UNDI:002001",
                    JOYENT_175, uuid=JOYENT_97))

# OVMF's EDK2 PXE (NetworkPkg/UefiPxeBcDxe): arch 7, UNDI 3.0, UUID, no 77 and no 175.
EDK2_UUID = bytes([0]) + bytes.fromhex("8f1e6cc3a1a84b4f9c3b4d5e6f708192")
EDK2_PRL = bytes([1, 2, 3, 4, 5, 6, 12, 13, 15, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51,
                  54, 58, 59, 60, 66, 67, 97] + list(range(128, 136)))
write("edk2-discover.bin",
      packet(header(1, 0x3A1C5E77, 4, 0x8000),
             [opt(53, b"\x01"), opt(57, struct.pack("!H", 1472)), opt(55, EDK2_PRL),
              opt(97, EDK2_UUID), opt(94, bytes([1, 3, 0])), opt(93, struct.pack("!H", 7)),
              opt(60, b"PXEClient:Arch:00007:UNDI:003000")], pad_to=548))

# iPXE as an EFI NIC ROM (efi-virtio.rom) and as ipxe.efi chainloaded by EDK2: arch 7,
# NDI 1.3.10, bus-id, version 1.0.0, EFI image support (175.36). ipxe.efi adds 175.27
# (SRP), the one difference between the two Debian builds.
EFI_FEATURES = [23, 19, 17, 39, 16, 21, 36, 18]
EFI_175 = opt(177, bytes([1, 0x1A, 0xF4, 0x10, 0x41])) + opt(235, b"\x01\x00\x00") + \
    feature_flags(EFI_FEATURES)
write("ipxe-efi-rom-discover.bin",
      ipxe_discover(0x1D2C3B4A, 0x0000, 7, [1, 3, 10], b"PXEClient:Arch:00007:UNDI:003010",
                    EFI_175, uuid=EDK2_UUID))
write("ipxe-efi-discover.bin",
      ipxe_discover(0x5E6F7081, 0x0000, 7, [1, 3, 10], b"PXEClient:Arch:00007:UNDI:003010",
                    EFI_175 + feature_flags([27]), uuid=EDK2_UUID))

# ISC dhcpd's OFFER to the built-in iPXE under seed 000's first dhcpd.conf: siaddr +
# file, no option 60 in the reply.
write("seed000-isc-offer.bin",
      packet(header(2, 0x556ED510, 0, 0x0000, yiaddr="192.168.42.100", siaddr="192.168.42.1",
                    file=b"undionly.kpxe"),
             [opt(53, b"\x02"), opt(54, dots("192.168.42.1")), opt(51, struct.pack("!I", 600)),
              opt(1, dots("255.255.255.0"))], pad_to=300))
