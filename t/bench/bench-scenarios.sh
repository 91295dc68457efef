#!/bin/bash
# bench-scenarios.sh BOOTCHECK BOOTSERV SOURCE_ROOT BUILD_ROOT [SCENARIO…]
#
# Time to verdict of each seed scenario (bootcheck, one at a time so the VMs do not
# compete for the 2 cores), against the hand-tuned figures of ARCHITECTURE.md
# ("Best times by hand, dnsmasq tuned, TCG, 1 vCPU"), printing each ratio; target
# ratio <= 1.3. Loop stories are measured in loop periods instead: from the first
# hand-out of the looping file to the verdict, in units of the period between
# hand-outs; target <= 2 periods (ratio = periods / 2). final-kernel's figure is the
# BIOS boot.ipxe figure plus the payload kernel's own boot, measured in the same run
# (qemu -kernel, same TCG settings): the named peer.
#
# Prints a table and a summary; exits 0 (a bench reports, it does not assert), 77 when
# bootcheck cannot run here.
set -u

bootcheck=${1:?usage: bench-scenarios.sh BOOTCHECK BOOTSERV SOURCE_ROOT BUILD_ROOT [SCENARIO…]}
bootserv=${2:?}
src=${3:?}
build=${4:?}
shift 4

export BOOTCHECK_BOOTSERV=$bootserv
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-scenarios.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Arithmetic without bc: awk is everywhere.
calc () { awk "BEGIN { printf \"%.6f\", $* }"; }

# scenario -> "kind figure label"; kind: boot (seconds to verdict) or loop.
figure_of () {
    case $1 in
        seed003-userclass-bios|seed003-version-dhcp-1.0.0|seed003-version-script|seed000-https-split-builtin-https)
            echo "boot 2.5 BIOS built-in iPXE -> HTTP boot.ipxe (2.3-2.5 s)" ;;
        seed000-https-split|seed003-version-dhcp-user-rom)
            echo "boot 5.2 BIOS ROM -> TFTP undionly.kpxe -> HTTP (5.2 s)" ;;
        seed003-userclass-efi-rom)
            echo "boot 6.0 OVMF built-in iPXE ROM -> HTTP (6.0 s)" ;;
        seed003-efi-pxe-chainload)
            echo "boot 10.1 OVMF EDK2 PXE -> TFTP snponly.efi -> HTTP (10.1 s)" ;;
        final-kernel)
            echo "kernel 2.5 BIOS -> HTTP boot.ipxe (2.5 s) + payload kernel boot (same run)" ;;
        seed000-naive-loop|seed000-https-split-distro-rom|seed003-version-dhcp|seed003-version-dhcp-as-written|seed003-version-script-update-loop)
            echo "loop 2 loop verdict within two loop periods" ;;
        *)
            echo "none 0 (no VM: configuration check)" ;;
    esac
}

# The payload kernel booting by itself: the peer for final-kernel.
kernel_peer () {
    local kernel=$build/images/payload-vmlinuz initrd=$build/images/payload-initrd.gz
    local log=$work/kernel-peer.log start end
    if [ ! -s "$kernel" ] || [ ! -s "$initrd" ]; then echo ""; return; fi
    : > "$log"
    start=$(date +%s.%N)
    timeout 120 qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot -net none \
        -kernel "$kernel" -initrd "$initrd" -append "console=ttyS0 quiet" > "$log" 2>&1 < /dev/null &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if grep -q BOOTCHECK-KERNEL-OK "$log"; then
            end=$(date +%s.%N)
            kill "$pid" 2>/dev/null
            wait "$pid" 2>/dev/null
            calc "$end - $start"
            return
        fi
        sleep 0.05
    done
    echo ""
}

