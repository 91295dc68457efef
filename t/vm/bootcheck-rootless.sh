#!/usr/bin/env bash
# bootcheck as a plain user with a subordinate uid/gid range (what Fedora gives every
# user): the run must pass inside a user namespace, and its artifacts belong to the
# user. Run as root, the test plays the plain user 'nobody' and gives it a range in a
# private mount namespace (bind-mounted /etc/subuid and /etc/subgid, seen by the
# setuid newuidmap; the host's files are untouched). Run as a plain user, it uses the
# user's own range.
# Usage: bootcheck-rootless.sh BOOTCHECK SCENARIO_DIR ARTIFACTS_DIR
set -uo pipefail
bootcheck=$(realpath "$1") scenario=$(realpath "$2") artifacts=$(realpath -m "$3")
fail() { echo "FAIL: $*"; exit 1; }
command -v newuidmap >/dev/null || { echo "SKIP: newuidmap not found: install uidmap (Debian) or shadow-utils (Fedora)"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: setpriv not found (util-linux)"; exit 77; }
rm -rf "$artifacts"
mkdir -p "$artifacts"
if [ "$(id -u)" = 0 ]; then
  user=nobody uid=$(id -u nobody) gid=$(id -g nobody)
  home=$artifacts/home
  mkdir -p "$home"
  chown -R "$uid:$gid" "$artifacts"
  printf '%s:200000:65536\n' "$user" >"$artifacts/subuid"
  cp "$artifacts/subuid" "$artifacts/subgid"
  srcroot=$(realpath "$(dirname "$0")/../..")
  # The tree may sit below a folder the plain user cannot enter (a CI clone in a
  # mktemp -d folder is 0700 root). In the test's private mount namespace, each such
  # folder is covered by a tmpfs that holds only the needed children, bind-mounted from
  # the original: the same absolute paths, the host untouched.
  out=$(unshare --mount --propagation private bash -c '
    set -u
    mount --bind "$1/subuid" /etc/subuid && mount --bind "$1/subgid" /etc/subgid || exit 99
    covered=()
    can_enter() { setpriv --reuid="$2" --regid="$3" --clear-groups test -x "$1"; }
    expose() {
      local dir=/ child orig n idx parts
      IFS=/ read -ra parts <<<"${1#/}"
      for child in "${parts[@]}"; do
        idx=-1
        for n in "${!covered[@]}"; do [ "${covered[$n]}" = "$dir" ] && idx=$n; done
        if [ "$idx" = -1 ] && ! can_enter "$dir" "$uid" "$gid"; then
          idx=${#covered[@]}
          mkdir -p "/run/bootcheck-rootless-orig-$idx" &&
            mount --bind "$dir" "/run/bootcheck-rootless-orig-$idx" &&
            mount -t tmpfs -o mode=0755 rootless-cover "$dir" || exit 99
          covered+=("$dir")
        fi
        if [ "$idx" != -1 ] && [ ! -e "$dir/$child" ]; then
          orig=/run/bootcheck-rootless-orig-$idx
          if [ -d "$orig/$child" ]; then mkdir "$dir/$child"; else touch "$dir/$child"; fi
          mount --bind "$orig/$child" "$dir/$child" || exit 99
        fi
        dir=${dir%/}/$child
      done
    }
    uid=$2 gid=$3
    for p in "$(dirname "$4")" "$5" "$1" "$6" ${BOOTCHECK_BOOTSERV:+"$(dirname "$BOOTCHECK_BOOTSERV")"}; do
      expose "$p"
    done
    cd "$1/home"
    exec setpriv --reuid="$2" --regid="$3" --clear-groups \
      env HOME="$1/home" BOOTCHECK_CACHE_DIR="$1/home/cache" "$4" --artifacts "$1/run" "$5"
  ' rootless "$artifacts" "$uid" "$gid" "$bootcheck" "$scenario" "$srcroot" 2>&1)
  code=$?
else
  uid=$(id -u)
  out=$("$bootcheck" --artifacts "$artifacts/run" "$scenario" 2>&1)
  code=$?
fi
printf '%s\n' "$out"
[ "$code" = 77 ] && { echo "SKIP: bootcheck says the host lacks something (above)"; exit 77; }
[ "$code" = 0 ] || fail "bootcheck exited $code as a plain user"
grep -q '^ok .* - verdict pass' <<<"$out" || fail "no passing verdict"
[ "$(stat -c %u "$artifacts/run/bootcheck.tap")" = "$uid" ] || fail "artifacts are not owned by uid $uid"
[ "$(stat -c %u "$artifacts/run/capture.pcap")" = "$uid" ] || fail "capture.pcap is not owned by uid $uid"
echo "PASS: rootless run as uid $uid"
