#!/usr/bin/env bash
# bootserv --check, like `dhcpd -t`: exit 1 with file:line:col, the line and a caret for
# seed 000's first configuration (the `;` missing after range: the message points at
# the range line, 10), exit 1 for seed 000's second configuration as printed in the
# report (ipxe.no-pxedhcp is never declared: ISC refuses it too), exit 0 for the
# comparison configurations. No root, no network. TAP.
#   test-bootserv-check.sh BOOTSERV DATA_DIR
set -u
BOOTSERV=$(realpath "$1")
DATA=$(realpath "$2")/server
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; shift; printf '%s\n' "$@" | sed 's/^/# /'; }
confs=("$DATA"/compare/*.conf)
echo "1..$((4 + ${#confs[@]}))"

cd "$DATA"
out=$("$BOOTSERV" --check -c seed000-first.conf 2>&1)
rc=$?
if [ $rc = 1 ]; then ok "seed 000 first config: exit 1"; else not_ok "seed 000 first config: exit 1" "rc=$rc" "$out"; fi
if grep -q "^seed000-first.conf:10:[0-9]*: expected ';'" <<<"$out"; then
  ok "seed 000 first config: error at the range line (10) asks for ';'"
else
  not_ok "seed 000 first config: error at the range line (10) asks for ';'" "$out"
fi
if grep -q 'range 192.168.42.100 192.168.42.200' <<<"$out" && grep -q '^[[:space:]]*\^$' <<<"$out"; then
  ok "seed 000 first config: the offending line and a caret"
else
  not_ok "seed 000 first config: the offending line and a caret" "$out"
fi
out=$("$BOOTSERV" --check -c seed000-second-literal.conf 2>&1)
rc=$?
if [ $rc = 1 ] && grep -q "^seed000-second-literal.conf:12:.*no-pxedhcp" <<<"$out"; then
  ok "seed 000 second config as printed: undeclared ipxe.no-pxedhcp refused (as ISC does)"
else
  not_ok "seed 000 second config as printed: undeclared ipxe.no-pxedhcp refused" "rc=$rc" "$out"
fi
for c in "${confs[@]}"; do
  out=$("$BOOTSERV" --check -c "$c" 2>&1)
  rc=$?
  if [ $rc = 0 ]; then ok "$(basename "$c"): exit 0"; else not_ok "$(basename "$c"): exit 0" "$out"; fi
done
[ "$fails" = 0 ]