# Loop stages from timeline.txt: each stage of the loop starts with the server's first
# OFFER of the looping file (DISCOVER retransmits 1 s apart belong to the same stage;
# stages are >= 2 s apart). With the verdict time and N of `loop FILE >= N`, prints
# "periods period lag": the verdict in loop periods after the stage that began the
# counted loop (N-1 stages before the deciding one), the mean period of those stages,
# and the lag of the verdict behind the deciding hand-out (so periods = N-1 + lag/P:
# 2 when the run stops at the third identical hand-out); nothing with too few stages.
loop_measure () {
    awk -v file="$2" -v verdict="$3" -v count="$4" '
        $2 == "server" && /dhcp decision DISCOVER/ && index($0, "-> OFFER file=" file " ") {
            if (n == 0 || $1 - last > 2.0) stage[n++] = $1
            last = $1
        }
        END {
            j = -1
            for (i = 0; i < n; i++) if (stage[i] <= verdict + 0.001) j = i
            if (j < 1 || j - (count - 1) < 0) exit
            period = (stage[j] - stage[j - (count - 1)]) / (count - 1)
            printf "%.3f %.3f %.3f\n", (verdict - stage[j - (count - 1)]) / period, period, verdict - stage[j]
        }
    ' "$1"
}

if [ $# -eq 0 ]; then
    for d in "$src"/scenarios/*/; do
        d=${d%/}
        set -- "$@" "${d##*/}"
    done
fi

peer=$(kernel_peer)
printf '# bench-scenarios: bootcheck %s, %s CPUs, load %s\n' "$bootcheck" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$peer" ] && printf '# peer: payload kernel by itself (qemu -kernel, TCG) boots to its marker in %.2f s\n' "$peer"
printf '%-36s %-6s %7s %8s %8s %7s  %s\n' scenario result wall verdict figure ratio "what the figure is"

n=0; over=0
for s in "$@"; do
    dir=$src/scenarios/$s
    [ -f "$dir/expect" ] || continue
    art=$work/$s
    start=$(date +%s.%N)
    "$bootcheck" --artifacts "$art" "$dir" > "$work/$s.tap" 2>&1
    rc=$?
    end=$(date +%s.%N)
    wall=$(calc "$end - $start")
    case $rc in 0) result=pass ;; 1) result=FAIL ;; 77) result=skip ;; *) result="err$rc" ;; esac
    [ $rc -eq 99 ] && grep -q "cannot run\|not root\|no /dev/net/tun" "$work/$s.tap" && { cat "$work/$s.tap"; exit 77; }

    verdict=""
    if [ -f "$art/timing.ini" ]; then
        verdict=$(awk -F= '/^vm-start-us=/ { v = $2 } /^verdict-us=/ { d = $2 } END { if (v > 0 && d > 0) printf "%.3f", (d - v) / 1e6 }' "$art/timing.ini")
    fi
    read -r kind fig label <<< "$(figure_of "$s")"
    ratio="-"; figure="-"
    if [ "$result" = pass ] && [ -n "$verdict" ]; then
        case $kind in
            boot)
                figure=$fig
                ratio=$(calc "$verdict / $fig") ;;
            kernel)
                if [ -n "$peer" ]; then
                    figure=$(calc "$fig + $peer")
                    ratio=$(calc "$verdict / $figure")
                fi ;;
            loop)
                read -r loopfile count <<< "$(awk '/^loop / { print $2, $4; exit }' "$dir/expect")"
                read -r periods period lag <<< "$(loop_measure "$art/timeline.txt" "$loopfile" "$verdict" "$count")"
                if [ -n "${period:-}" ]; then
                    label=$(printf 'loop: verdict %.2f periods after the loop began (period %.2f s, %.2f s after the deciding hand-out); target <= 2' "$periods" "$period" "$lag")
                    figure=$(printf '%.2fP' "$periods")
                    ratio=$(calc "$periods / 2")
                fi ;;
        esac
    fi
    if [ "$ratio" != "-" ]; then
        n=$((n + 1))
        limit=1.3
        # a loop verdict may lag the deciding hand-out by 5% of a period (event latency)
        [ "$kind" = loop ] && limit=1.025
        if awk "BEGIN { exit !($ratio > $limit) }"; then over=$((over + 1)); fi
        ratio=$(printf '%.2f' "$ratio")
        case $figure in *P) ;; *) figure=$(printf '%.2f' "$figure") ;; esac
    fi
    printf '%-36s %-6s %7.2f %8s %8s %7s  %s\n' "$s" "$result" "$wall" "${verdict:--}" "$figure" "$ratio" "$label"
done
printf '# %d scenarios timed, %d over target (ratio > 1.3; loops: > 2.05 periods)\n' "$n" "$over"
exit 0
