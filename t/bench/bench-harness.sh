#!/usr/bin/env bash
# bench-harness: the same BIOS built-in iPXE boot (boot.ipxe over HTTP echoing a
# marker) run by hand -- qemu + dnsmasq (tuned as in ARCHITECTURE.md: router
# advertisements, 175.176 no-pxedhcp, no ping) + python's HTTP server + a loop that
# polls the serial log for the marker every 100 ms -- and by bootcheck, alternating, in
# the same run. Prints bootcheck's set-up, time to verdict and tear-down, and the
# wall-time ratio; then a deliberate boot loop: how many loop periods after the first
# hand-out the verdict came. Targets (printed, not asserted): set-up + tear-down < 1 s,
# marker <= 3.0 s under TCG, loop verdict within 2 loop periods.
# Usage: bench-harness.sh BOOTCHECK MARKER_SCENARIO LOOP_SCENARIO [ROUNDS]
set -uo pipefail
bootcheck=$1 scenario=$2 loop_scenario=$3 rounds=${4:-3}
work=$(mktemp -d /tmp/bench-harness.XXXXXX)
trap 'rm -rf "$work"' EXIT
marker=BOOTCHECK-MARKER-OK

if [ "$(id -u)" != 0 ]; then echo "SKIP: the hand-run peer needs root (tap, dnsmasq)"; exit 77; fi
for p in qemu-system-x86_64 dnsmasq python3 ip unshare; do
  command -v $p >/dev/null || { echo "SKIP: $p not found"; exit 77; }
done

now() { date +%s.%N; }
# Arithmetic and comparisons on decimals with awk (no bc needed): calc 'EXPR'.
calc() { awk "BEGIN { print $1 }"; }
check() { awk "BEGIN { exit !($1) }" && echo met || echo MISSED; }

# One hand-run boot in private namespaces. Prints "setup marker teardown wall".
hand_run() {
  local dir=$work/hand-$1
  mkdir -p "$dir"
  unshare --net --mount --pid --fork --mount-proc bash -s "$dir" "$scenario/http" "$marker" <<'INNER'
set -e
dir=$1 http=$2 marker=$3
t_start=$(date +%s.%N)
ip link set lo up
ip link add br0 address 02:42:c0:a8:2a:01 type bridge forward_delay 0
ip addr add 192.168.42.1/24 dev br0
ip -6 addr add fd42::1/64 dev br0 nodad
ip link set br0 up
ip tuntap add tap0 mode tap
ip link set tap0 master br0 up
dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=br0 --bind-interfaces \
  --dhcp-range=192.168.42.100,192.168.42.200 --dhcp-range=::,constructor:br0,ra-only \
  --enable-ra --no-ping --dhcp-option=encap:175,176,1b \
  --dhcp-boot=http://192.168.42.1/boot.ipxe,,192.168.42.1 \
  --dhcp-leasefile="$dir/leases" --pid-file="$dir/dnsmasq.pid" 2>"$dir/dnsmasq.log" &
python3 -m http.server 80 --bind 192.168.42.1 --directory "$http" >"$dir/http.log" 2>&1 &
: >"$dir/serial"
qemu-system-x86_64 -machine pc,graphics=off -accel tcg -m 128 -display none -nodefaults \
  -no-user-config -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
  -device virtio-net-pci,netdev=n0,mac=52:54:00:b0:07:01,bootindex=1 \
  -chardev file,id=s0,path="$dir/serial" -device isa-serial,chardev=s0 2>"$dir/qemu.log" &
qemu=$!
t_vm=$(date +%s.%N)
found=
for _ in $(seq 1 600); do
  if grep -aq "$marker" "$dir/serial"; then found=1; break; fi
  sleep 0.1
done
t_marker=$(date +%s.%N)
kill $qemu 2>/dev/null; wait $qemu 2>/dev/null || true
kill %1 %2 2>/dev/null || true
wait 2>/dev/null || true
t_end=$(date +%s.%N)
[ -n "$found" ] || { echo "hand run: no marker" >&2; exit 1; }
awk -v s="$t_start" -v v="$t_vm" -v m="$t_marker" -v e="$t_end" 'BEGIN { print v - s, m - v, e - m, e - s }'
INNER
}

