#!/usr/bin/env bash
# TFTP against real clients (curl, tftp-hpa, atftp) across a veth pair between two
# private network namespaces; with 10% packet loss (netem) on both ends too.
# Usage: test-tftp-netns.sh SERVE-ROOTS   (TAP)
set -u
serve_roots=${1:?usage: $0 SERVE-ROOTS}
. "$(dirname "$0")/netns-env.sh"
require_host curl tftp atftp tc nft sha256sum python3
netns_setup
ROOT=$WORK/root
make_root "$ROOT"
start_serve_roots "$serve_roots" "$ROOT"
EV=$WORK/events.jsonl
O=$WORK/out
mkdir -p "$O"

# curl: no options, then iPXE's blksize, then one larger than the path MTU allows.
in_c curl -s -o "$O/c1" "tftp://$SRV_IP/boot/1m.bin"
check "curl tftp, no options: 1 MiB intact" same_file "$ROOT/boot/1m.bin" "$O/c1"
in_c curl -s --tftp-blksize 1432 -o "$O/c2" "tftp://$SRV_IP/boot/1m.bin"
check "curl tftp --tftp-blksize 1432 (as iPXE): intact" same_file "$ROOT/boot/1m.bin" "$O/c2"
check "OACK event carries blksize 1432" grep -q '"event":"oack".*"blksize":"1432"' "$EV"
in_c curl -s --tftp-blksize 65464 -o "$O/c3" "tftp://$SRV_IP/boot/1m.bin"
check "curl tftp --tftp-blksize 65464: intact" same_file "$ROOT/boot/1m.bin" "$O/c3"
check "blksize 65464 clamped to the path MTU (1500 - 32 = 1468)" \
  grep -q '"event":"oack".*"blksize":"1468"' "$EV"
in_c curl -s --tftp-blksize 1432 -o "$O/c4" "tftp://$SRV_IP/boot/exact-block.bin"
check "file of exactly one block (empty last DATA)" same_file "$ROOT/boot/exact-block.bin" "$O/c4"
in_c curl -s -o "$O/c5" "tftp://$SRV_IP/empty"
check "empty file" same_file "$ROOT/empty" "$O/c5"
in_c curl -s -o "$O/c6" "tftp://$SRV_IP/inside-link"
check "symlink that stays inside the root is served" same_file "$ROOT/boot/1m.bin" "$O/c6"

# tftp-hpa: binary (octet) mode, no options.
(cd "$O" && in_c tftp -m binary "$SRV_IP" -c get boot/1m.bin h1 >/dev/null 2>&1)
check "tftp-hpa -m binary: intact" same_file "$ROOT/boot/1m.bin" "$O/h1"
(cd "$O" && in_c tftp -m binary "$SRV_IP" -c get /boot.ipxe h2 >/dev/null 2>&1)
check "leading '/' mapped into the root" same_file "$ROOT/boot.ipxe" "$O/h2"
msg=$(cd "$O" && in_c tftp "$SRV_IP" -c get boot.ipxe h3 2>&1)
check "netascii refused with error 4 (octet only)" grep -q "Error code 4" <<<"$msg"
echo data >"$O/up"
msg=$(cd "$O" && in_c tftp -m binary "$SRV_IP" -c put up uploaded 2>&1)
check "WRQ refused with error 2" grep -q "Error code 2" <<<"$msg"
check "nothing was written" test ! -e "$ROOT/uploaded"
msg=$(cd "$O" && in_c tftp -m binary "$SRV_IP" -c get missing m1 2>&1)
check "missing file: error 1" grep -q "Error code 1" <<<"$msg"

# Traversal and escapes: refused with error 2, nothing of the secret delivered.
for req in ../outside/secret /../outside/secret boot/../../outside/secret escape-rel escape-abs \
  boot/dir-escape/secret fifo boot; do
  rm -f "$O/t"
  msg=$(cd "$O" && in_c timeout 10 tftp -m binary "$SRV_IP" -c get "$req" t 2>&1)
  if grep -q "Error code [12]" <<<"$msg" && ! grep -qs SECRET "$O/t"; then
    ok "refused: $req"
  else
    not_ok "refused: $req ($msg)"
  fi
done

# Raw probes (hostile requests, option edges, duplicate RRQ, duplicate/stale ACKs, a
# file that shrinks mid-transfer).
head -c 1048576 /dev/urandom >"$ROOT/boot/shrink.bin"
while read -r line; do
  case $line in
    ok\ *) ok "${line#ok }" ;;
    *) not_ok "${line#not ok }" ;;
  esac
