#!/usr/bin/env bash
# Nothing of a run survives bootcheck: interrupted (SIGINT, SIGTERM) or killed
# (SIGKILL) mid-boot, no qemu of that run, no process in its namespaces, no network
# namespace, tap or bridge, no mount is left on the host.
# Usage: bootcheck-cleanup.sh BOOTCHECK SCENARIO_DIR ARTIFACTS_DIR
set -uo pipefail
bootcheck=$1 scenario=$2 artifacts_base=$3
guest="guest=bootcheck-$(basename "$scenario")"
fail() { echo "FAIL: $*"; exit 1; }

# Other tests may create their own namespaces meanwhile: compare only what a run of
# ours could leak (its bridge and tap names; mounts over /run, /proc, /sys, /etc).
host_links() { ip -o link show | awk -F': ' '{print $2}' | grep -E '^(br0|vnet|tap|macvtap)' | sort; }
host_mounts() { awk '{print $5}' /proc/self/mountinfo | grep -E '^/(run|proc|sys|etc)(/bootcheck.*|/passwd|/group)?$|bootcheck' | sort; }

for sig in INT TERM KILL; do
  artifacts=$artifacts_base/$sig
  rm -rf "$artifacts"
  links_before=$(host_links)
  mounts_before=$(host_mounts)
  "$bootcheck" --accel tcg --artifacts "$artifacts" "$scenario" >"$artifacts_base.$sig.out" 2>&1 &
  bc=$!
  # Wait for the firmware to be running in the VM (mid-boot).
  for _ in $(seq 1 300); do
    grep -aq 'iPXE' "$artifacts/serial.raw" 2>/dev/null && break
    if ! kill -0 $bc 2>/dev/null; then
      wait $bc; code=$?
      cat "$artifacts_base.$sig.out"
      [ "$code" = 77 ] && { echo "SKIP: host lacks something (above)"; exit 77; }
      fail "bootcheck ended (exit $code) before the VM booted"
    fi
    sleep 0.1
  done
  grep -aq 'iPXE' "$artifacts/serial.raw" || fail "$sig: the VM did not reach iPXE in 30 s"
  init=$(pgrep -P $bc | head -1)
  [ -n "$init" ] || fail "$sig: no namespace init under bootcheck ($bc)"
  netns=$(readlink /proc/$init/ns/net)
  # This run's qemu: the one with our guest name in our namespace (another build tree
  # may run the same test meanwhile).
  qemu=
  for p in $(pgrep -f -- "$guest"); do
    [ "$(readlink /proc/$p/ns/net 2>/dev/null)" = "$netns" ] && qemu=$p
  done
  [ -n "$qemu" ] || fail "$sig: no qemu with $guest in the run's network namespace"
  [ "$(readlink /proc/$qemu/ns/net)" != "$(readlink /proc/self/ns/net)" ] || fail "$sig: qemu shares the host's network namespace"
  echo "$sig: bootcheck $bc, namespace init $init ($netns), qemu $qemu: sending SIG$sig"
  kill -s "$sig" $bc
  wait $bc; code=$?
  echo "$sig: bootcheck exited $code"
  # The kernel tears the namespace down asynchronously: allow it a moment.
  for _ in $(seq 1 50); do
    left=$( (kill -0 "$qemu" 2>/dev/null && echo "$qemu"; for p in /proc/[0-9]*; do [ "$(readlink $p/ns/net 2>/dev/null)" = "$netns" ] && echo "${p#/proc/}"; done) | sort -u)
    [ -z "$left" ] && break
    sleep 0.1
  done
  [ -z "$left" ] || { ps -o pid,args -p $(echo $left | tr ' ' ,); fail "$sig: processes left: $left"; }
  [ "$(host_links)" = "$links_before" ] || fail "$sig: host links changed: $(diff <(echo "$links_before") <(host_links))"
  [ "$(host_mounts)" = "$mounts_before" ] || fail "$sig: host mounts changed: $(diff <(echo "$mounts_before") <(host_mounts))"
  case $sig in
    INT|TERM)
      [ "$code" = 99 ] || fail "$sig: bootcheck exited $code, expected 99 (interrupted before a verdict)"
      grep -q '^not ok 2 - console /never printed/' "$artifacts/bootcheck.tap" || fail "$sig: bootcheck.tap lacks the unmatched step"
      grep -q 'interrupted' "$artifacts/bootcheck.tap" || fail "$sig: bootcheck.tap does not say it was interrupted"
      ;;
    KILL)
      [ "$code" = 137 ] || fail "KILL: exit $code"
      grep -q 'Bail out!' "$artifacts/bootcheck.tap" || fail "KILL: bootcheck.tap should say the run ended before a verdict"
      ;;
  esac
  for f in console.log capture.pcap events.jsonl timeline.txt domain.xml; do
    [ -s "$artifacts/$f" ] || fail "$sig: artifact $f missing or empty"
  done
  echo "$sig: nothing left"
done
echo "PASS: SIGINT, SIGTERM and SIGKILL mid-boot leave no qemu, namespace, tap or mount"