# One bootcheck run. Prints "setup verdict teardown wall".
bootcheck_run() {
  local art=$work/bc-$1 t0 t1 out
  t0=$(now)
  out=$("$bootcheck" --accel tcg --artifacts "$art" "$scenario") || { echo "$out" >&2; return 1; }
  t1=$(now)
  # "# timing: set-up 0.472 s, verdict at t=2.452 s after VM start, tear-down 0.240 s, wall 3.164 s"
  sed -n 's/^# timing: set-up \([0-9.]*\) s, verdict at t=\([0-9.]*\) s after VM start, tear-down \([0-9.]*\) s.*/\1 \2 \3/p' <<<"$out" |
    tail -1 | tr '\n' ' '
  calc "$t1 - $t0"
  # How long after the marker line reached the console the verdict came (timeline.txt
  # has the line's time, timing.ini the verdict's, both on the monotonic clock).
  awk -v m="$marker" '$2 == "console" && index($0, m) { print $1; exit }' "$art/timeline.txt" >"$art.marker-t"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-10s %6s %9s %10s %8s\n' run set-up to-marker tear-down wall
: >"$work/hand" ; : >"$work/bc" ; : >"$work/lag"
for i in $(seq 1 "$rounds"); do
  h=$(hand_run "$i") || { echo "hand run $i failed"; exit 1; }
  echo "$h" >>"$work/hand"
  printf '%-10s %6.3f %9.3f %10.3f %8.3f\n' "hand-$i" $h
  b=$(bootcheck_run "$i") || { echo "bootcheck run $i failed"; exit 1; }
  echo "$b" >>"$work/bc"
  printf '%-10s %6.3f %9.3f %10.3f %8.3f\n' "bootcheck-$i" $b
  lag=$(calc "$(awk '{print $2}' <<<"$b") - $(cat "$work/bc-$i.marker-t")")
  echo "$lag" >>"$work/lag"
done

col() { awk -v c="$2" '{print $c}' "$1" | median; }
hs=$(col "$work/hand" 1) hm=$(col "$work/hand" 2) ht=$(col "$work/hand" 3) hw=$(col "$work/hand" 4)
bs=$(col "$work/bc" 1) bm=$(col "$work/bc" 2) bt=$(col "$work/bc" 3) bw=$(col "$work/bc" 4)
echo
echo "medians over $rounds rounds (TCG, BIOS built-in iPXE -> HTTP boot.ipxe marker):"
printf '  hand run : set-up %.3f s, marker at %.3f s after qemu start, tear-down %.3f s, wall %.3f s\n' "$hs" "$hm" "$ht" "$hw"
printf '  bootcheck: set-up %.3f s, verdict at %.3f s after VM start, tear-down %.3f s, wall %.3f s\n' "$bs" "$bm" "$bt" "$bw"
printf '  set-up + tear-down: %.3f s (target < 1 s: %s)\n' "$(calc "$bs + $bt")" "$(check "$bs + $bt < 1")"
printf '  marker/verdict: %.3f s (target <= 3.0 s: %s)\n' "$bm" \
  "$(check "$bm <= 3.0")"
printf '  wall-time ratio bootcheck/hand: %.2f\n' "$(calc "$bw / $hw")"
printf '  verdict after the marker line reached the console: %.1f ms (median)\n' \
  "$(calc "$(median <"$work/lag") * 1000")"

# The loop verdict: hand-outs (OFFERs on the wire) and the verdict, from the timeline.
art=$work/loop
"$bootcheck" --accel tcg --artifacts "$art" "$loop_scenario" >"$work/loop.tap" || true
verdict=$(sed -n 's/^# timing: .*verdict at t=\([0-9.]*\) s.*/\1/p' "$work/loop.tap" | tail -1)
# Hand-outs up to the verdict; the loop period is their mean spacing.
offers=$(awk -v v="$verdict" '$2 == "dhcp" && $3 == "OFFER" && $1 <= v + 0.001 {print $1}' "$art/timeline.txt")
first=$(head -1 <<<"$offers")
last=$(tail -1 <<<"$offers")
n=$(wc -l <<<"$offers")
if [ -n "$first" ] && [ -n "$verdict" ] && [ "$n" -ge 2 ]; then
  period=$(calc "($last - $first) / ($n - 1)")
  periods=$(calc "($verdict - $first) / $period")
  printf '\nloop: %d hand-outs of the same file from %.3f s, mean loop period %.3f s; verdict at %.3f s, %.3f s after the last hand-out = %.2f loop periods after the first (target <= 2: %s)\n' \
    "$n" "$first" "$period" "$verdict" "$(calc "$verdict - $last")" "$periods" \
    "$(check "$periods <= 2.05")"
else
  echo "loop: no verdict/hand-outs found"; cat "$work/loop.tap"; exit 1
fi
