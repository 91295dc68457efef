#!/bin/sh
# images/build-payload builds a bootable payload: a non-empty kernel copy, and a gzip'd
# newc cpio whose /init is executable, prints the marker to ttyS0 and powers off, next
# to a statically linked busybox. (Booting it is the vm test vm-final-kernel.)
# Exit 77 when this host cannot provide a kernel or busybox (the script's warning says
# which).
set -eu
script=${1:?usage: test-build-payload.sh BUILD-PAYLOAD}
out=$(mktemp -d "${TMPDIR:-/tmp}/test-build-payload.XXXXXX")
trap 'rm -rf "$out"' EXIT

"$script" "$out" 2> "$out/warnings"
if [ ! -s "$out/payload-vmlinuz" ] || [ ! -s "$out/payload-initrd.gz" ]; then
    # Empty outputs are build-payload's way of saying "not on this host".
    cat "$out/warnings" >&2
    [ -e "$out/payload-vmlinuz" ] && [ -e "$out/payload-initrd.gz" ] || { echo "outputs missing" >&2; exit 1; }
    exit 77
fi

fail () { echo "FAIL: $*" >&2; exit 1; }
gzip -t "$out/payload-initrd.gz" || fail "initrd is not gzip"
mkdir "$out/root"
( cd "$out/root" && gzip -dc "$out/payload-initrd.gz" | cpio --quiet -id ) || fail "initrd is not a cpio archive"
[ -x "$out/root/init" ] || fail "no executable /init"
[ -x "$out/root/bin/busybox" ] || fail "no /bin/busybox"
head -n 1 "$out/root/init" | grep -qx '#!/bin/busybox sh' || fail "/init does not run busybox sh"
grep -q 'BOOTCHECK-KERNEL-OK' "$out/root/init" || fail "/init prints no marker"
grep -q '/dev/ttyS0' "$out/root/init" || fail "/init does not write to ttyS0"
grep -q 'poweroff -f' "$out/root/init" || fail "/init does not power off"
if ldd "$out/root/bin/busybox" >/dev/null 2>&1; then fail "busybox is dynamically linked"; fi
# The kernel is an x86 bzImage: "HdrS" at offset 0x202 (Linux boot protocol).
[ "$(dd if="$out/payload-vmlinuz" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] || fail "kernel is not a bzImage"
echo "ok: $(wc -c < "$out/payload-vmlinuz") byte kernel, $(wc -c < "$out/payload-initrd.gz") byte initramfs"
