#!/usr/bin/env bash
# bootserv against the real ISC dhcpd, on the same configurations and the same
# DISCOVERs, in private network namespaces (veth pair, client side without an IPv4
# address). For every configuration in t/data/server/compare/ and every DISCOVER
# fixture (t/data/dhcp: seed 000 built-in and Joyent iPXE, EDK2, iPXE EFI, the EFI
# ROM, and a plain client), each as a distinct client in the same order, the OFFERs
# must agree on: file, siaddr (next-server), sname, yiaddr, options 1, 51, 54, the
# presence and contents of 43, 60 and 175, and broadcast vs unicast delivery. TAP.
#   test-compare-isc.sh BOOTSERV DATA_DIR
set -u
BOOTSERV=$(realpath "$1")
DATA=$(realpath "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
PROBE="$HERE/dhcp-probe.py"
. "$HERE/netns-lib.sh"
bc_require_root
DHCPD=$(command -v dhcpd || echo /usr/sbin/dhcpd)
[ -x "$DHCPD" ] || bc_skip "ISC dhcpd not installed (Debian: isc-dhcp-server, Fedora: dhcp-server)"

confs=("$DATA"/server/compare/${BC_COMPARE_ONLY:-*}.conf)
# plain: a DISCOVER with PRL 1,3,6,66,67; noprl: without option 55 (ISC then sends every
# configured option); host: plain from the MAC of pxeclient-class.conf's fixed-address host.
# dora-ack: a plain client's whole DORA, the ACK compared; nak: an INIT-REBOOT REQUEST
# for an address on another network (authoritative: NAK); relay: the built-in iPXE
# DISCOVER through a relay agent at 192.168.42.2 (giaddr, option 82 echoed).
fixtures=(seed000-builtin-discover seed000-joyent-discover edk2-discover ipxe-efi-discover
  ipxe-efi-rom-discover plain noprl host dora-ack nak relay)
echo "1..$((${#confs[@]} * ${#fixtures[@]}))"
bc_netns_setup

# probe_all OUTFILE: every fixture once, as clients 52:54:00:00:10:00, …:01, …
probe_all() {
  local out=$1 i=0 f args
  : >"$out"
  for f in "${fixtures[@]}"; do
    args=(--chaddr "$(printf '52:54:00:00:10:%02x' $i)" --timeout 4)
    case $f in
      plain) ;;
      noprl) args+=(--option 55=) ;;
      host) args=(--chaddr 52:54:00:aa:bb:01 --timeout 4) ;;
      dora-ack)
        args+=(--dora)
        bc_cli python3 "$PROBE" -i "$BC_IF_CLI" "${args[@]}" | sed -n 2p >>"$out"
        i=$((i + 1))
        continue ;;
      nak) args+=(--option 53=03 --option 50=0a090909) ;;
      relay)
        ip -n "$BC_NS_CLI" addr add 192.168.42.2/24 dev "$BC_IF_CLI"
        bc_cli python3 "$PROBE" -i "$BC_IF_CLI" "${args[@]}" --relay 192.168.42.2:192.168.42.1 \
          --payload "$DATA/dhcp/seed000-builtin-discover.bin" | head -1 >>"$out"
        ip -n "$BC_NS_CLI" addr flush dev "$BC_IF_CLI" scope global
        i=$((i + 1))
        continue ;;
      *) args+=(--payload "$DATA/dhcp/$f.bin") ;;
    esac
    bc_cli python3 "$PROBE" -i "$BC_IF_CLI" "${args[@]}" | head -1 >>"$out"
    i=$((i + 1))
  done
}

wait_for() { # wait_for FILE PATTERN PID
  for _ in $(seq 100); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

n=0
fails=0
for conf in "${confs[@]}"; do
  name=$(basename "$conf" .conf)
  # bootserv
  # The event log through an inherited fd, as the harness passes it.
  exec 3>"$BC_TMP/ev.json"
  bc_srv_bg "$BC_TMP/bootserv.log" "$BOOTSERV" -c "$conf" -i "$BC_IF_SRV" --no-ra \
    --events-fd 3
  exec 3>&-
  pid=$BC_LAST_PID
  if ! wait_for "$BC_TMP/ev.json" '"event":"ready"' "$pid"; then
    echo "Bail out! bootserv did not start on $name: $(cat "$BC_TMP/bootserv.log")"
    exit 1
  fi
  probe_all "$BC_TMP/bootserv.jsonl"
  bc_stop "$pid"
  # ISC dhcpd, fresh lease file
  : >"$BC_TMP/isc.leases"
  bc_srv_bg "$BC_TMP/isc.log" "$DHCPD" -4 -f -d -cf "$conf" -lf "$BC_TMP/isc.leases" \
    -pf "$BC_TMP/isc.pid" "$BC_IF_SRV"
  pid=$BC_LAST_PID
  if ! wait_for "$BC_TMP/isc.log" 'Server starting service' "$pid"; then
    echo "Bail out! ISC dhcpd did not start on $name: $(tail -5 "$BC_TMP/isc.log")"
    exit 1
  fi
  probe_all "$BC_TMP/isc.jsonl"
  bc_stop "$pid"

  python3 - "$name" "$n" "$BC_TMP/bootserv.jsonl" "$BC_TMP/isc.jsonl" "${fixtures[@]}" <<'EOF' >"$BC_TMP/tap"
import json, sys
name, n, ours_path, isc_path, fixtures = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5:]
ours = [json.loads(l) for l in open(ours_path)]
isc = [json.loads(l) for l in open(isc_path)]

def view(r):
    if "error" in r:
        return {"reply": None}
    o = r["options"]
    return {
        "reply": r["msgtype"], "file": r["file"], "siaddr": r["siaddr"], "sname": r["sname"],
        "yiaddr": r["yiaddr"], "1": o.get("1"), "51": o.get("51"), "54": o.get("54"),
        "43": o.get("43"), "60": o.get("60"), "175": o.get("175"), "82": o.get("82"),
        "giaddr": r.get("giaddr"),
        "delivery": {"ff:ff:ff:ff:ff:ff": "broadcast", "relay": "relay"}.get(r["eth_dst"], "unicast"),
    }

fails = 0
for i, f in enumerate(fixtures):
    a = view(ours[i]) if i < len(ours) else {"reply": "missing"}
    b = view(isc[i]) if i < len(isc) else {"reply": "missing"}
    n += 1
    types = {2: "OFFER", 5: "ACK", 6: "NAK"}
    desc = "%s × %s: %s" % (name, f, "no reply from either" if b["reply"] is None and a == b
                            else "%s file=%r siaddr=%s yiaddr=%s" % (
                                types.get(b["reply"], b["reply"]), b.get("file"),
                                b.get("siaddr"), b.get("yiaddr")))
    if a == b:
        print("ok %d - %s" % (n, desc))
    else:
        fails += 1
        print("not ok %d - %s" % (n, desc))
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                print("#   %s: bootserv %r, ISC %r" % (k, a.get(k), b.get(k)))
print("FAILS %d" % fails)
EOF
  grep -v '^FAILS' "$BC_TMP/tap"
  f=$(sed -n 's/^FAILS //p' "$BC_TMP/tap")
  fails=$((fails + ${f:-1}))
  n=$((n + ${#fixtures[@]}))
done
[ "$fails" = 0 ]
