# Shared by t/server/*.sh and t/bench/bench-dhcp*.sh: two private network namespaces
# joined by a veth pair, server side 192.168.42.1/24, client side without an IPv4
# address (as a booting firmware). Every packet stays inside them. Source, then call
# bc_netns_setup; cleanup runs on EXIT (trap), also on failure.
#   $BC_NS_SRV $BC_NS_CLI   namespace names     $BC_IF_SRV $BC_IF_CLI   veth ends

bc_skip() { echo "1..0 # SKIP $*"; exit 77; }

bc_require_root() {
  [ "$(id -u)" = 0 ] || bc_skip "needs root to create network namespaces (ip netns)"
  command -v ip >/dev/null || bc_skip "iproute2 (ip) not installed"
  command -v python3 >/dev/null || bc_skip "python3 not installed"
}

BC_PIDS=()
bc_cleanup() {
  local p
  for p in "${BC_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${BC_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  [ -n "${BC_NS_SRV:-}" ] && ip netns del "$BC_NS_SRV" 2>/dev/null
  [ -n "${BC_NS_CLI:-}" ] && ip netns del "$BC_NS_CLI" 2>/dev/null
  [ -n "${BC_TMP:-}" ] && rm -rf "$BC_TMP"
  return 0
}

bc_netns_setup() {
  local tag="bc$$$(printf %04x $RANDOM)"
  BC_NS_SRV="${tag}s" BC_NS_CLI="${tag}c"
  BC_IF_SRV="v${tag}s" BC_IF_CLI="v${tag}c"
  BC_IF_SRV=${BC_IF_SRV:0:15} BC_IF_CLI=${BC_IF_CLI:0:15}
  BC_TMP=$(mktemp -d /tmp/bootcheck-srv.XXXXXX)
  trap bc_cleanup EXIT
  trap 'exit 130' INT TERM
  ip netns add "$BC_NS_SRV"
  ip netns add "$BC_NS_CLI"
  local ns
  for ns in "$BC_NS_SRV" "$BC_NS_CLI"; do
    # Before the veth exists, so that it inherits "no DAD": its link-local address is
    # usable at once instead of ~1 s later.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ip -n "$ns" link set lo up
  done
  ip link add "$BC_IF_SRV" netns "$BC_NS_SRV" type veth peer name "$BC_IF_CLI" netns "$BC_NS_CLI"
  ip -n "$BC_NS_SRV" addr add 192.168.42.1/24 dev "$BC_IF_SRV"
  ip -n "$BC_NS_SRV" link set "$BC_IF_SRV" up
  ip -n "$BC_NS_CLI" link set "$BC_IF_CLI" up
  # Both ends get an IPv6 link-local address once up (no DAD: it is usable at once).
  local i
  for i in $(seq 50); do
    ip -n "$BC_NS_SRV" -6 addr show dev "$BC_IF_SRV" scope link | grep inet6 | grep -vq tentative &&
      ip -n "$BC_NS_CLI" -6 addr show dev "$BC_IF_CLI" scope link | grep inet6 | grep -vq tentative &&
      break
    sleep 0.1
  done
}

# bc_srv CMD…: run in the server namespace;  bc_cli CMD…: in the client namespace
bc_srv() { ip netns exec "$BC_NS_SRV" "$@"; }
bc_cli() { ip netns exec "$BC_NS_CLI" "$@"; }
# bc_srv_bg OUTFILE CMD…: start CMD in the server namespace in the background; its pid
# (ip netns exec execs CMD, so it is CMD's) goes to $BC_LAST_PID and the cleanup list.
bc_srv_bg() {
  local out=$1
  shift
  ip netns exec "$BC_NS_SRV" "$@" >"$out" 2>&1 &
  BC_LAST_PID=$!
  BC_PIDS+=("$BC_LAST_PID")
}
# bc_stop PID: SIGTERM and wait; the exit status goes to $BC_RC (not a $(…) subshell:
# only this shell can wait for its children).
bc_stop() {
  kill -TERM "$1" 2>/dev/null
  BC_RC=0
  wait "$1" || BC_RC=$?
}
