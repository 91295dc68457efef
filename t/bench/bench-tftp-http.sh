#!/usr/bin/env bash
# Benchmark of bootserv's TFTP and HTTP servers (serve-roots) against tftpd-hpa,
# dnsmasq, atftpd and nginx, all measured in the same run, inside two private
# network namespaces joined by a veth pair. Prints MiB/s, requests/s and ratios.
# Usage: bench-tftp-http.sh SERVE-ROOTS PEERS-DIR
#   PEERS-DIR: where atftpd is unpacked (apt-get download atftpd && dpkg -x) when it
#   is not installed (it conflicts with tftpd-hpa as a package).
# Env: BENCH_REPEAT (default 5): each figure is the median of that many runs.
set -u
serve_roots=${1:?usage: $0 SERVE-ROOTS PEERS-DIR}
peers_dir=${2:?usage: $0 SERVE-ROOTS PEERS-DIR}
REPEAT=${BENCH_REPEAT:-5}
. "$(dirname "$0")/../tftp/netns-env.sh"
require_host curl atftp in.tftpd dnsmasq nginx wrk
netns_setup
chmod 755 "$WORK" # tftpd-hpa and nginx workers drop privileges
ROOT=$WORK/root
mkdir -p "$ROOT"
head -c 1048576 /dev/urandom >"$ROOT/1m.bin"
head -c 67108864 /dev/urandom >"$ROOT/64m.bin"
printf '#!ipxe\necho BOOTCHECK\nchain http://192.168.42.1/next.ipxe\n' >"$ROOT/boot.ipxe"
chmod -R a+rX "$ROOT"
O=$WORK/out
mkdir -p "$O"

# atftpd
ATFTPD=$(command -v atftpd || true)
if [ -z "$ATFTPD" ]; then
  ATFTPD=$peers_dir/atftpd/usr/sbin/atftpd
  if [ ! -x "$ATFTPD" ]; then
    mkdir -p "$peers_dir"
    (cd "$peers_dir" && apt-get download atftpd >/dev/null 2>&1 && dpkg -x atftpd_*.deb atftpd) ||
      skip_all "atftpd not available (apt-get download atftpd failed)"
  fi
fi

# Servers: ours on 192.168.42.1 port 69 and 80; tftpd-hpa on 1069, atftpd on 3069,
# nginx on 8080; dnsmasq has no TFTP port option, so it gets 192.168.42.3:69.
DNSMASQ_IP=192.168.42.3
ip -n "$NS_S" addr add "$DNSMASQ_IP/24" dev "$VETH_S"
start_serve_roots "$serve_roots" "$ROOT" "$SRV_IP"
in_s in.tftpd --foreground --listen --address "$SRV_IP:1069" --user nobody --secure "$ROOT" &
bg_pids+=($!)
in_s dnsmasq --keep-in-foreground --port=0 --enable-tftp --tftp-root="$ROOT" \
  --listen-address="$DNSMASQ_IP" --bind-interfaces --user=root \
  --pid-file="$WORK/dnsmasq.pid" --log-facility=/dev/null &
bg_pids+=($!)
in_s "$ATFTPD" --daemon --no-fork --port 3069 --bind-address "$SRV_IP" --user root.root \
  --logfile /dev/null --maxthread 100 "$ROOT" &
bg_pids+=($!)
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server {
    listen $SRV_IP:8080;
    root $ROOT;
  }
}
NGINX
in_s nginx -c "$WORK/nginx.conf" -g 'daemon off;' &
bg_pids+=($!)
sleep 1

median () { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mibps () { awk -v b="$1" -v t="$2" 'BEGIN {printf "%.1f", (t > 0) ? b / 1048576 / t : 0}'; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
bad=0
verify () { # verify FILE OUT LABEL
  if ! same_file "$1" "$2"; then
    diag "CORRUPT or failed: $3"
    bad=$((bad + 1))
  fi
}

# curl_tftp HOST PORT FILE BLKSIZE: median seconds over REPEAT runs.
curl_tftp () {
  local host=$1 port=$2 file=$3 blk=$4 i t
  for i in $(seq "$REPEAT"); do
    rm -f "$O/x"
    t=$(in_c curl -s --tftp-blksize "$blk" -o "$O/x" -w '%{time_total}' "tftp://$host:$port/$file")
    verify "$ROOT/$file" "$O/x" "tftp://$host:$port/$file blksize $blk"
    echo "$t"
  done | median
}
# atftp_win HOST PORT FILE WINDOW: median seconds (atftp client, blksize 1468).
atftp_win () {
  local host=$1 port=$2 file=$3 win=$4 i s e
  for i in $(seq "$REPEAT"); do
    rm -f "$O/x"
    s=$(date +%s%N)
    in_c atftp --option "blksize 1468" --option "windowsize $win" -g -r "$file" -l "$O/x" \
      "$host" "$port" >/dev/null 2>&1
    e=$(date +%s%N)
    verify "$ROOT/$file" "$O/x" "atftp $host:$port/$file windowsize $win"
    awk -v s="$s" -v e="$e" 'BEGIN {printf "%.6f\n", (e - s) / 1e9}'
  done | median
}
# concurrent8 HOST PORT: wall seconds for 8 simultaneous 1 MiB fetches (median).
concurrent8 () {
  local host=$1 port=$2 i k s e pids
  for i in $(seq "$REPEAT"); do
    pids=()
    s=$(date +%s%N)
    for k in $(seq 8); do
      in_c curl -s --tftp-blksize 1468 -o "$O/c$k" "tftp://$host:$port/1m.bin" &
      pids+=($!)
    done
    wait "${pids[@]}"
    e=$(date +%s%N)
    for k in $(seq 8); do verify "$ROOT/1m.bin" "$O/c$k" "8 concurrent $host:$port #$k"; done
    awk -v s="$s" -v e="$e" 'BEGIN {printf "%.6f\n", (e - s) / 1e9}'
  done | median
}
curl_http () { # curl_http URL FILE
  local i t
  for i in $(seq "$REPEAT"); do
    rm -f "$O/x"
    t=$(in_c curl -s -o "$O/x" -w '%{time_total}' "$1")
    verify "$ROOT/$2" "$O/x" "$1"
    echo "$t"
  done | median
}
wrk_rps () { # wrk_rps URL: requests/s, 8 keep-alive connections, 2 threads, 5 s
  in_c wrk -t2 -c8 -d5s "$1" 2>/dev/null | awk '/Requests\/sec/ {print $2}'
}

declare -A T
servers=("bootserv:$SRV_IP:69" "tftpd-hpa:$SRV_IP:1069" "dnsmasq:$DNSMASQ_IP:69" "atftpd:$SRV_IP:3069")
echo "# TFTP, curl client, blksize 1468, no windowsize; median of $REPEAT"
for s in "${servers[@]}"; do
  IFS=: read -r name host port <<<"$s"
  T[$name.1m]=$(curl_tftp "$host" "$port" 1m.bin 1468)
  T[$name.64m]=$(curl_tftp "$host" "$port" 64m.bin 1468)
  T[$name.c8]=$(concurrent8 "$host" "$port")
  printf '# %-10s 1 MiB %6.1f MiB/s   64 MiB %6.1f MiB/s   8x1 MiB concurrent %6.1f MiB/s\n' "$name" \
    "$(mibps 1048576 "${T[$name.1m]}")" "$(mibps 67108864 "${T[$name.64m]}")" \
    "$(mibps 8388608 "${T[$name.c8]}")"
done
echo "# TFTP, atftp client, blksize 1468, windowsize 16, 64 MiB"
T[bootserv.w16]=$(atftp_win "$SRV_IP" 69 64m.bin 16)
T[atftpd.w16]=$(atftp_win "$SRV_IP" 3069 64m.bin 16)
printf '# %-10s %6.1f MiB/s\n' bootserv "$(mibps 67108864 "${T[bootserv.w16]}")" atftpd \
  "$(mibps 67108864 "${T[atftpd.w16]}")"

echo "# HTTP, curl, 64 MiB; wrk -t2 -c8 -d5s on a small file (keep-alive)"
T[bootserv.h64]=$(curl_http "http://$SRV_IP/64m.bin" 64m.bin)
T[nginx.h64]=$(curl_http "http://$SRV_IP:8080/64m.bin" 64m.bin)
R_ours=$(wrk_rps "http://$SRV_IP/boot.ipxe")
R_nginx=$(wrk_rps "http://$SRV_IP:8080/boot.ipxe")
printf '# %-10s 64 MiB in %.0f ms (%.1f MiB/s), small file %s req/s\n' \
  bootserv "$(awk -v t="${T[bootserv.h64]}" 'BEGIN {print t * 1000}')" \
  "$(mibps 67108864 "${T[bootserv.h64]}")" "${R_ours:-0}" \
  nginx "$(awk -v t="${T[nginx.h64]}" 'BEGIN {print t * 1000}')" \
  "$(mibps 67108864 "${T[nginx.h64]}")" "${R_nginx:-0}"

# Ratios: bootserv's throughput / the peer's (time-based: peer time / our time).
r () { ratio "$2" "$1"; }
rl () { printf '%-58s %s\n' "$1" "$2"; }
echo "# Ratios (bootserv / peer; target in brackets)"
rl "tftp 64 MiB vs tftpd-hpa, equal blksize [>= 1.00]" "$(r "${T[bootserv.64m]}" "${T[tftpd-hpa.64m]}")"
rl "tftp 64 MiB vs dnsmasq" "$(r "${T[bootserv.64m]}" "${T[dnsmasq.64m]}")"
rl "tftp 64 MiB vs atftpd" "$(r "${T[bootserv.64m]}" "${T[atftpd.64m]}")"
rl "tftp 1 MiB vs tftpd-hpa" "$(r "${T[bootserv.1m]}" "${T[tftpd-hpa.1m]}")"
rl "tftp 8x1 MiB concurrent vs tftpd-hpa" "$(r "${T[bootserv.c8]}" "${T[tftpd-hpa.c8]}")"
rl "tftp 8x1 MiB concurrent vs dnsmasq" "$(r "${T[bootserv.c8]}" "${T[dnsmasq.c8]}")"
rl "tftp 8x1 MiB concurrent vs atftpd" "$(r "${T[bootserv.c8]}" "${T[atftpd.c8]}")"
rl "tftp windowsize 16 vs atftpd [>= 1.00]" "$(r "${T[bootserv.w16]}" "${T[atftpd.w16]}")"
rl "http 64 MiB vs nginx [>= 0.80]" "$(r "${T[bootserv.h64]}" "${T[nginx.h64]}")"
rl "http small-file req/s vs nginx [>= 0.50]" "$(ratio "${R_ours:-0}" "${R_nginx:-0}")"

if [ "$bad" != 0 ]; then
  echo "bench: $bad transfers failed or were corrupt" >&2
  exit 1
fi
