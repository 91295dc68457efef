#!/usr/bin/env bash
# --accel auto with no cached probe: bootcheck probes KVM (a short boot of the built-in
# iPXE under it), falls back to TCG when iPXE does not get going there (as on hosts
# whose /dev/kvm is software virtualisation), says which accelerator ran and why, and
# the boot passes either way. A second run reuses the cached probe.
# Usage: bootcheck-accel-auto.sh BOOTCHECK SCENARIO_DIR ARTIFACTS_DIR
set -uo pipefail
bootcheck=$1 scenario=$2 artifacts=$3
fail() { echo "FAIL: $*"; exit 1; }
rm -rf "$artifacts"; mkdir -p "$artifacts/cache"
# The probe result is cached with libvirt's capabilities: start from an empty cache but
# keep the capabilities (probing them costs seconds and is not what is tested here).
cp "${XDG_CACHE_HOME:-$HOME/.cache}"/bootcheck/*.xml "$artifacts/cache/" 2>/dev/null
export BOOTCHECK_CACHE_DIR=$artifacts/cache
run() {
  out=$("$bootcheck" --accel auto --artifacts "$artifacts/$1" "$scenario" 2>&1); code=$?
  printf '%s\n' "$out"
  [ "$code" = 77 ] && { echo "SKIP: host lacks something (above)"; exit 77; }
  [ "$code" = 0 ] || fail "bootcheck --accel auto exited $code"
  accel=$(sed -n 's/^# accel: //p' <<<"$out")
  [ -n "$accel" ] || fail "the TAP does not say which accelerator ran"
}
run first
echo "first run: accel $accel"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
  [ -s "$artifacts/cache/accel-probe.ini" ] || fail "/dev/kvm is usable but no probe result was cached"
  grep -q 'reason=' "$artifacts/cache/accel-probe.ini" || fail "the cached probe has no reason"
  case $accel in
    kvm:*|tcg:*) ;;
    *) fail "accel report '$accel' does not start with kvm: or tcg:" ;;
  esac
else
  grep -q '^tcg: /dev/kvm' <<<"$accel" || fail "without a usable /dev/kvm the report should say so: $accel"
fi
run second
echo "second run: accel $accel"
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
  grep -q 'cached probe' <<<"$accel" || fail "the second run did not reuse the cached probe: $accel"
fi
echo "PASS: accel auto chose and reported '$accel'"
