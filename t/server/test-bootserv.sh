#!/usr/bin/env bash
# End-to-end test of bootserv in two private network namespaces joined by a veth pair
# (client side without an IPv4 address, as a booting firmware): DORA with the
# broadcast flag clear (the reply must arrive as link-layer unicast to chaddr), the
# seed 000 DISCOVERs, a router solicitation answered by a minimal advertisement,
# malformed packets that do not stop the server, SIGTERM -> "stopping" + lease file,
# and a restart that keeps the client's address. TAP.
#   test-bootserv.sh BOOTSERV DATA_DIR
set -u
BOOTSERV=$(realpath "$1")
DATA=$2
HERE=$(cd "$(dirname "$0")" && pwd)
PROBE="$HERE/dhcp-probe.py"
. "$HERE/netns-lib.sh"
bc_require_root

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { # check DESC PYTHON-EXPR-ON-r JSON
  local desc=$1 expr=$2 json=$3
  if python3 -c "import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if ($expr) else 1)" "$json" 2>/dev/null; then
    ok "$desc"
  else
    not_ok "$desc" "expected: $expr" "got: $json"
  fi
}
probe() { bc_cli python3 "$PROBE" -i "$BC_IF_CLI" "$@"; }

echo "1..25"
bc_netns_setup
CONF="$DATA/server/compare/seed000.conf"
mkdir -p "$BC_TMP/tftp" "$BC_TMP/http"
head -c 100000 /dev/urandom >"$BC_TMP/tftp/undionly.kpxe"
printf '#!ipxe\necho BOOTCHECK-OK\n' >"$BC_TMP/http/boot.ipxe"
start_server() {
  bc_srv_bg "$BC_TMP/bootserv.log" "$BOOTSERV" -c "$CONF" -i "$BC_IF_SRV" \
    --events "$BC_TMP/events.json" --leases "$BC_TMP/leases.json" -v \
    --tftp-root "$BC_TMP/tftp" --http-root "$BC_TMP/http" --http-port 8080
  SERVER_PID=$BC_LAST_PID
  for _ in $(seq 50); do
    grep -q '"event":"ready"' "$BC_TMP/events.json" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "Bail out! bootserv did not start: $(cat "$BC_TMP/bootserv.log")"
  exit 1
}
start_server
ok "bootserv starts on the veth and reports ready"

# 1. DORA, broadcast flag clear: OFFER and ACK as link-layer unicast to chaddr.
out=$(probe --chaddr 52:54:00:00:00:01 --flags 0 --dora)
offer=$(sed -n 1p <<<"$out")
ack=$(sed -n 2p <<<"$out")
check "OFFER arrives without the broadcast flag" 'r.get("msgtype") == 2' "$offer"
check "OFFER unicast to chaddr and yiaddr" 'r["eth_dst"] == "52:54:00:00:00:01" and r["ip_dst"] == r["yiaddr"] == "192.168.42.100"' "$offer"
check "OFFER built by the packet socket has valid IPv4 and UDP checksums" 'r["ip_checksum_ok"] and r["udp_checksum_ok"] and r["sport"] == 67' "$offer"
check "OFFER: undionly.kpxe from next-server, option 54" 'r["file"] == "undionly.kpxe" and r["siaddr"] == "192.168.42.1" and r["options"]["54"] == "c0a82a01"' "$offer"
check "ACK for the offered address" 'r.get("msgtype") == 5 and r["yiaddr"] == "192.168.42.100" and r["options"]["51"] == "00000258"' "$ack"

# 2. Seed 000: built-in iPXE ROM, then the chainloaded Joyent iPXE (175.20, broadcast).
out=$(probe --payload "$DATA/dhcp/seed000-builtin-discover.bin" --chaddr 52:54:00:00:00:02)
check "seed 000 built-in iPXE DISCOVER -> undionly.kpxe, 175 no-pxedhcp" 'r["file"] == "undionly.kpxe" and r["siaddr"] == "192.168.42.1" and r["options"].get("175") == "b00101" and "60" not in r["options"]' "$out"
out=$(probe --payload "$DATA/dhcp/seed000-joyent-discover.bin" --chaddr 52:54:00:00:00:02)
check "seed 000 Joyent iPXE DISCOVER -> boot.ipxe over HTTP, broadcast, same address" 'r["file"] == "http://192.168.42.1/boot.ipxe" and r["siaddr"] == "0.0.0.0" and r["ip_dst"] == "255.255.255.255" and r["yiaddr"] == "192.168.42.101"' "$out"

# 3. Router solicitation -> minimal advertisement (RFC 4861 4.2).
out=$(probe --rs)
check "RS answered by an RA: hop limit 255, no M/O, router lifetime 0, link-local source" 'r.get("type") == 134 and r["ip_hop_limit"] == 255 and r["flags"] == 0 and r["router_lifetime"] == 0 and r["src"].startswith("fe80:")' "$out"
if grep -q '"type":"ra".*"trigger":"start"' "$BC_TMP/events.json"; then
  ok "an unsolicited RA was sent at start (ra event)"
else
  not_ok "an unsolicited RA was sent at start (ra event)" "$(grep '"ra"' "$BC_TMP/events.json")"
fi

