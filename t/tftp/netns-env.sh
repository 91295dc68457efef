# Sourced by the TFTP/HTTP integration tests and the benchmark: two private network
# namespaces joined by a veth pair (server 192.168.42.1, client 192.168.42.2), names
# unique per run, everything torn down on exit. TAP helpers. Needs root and `ip`.
# shellcheck shell=bash

tap_n=0
tap_failed=0
ok () { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok () { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $*"; }
check () { # check "description" command...
  local d=$1; shift
  if "$@"; then ok "$d"; else not_ok "$d"; fi
}
diag () { echo "# $*"; }
skip_all () { echo "1..0 # SKIP $*"; exit 77; }

require_host () {
  [ "$(id -u)" = 0 ] || skip_all "needs root for ip netns (run as root)"
  command -v ip >/dev/null || skip_all "iproute2 (ip) not installed"
  for t in "$@"; do
    command -v "$t" >/dev/null || skip_all "$t not installed"
  done
}

SRV_IP=192.168.42.1
CLI_IP=192.168.42.2
run_id="$$$RANDOM"
NS_S="bcd-s-$run_id"
NS_C="bcd-c-$run_id"
VETH_S="bds$run_id"
VETH_C="bdc$run_id"
VETH_S=${VETH_S:0:15}
VETH_C=${VETH_C:0:15}
WORK=""
SERVE_PID=""
bg_pids=()

netns_cleanup () {
  local p
  [ -n "${SERVE_PID:-}" ] && kill "$SERVE_PID" 2>/dev/null
  for p in "${bg_pids[@]}"; do
    kill "$p" 2>/dev/null
  done
  for p in "${bg_pids[@]}"; do
    wait "$p" 2>/dev/null
  done
  # Anything else still running inside our namespaces (peers we started).
  for ns in "$NS_S" "$NS_C"; do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  [ -n "$WORK" ] && rm -rf "$WORK"
}

netns_setup () {
  trap netns_cleanup EXIT
  trap 'exit 1' INT TERM
  WORK=$(mktemp -d /tmp/bc-tftp-XXXXXX)
  ip netns add "$NS_S" && ip netns add "$NS_C" || skip_all "cannot create network namespaces"
  ip link add "$VETH_S" type veth peer name "$VETH_C"
  ip link set "$VETH_S" netns "$NS_S"
  ip link set "$VETH_C" netns "$NS_C"
  ip -n "$NS_S" addr add "$SRV_IP/24" dev "$VETH_S"
  ip -n "$NS_C" addr add "$CLI_IP/24" dev "$VETH_C"
  for ns in "$NS_S" "$NS_C"; do ip -n "$ns" link set lo up; done
  ip -n "$NS_S" link set "$VETH_S" up
  ip -n "$NS_C" link set "$VETH_C" up
  # Wait for the link (veth carrier) before the first packet.
  for _ in $(seq 50); do
    if ip -n "$NS_S" link show dev "$VETH_S" | grep -q LOWER_UP &&
      ip -n "$NS_C" link show dev "$VETH_C" | grep -q LOWER_UP; then
      return 0
    fi
    sleep 0.1
  done
  echo "Bail out! veth link did not come up"
  exit 1
}

in_s () { ip netns exec "$NS_S" "$@"; }
in_c () { ip netns exec "$NS_C" "$@"; }

# Random loss on both ends: DATA lost on the way out, ACKs lost on the way back.
# netem where the kernel has it (tc qdisc … netem loss N%); this machine's kernel is
# built without sch_netem, so otherwise nftables drops N% of packets at random
# (numgen random) as they arrive in each namespace (the input hook: a drop on the
# output hook would fail the sender's send() with EPERM, which real loss never does).
loss_on () { # loss_on PERCENT (an integer)
  local pct=$1
  if ip netns exec "$NS_S" tc qdisc replace dev "$VETH_S" root netem loss "$pct%" 2>/dev/null; then
    ip netns exec "$NS_C" tc qdisc replace dev "$VETH_C" root netem loss "$pct%"
    loss_kind="netem loss $pct%"
    return 0
  fi
  local ns
  for ns in "$NS_S" "$NS_C"; do
    ip netns exec "$ns" nft -f - <<NFT || return 1
table inet bcloss {
  chain in {
    type filter hook input priority 0; policy accept;
    numgen random mod 100 < $pct drop
  }
}
NFT
  done
  loss_kind="nftables numgen random drop $pct%"
}
loss_off () {
  ip netns exec "$NS_S" tc qdisc del dev "$VETH_S" root 2>/dev/null
  ip netns exec "$NS_C" tc qdisc del dev "$VETH_C" root 2>/dev/null
  ip netns exec "$NS_S" nft delete table inet bcloss 2>/dev/null
  ip netns exec "$NS_C" nft delete table inet bcloss 2>/dev/null
  true
}

# start_serve_roots SERVE_ROOTS_BINARY ROOT [ADDRESS]: runs it in the server namespace on 69/80.
# An optional third argument binds to that address only.
start_serve_roots () {
  local bin=$1 root=$2 addr=()
  [ -n "${3:-}" ] && addr=(--address "$3")
  rm -f "$WORK/ready"
  in_s "$bin" --tftp-root "$root" --http-root "$root" --tftp-port 69 --http-port 80 "${addr[@]}" \
    --events "$WORK/events.jsonl" --ready "$WORK/ready" 2>"$WORK/serve-roots.err" &
  bg_pids+=($!)
  for _ in $(seq 100); do
    if [ -s "$WORK/ready" ]; then
      SERVE_PID=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' "$WORK/ready")
      return 0
    fi
    sleep 0.05
  done
  echo "Bail out! serve-roots did not start: $(cat "$WORK/serve-roots.err")"
  exit 1
}

sha () { sha256sum "$1" | cut -d' ' -f1; }
same_file () { [ -f "$2" ] && [ "$(sha "$1")" = "$(sha "$2")" ]; }

# A served tree: files of several sizes, a symlink inside, escapes, a FIFO.
make_root () {
  local root=$1
  mkdir -p "$root/boot" "$WORK/outside"
  head -c 1048576 /dev/urandom >"$root/boot/1m.bin"
  head -c 262144 /dev/urandom >"$root/boot/256k.bin"
  head -c 1432 /dev/urandom >"$root/boot/exact-block.bin"
  : >"$root/empty"
  printf '#!ipxe\necho BOOTCHECK\n' >"$root/boot.ipxe"
  echo SECRET >"$WORK/outside/secret"
  ln -s boot/1m.bin "$root/inside-link"
  ln -s ../outside/secret "$root/escape-rel"
  ln -s "$WORK/outside/secret" "$root/escape-abs"
  ln -s "$WORK/outside" "$root/boot/dir-escape"
  mkfifo "$root/fifo"
}
