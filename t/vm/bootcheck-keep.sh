#!/usr/bin/env bash
# --keep: after the verdict the VM, the server and the namespace stay up, reachable as
# bootcheck says (nsenter; `virsh console` through the embedded driver, which the run
# released); a SIGINT to bootcheck then ends it all and nothing is left.
# Usage: bootcheck-keep.sh BOOTCHECK SCENARIO_DIR ARTIFACTS_DIR
set -uo pipefail
bootcheck=$1 scenario=$2 artifacts=$3
guest="guest=bootcheck-$(basename "$scenario")"
fail() { echo "FAIL: $*"; [ -n "${bc:-}" ] && kill -INT "$bc" 2>/dev/null; exit 1; }
rm -rf "$artifacts"; mkdir -p "$artifacts"
"$bootcheck" --keep --artifacts "$artifacts/run" "$scenario" >"$artifacts/out" 2>"$artifacts/err" &
bc=$!
for _ in $(seq 1 600); do
  grep -q 'stay up' "$artifacts/err" 2>/dev/null && break
  if ! kill -0 $bc 2>/dev/null; then
    wait $bc; code=$?
    cat "$artifacts/out" "$artifacts/err"
    [ "$code" = 77 ] && { echo "SKIP: host lacks something (above)"; exit 77; }
    fail "bootcheck --keep ended (exit $code) instead of keeping the VM up"
  fi
  sleep 0.1
done
cat "$artifacts/err"
grep -q '^ok .* - verdict pass' "$artifacts/out" || fail "the TAP (with a passing verdict) was not printed before keeping"
enter=$(sed -n 's/^  the namespace: *//p' "$artifacts/err")
console=$(sed -n 's/^  serial console: *//p' "$artifacts/err" | head -1)
[ -n "$enter" ] && [ -n "$console" ] || fail "bootcheck did not say how to reach the VM"
addrs=$($enter ip -o addr show br0 2>&1)
grep -q "192.168.42.1/24" <<<"$addrs" || fail "no br0 192.168.42.1/24 through: $enter: $addrs"
netns=$($enter readlink /proc/1/ns/net)
qemu=
for p in $(pgrep -f -- "$guest"); do
  [ "$(readlink /proc/$p/ns/net 2>/dev/null)" = "$netns" ] && qemu=$p
done
[ -n "$qemu" ] || fail "no qemu kept running in the run's namespace"
beats=$(grep -c HEARTBEAT "$artifacts/run/serial.raw")
sleep 2.5
[ "$(grep -c HEARTBEAT "$artifacts/run/serial.raw")" -gt "$beats" ] || fail "the kept VM does not run on"
if command -v script >/dev/null; then
  out=$(timeout 5 script -qc "$console" /dev/null 2>&1 | tr -d '\r')
  grep -q 'Connected to domain' <<<"$out" || fail "virsh console did not attach: $out"
  grep -q 'BOOTCHECK-HEARTBEAT' <<<"$out" || fail "virsh console showed no heartbeat: $out"
  echo "virsh console attached and showed the heartbeat"
fi
kill -INT $bc
wait $bc; code=$?
[ "$code" = 0 ] || fail "bootcheck exited $code after SIGINT, expected 0 (the verdict passed)"
for _ in $(seq 1 50); do
  kill -0 "$qemu" 2>/dev/null || break
  sleep 0.1
done
kill -0 "$qemu" 2>/dev/null && fail "qemu ($qemu) left after SIGINT"
for p in /proc/[0-9]*; do
  [ "$(readlink "$p/ns/net" 2>/dev/null)" = "$netns" ] && fail "process ${p#/proc/} left in the run's namespace"
done
echo "PASS: --keep kept the VM reachable, SIGINT ended it"