# 4. Hostile input: runt, bad option length, hlen 17, BOOTREPLY; the server keeps serving.
probe --raw-hex 0102030405 >/dev/null
bad=$(python3 -c "
import struct
h = struct.pack('!BBBBIHH', 1, 1, 6, 0, 0x1234, 0, 0) + bytes(16) + bytes.fromhex('525400000009') + bytes(10) + bytes(192)
print((h + bytes([99, 130, 83, 99, 53, 1, 1, 61, 200, 1])).hex())")
probe --raw-hex "$bad" >/dev/null
probe --raw-hex "01011100${bad:8}" >/dev/null
out=$(probe --chaddr 52:54:00:00:00:03 --option 53=02 --timeout 1 || true)
check "a BOOTREPLY-typed (OFFER) request gets no answer" '"error" in r' "$out"
sleep 0.2
if kill -0 "$SERVER_PID" 2>/dev/null; then ok "bootserv survives malformed packets"; else not_ok "bootserv survives malformed packets" "$(tail -5 "$BC_TMP/bootserv.log")"; fi
drops=$(grep -c '"event":"dropped"' "$BC_TMP/events.json")
if [ "$drops" -ge 2 ]; then ok "malformed packets logged as dhcp dropped events ($drops)"; else not_ok "malformed packets logged as dhcp dropped events" "$(grep dhcp "$BC_TMP/events.json" | tail -3)"; fi
out=$(probe --chaddr 52:54:00:00:00:04)
check "still serving after them" 'r.get("msgtype") == 2 and r["yiaddr"] == "192.168.42.102"' "$out"

# 5. Events carry the fingerprint and the reason with config locations.
ev=$(grep '"chaddr":"52:54:00:00:00:02"' "$BC_TMP/events.json" | grep '"reply":"OFFER"' | tail -1)
check "dhcp decision event: fingerprint (iPXE), reason with filename location and trace" 'r["fingerprint"].get("user-class") == "iPXE" and "seed000.conf:" in r["reason"]["filename"] and len(r["reason"]["trace"]) > 0 and r["file"] == "http://192.168.42.1/boot.ipxe"' "${ev:-{\}}"

# 6. TFTP and HTTP from the same process (helper D's servers), from the client side
# once it has the address it was given.
ip -n "$BC_NS_CLI" addr add 192.168.42.100/24 dev "$BC_IF_CLI"
if (cd "$BC_TMP" && bc_cli tftp 192.168.42.1 -m binary -c get undionly.kpxe got.kpxe) &&
  cmp -s "$BC_TMP/got.kpxe" "$BC_TMP/tftp/undionly.kpxe"; then
  ok "TFTP: undionly.kpxe fetched intact"
else
  not_ok "TFTP: undionly.kpxe fetched intact" "$(tail -3 "$BC_TMP/bootserv.log")"
fi
body=$(bc_cli curl -sf --max-time 5 http://192.168.42.1:8080/boot.ipxe)
if grep -q BOOTCHECK-OK <<<"$body"; then ok "HTTP: boot.ipxe served"; else not_ok "HTTP: boot.ipxe served" "$body"; fi
if grep -q '"type":"tftp"' "$BC_TMP/events.json" && grep -q '"type":"http"' "$BC_TMP/events.json"; then
  ok "tftp and http events in the same event log"
else
  not_ok "tftp and http events in the same event log"
fi
ip -n "$BC_NS_CLI" addr flush dev "$BC_IF_CLI" scope global

# 7. SIGTERM: clean exit, "stopping" event, leases saved.
bc_stop "$SERVER_PID"
rc=$BC_RC
if [ "$rc" = 0 ]; then ok "SIGTERM -> exit 0"; else not_ok "SIGTERM -> exit 0" "exit $rc" "$(tail -5 "$BC_TMP/bootserv.log")"; fi
if grep -q '"event":"stopping"' "$BC_TMP/events.json"; then ok "stopping event"; else not_ok "stopping event"; fi
if grep -q '"address":"192.168.42.100".*"state":"bound"' "$BC_TMP/leases.json"; then
  ok "lease file holds the bound lease"
else
  not_ok "lease file holds the bound lease" "$(cat "$BC_TMP/leases.json" 2>&1)"
fi

# 8. Restart with the lease file: the client keeps its address, a new one does not get it.
: >"$BC_TMP/events.json"
start_server
out=$(probe --chaddr 52:54:00:00:00:01)
check "after a restart the bound client is offered its address again" 'r["yiaddr"] == "192.168.42.100"' "$out"
out=$(probe --chaddr 52:54:00:00:00:05)
check "a new client gets a free address, not a leased one" 'r["yiaddr"] == "192.168.42.103"' "$out"

bc_stop "$SERVER_PID"

# 9. --no-dhcp (another DHCP server on the link): no DHCP answer, router advertisements still.
: >"$BC_TMP/events.json"
bc_srv_bg "$BC_TMP/bootserv-nodhcp.log" "$BOOTSERV" -c "$CONF" -i "$BC_IF_SRV" --no-dhcp \
  --events "$BC_TMP/events.json"
for _ in $(seq 50); do grep -q '"event":"ready"' "$BC_TMP/events.json" && break; sleep 0.1; done
out=$(probe --chaddr 52:54:00:00:00:06 --timeout 1 || true)
check "--no-dhcp: no DHCP reply" '"error" in r' "$out"
out=$(probe --rs)
check "--no-dhcp: RS still answered" 'r.get("type") == 134' "$out"
bc_stop "$BC_LAST_PID"

[ "$fails" = 0 ]