done < <(in_c python3 "$(dirname "$0")/tftp-probe.py" "$SRV_IP" "$ROOT/boot/256k.bin" \
  "$ROOT/boot/shrink.bin" 2>&1)
check "the shrunk file's transfer ended with an error event" \
  grep -q '"event":"error".*"file":"boot/shrink.bin".*could not be read' "$EV"

# blksize 8 (RFC 2348's minimum): the read-ahead holds thousands of blocks, more
# than the server puts in one preadv (256 iovecs), so it is filled in several calls.
head -c 20000 /dev/urandom >"$ROOT/boot/20k.bin"
in_c curl -s --tftp-blksize 8 -o "$O/b8" "tftp://$SRV_IP/boot/20k.bin"
check "curl --tftp-blksize 8, 2,500 blocks: intact" same_file "$ROOT/boot/20k.bin" "$O/b8"

# Block numbers roll over past 65535: 34 MB at blksize 512 is 66,407 blocks.
head -c 34000000 /dev/urandom >"$ROOT/boot/34m.bin"
in_c curl -s -o "$O/r1" "tftp://$SRV_IP/boot/34m.bin"
check "rollover: 34 MB at blksize 512 (66,407 blocks) intact" same_file "$ROOT/boot/34m.bin" "$O/r1"
rm -f "$ROOT/boot/34m.bin" "$O/r1"

# atftp negotiates windowsize (RFC 7440).
in_c atftp --option "windowsize 16" --option "blksize 1468" --option "tsize 0" \
  -g -r boot/1m.bin -l "$O/a1" "$SRV_IP" >/dev/null 2>&1
check "atftp windowsize 16, blksize 1468: intact" same_file "$ROOT/boot/1m.bin" "$O/a1"
check "OACK event carries windowsize 16" grep -q '"event":"oack".*"windowsize":"16"' "$EV"

# Many at once: 8 concurrent fetches, none blocks another.
pids=()
for i in $(seq 8); do
  in_c curl -s --tftp-blksize 1432 -o "$O/p$i" "tftp://$SRV_IP/boot/1m.bin" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
good=0
for i in $(seq 8); do same_file "$ROOT/boot/1m.bin" "$O/p$i" && good=$((good + 1)); done
check "8 concurrent transfers all intact ($good/8)" test "$good" = 8

# 10% loss on both ends: retransmission must carry every transfer through.
if ! loss_on 10; then
  echo "Bail out! cannot inject loss: neither tc netem nor nft works here"
  exit 1
fi
diag "loss injected with $loss_kind"
before=$(grep -c '"event":"complete"' "$EV")
in_c timeout 120 curl -s --tftp-blksize 1432 -o "$O/l1" "tftp://$SRV_IP/boot/256k.bin"
check "10% loss: curl blksize 1432 intact" same_file "$ROOT/boot/256k.bin" "$O/l1"
(cd "$O" && in_c timeout 120 tftp -m binary "$SRV_IP" -c get boot/256k.bin l2 >/dev/null 2>&1)
check "10% loss: tftp-hpa intact" same_file "$ROOT/boot/256k.bin" "$O/l2"
# atftp 0.8 aborts ("tftp: unexpected OACK") when its ACK 0 is lost and the server
# retransmits the OACK, as RFC 2347 servers do (atftpd included): a client bug. Only
# that failure is retried (at most twice); any other failure counts.
for attempt in 1 2 3; do
  rm -f "$O/l3"
  out=$(in_c timeout 120 atftp --option "windowsize 8" --option "blksize 1468" \
    -g -r boot/256k.bin -l "$O/l3" "$SRV_IP" 2>&1)
  grep -q "unexpected OACK" <<<"$out" || break
  diag "atftp attempt $attempt: its ACK 0 was lost and it refused the retransmitted OACK"
done
check "10% loss: atftp windowsize 8 intact" same_file "$ROOT/boot/256k.bin" "$O/l3"
loss_off
sleep 0.3
check "retransmissions were counted in completion events" \
  sh -c "tail -n +$((before + 1)) '$EV' | grep '\"event\":\"complete\"' | grep -qv '\"retransmits\":0'"
check "completion event has bytes, ms, retransmits" \
  grep -q '"event":"complete".*"bytes":1048576,"ms":[0-9]*,"retransmits":[0-9]*' "$EV"
check "request event names the client and options" \
  grep -q "\"event\":\"request\",\"client\":\"$CLI_IP:[0-9]*\",\"file\":\"boot/1m.bin\".*\"options\":{[^}]*\"blksize\":\"1432\"" "$EV"

echo "1..$tap_n"
[ "$tap_failed" = 0 ]
