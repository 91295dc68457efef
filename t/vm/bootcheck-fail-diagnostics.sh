#!/usr/bin/env bash
# A wrong expectation must FAIL (exit 1) with diagnostics that show why: the step's
# message, the DHCP packets seen (the offer that named another file) and the console.
# Usage: bootcheck-fail-diagnostics.sh BOOTCHECK SCENARIO_DIR ARTIFACTS_DIR
set -uo pipefail
bootcheck=$1 scenario=$2 artifacts=$3
rm -rf "$artifacts"
out=$("$bootcheck" --artifacts "$artifacts" "$scenario")
code=$?
printf '%s\n' "$out"
if [ "$code" = 77 ]; then
  echo "SKIP: bootcheck says the host lacks something (see above)"
  exit 77
fi
fail() { echo "FAIL: $*"; exit 1; }
[ "$code" = 1 ] || fail "bootcheck exited $code, expected 1 (fail)"
grep -q '^ok 1 - console /iPXE' <<<"$out" || fail "step 1 (iPXE banner) should pass"
grep -q '^not ok 2 - offer' <<<"$out" || fail "step 2 (offer file=undionly.kpxe) should fail"
# The diagnostics block of the failed step: why, the DHCP packets, the console tail.
block=$(sed -n '/^not ok 2 /,/^  \.\.\./p' <<<"$out")
grep -q 'message:' <<<"$block" || fail "no message in the diagnostics"
grep -q 'message: .*within 6.00 s.*deadline' <<<"$block" || fail "the message does not name the 'within' deadline"
grep -q 'OFFER.*file=http://192.168.42.1/boot.ipxe' <<<"$block" \
  || fail "the diagnostics do not show the OFFER that named boot.ipxe"
grep -q 'dhcpd.conf:' <<<"$block" || fail "the diagnostics do not name the dhcpd.conf line"
grep -q 'console:' <<<"$block" || fail "no console lines in the diagnostics"
grep -q '^not ok 3 - http' <<<"$out" || fail "later steps should not pass"
grep -q 'verdict fail' <<<"$out" || fail "no failing verdict point"
for f in console.log serial.raw capture.pcap events.jsonl timeline.txt domain.xml bootcheck.tap; do
  [ -s "$artifacts/$f" ] || fail "artifact $f missing or empty"
done
# capture.pcap: a pcap file (magic) holding the DHCP exchange
magic=$(head -c4 "$artifacts/capture.pcap" | od -An -tx1)
grep -q "d4 c3 b2 a1" <<<"$magic" || fail "capture.pcap is not a pcap file ($magic)"
grep -q 'OFFER' "$artifacts/timeline.txt" || fail "timeline.txt lacks the OFFER"
echo "PASS: wrong expectation failed with diagnostics"
