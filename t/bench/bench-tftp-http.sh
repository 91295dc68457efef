#!/usr/bin/env bash
# Benchmark of bootserv's TFTP and HTTP servers (serve-roots) against tftpd-hpa,
# dnsmasq, atftpd and nginx, all measured in the same run, inside two private
# network namespaces joined by a veth pair. Prints MiB/s, requests/s and ratios.
# Usage: bench-tftp-http.sh SERVE-ROOTS PEERS-DIR
#   PEERS-DIR: where atftpd is unpacked (apt-get download atftpd && dpkg -x) when it
#   is not installed (it conflicts with tftpd-hpa as a package).
# Env: BENCH_REPEAT (default 5): each figure is the best of that many interleaved rounds.
set -u
serve_roots=${1:?usage: $0 SERVE-ROOTS PEERS-DIR}
peers_dir=${2:?usage: $0 SERVE-ROOTS PEERS-DIR}
REPEAT=${BENCH_REPEAT:-5}
. "$(dirname "$0")/../tftp/netns-env.sh"
require_host curl atftp in.tftpd dnsmasq nginx wrk taskset
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
TFTPD_PID=$!
in_s dnsmasq --keep-in-foreground --port=0 --enable-tftp --tftp-root="$ROOT" \
  --listen-address="$DNSMASQ_IP" --bind-interfaces --user=root \
  --pid-file="$WORK/dnsmasq.pid" --log-facility=/dev/null &
bg_pids+=($!)
DNSMASQ_PID=$!
in_s "$ATFTPD" --daemon --no-fork --port 3069 --bind-address "$SRV_IP" --user root.root \
  --logfile /dev/null --maxthread 100 "$ROOT" &
bg_pids+=($!)
ATFTPD_PID=$!
cat >"$WORK/nginx.conf" <<NGINX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log $WORK/nginx-access.log;
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

mibps () { awk -v b="$1" -v t="$2" 'BEGIN {printf "%.1f", (t > 0) ? b / 1048576 / t : 0}'; }
ratio () { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0) ? a / b : 0}'; }
bad=0
verify () { # verify FILE OUT LABEL
  if ! same_file "$1" "$2"; then
    diag "CORRUPT or failed: $3"
    bad=$((bad + 1))
  fi
}
now_ns () { date +%s%N; }
secs () { awk -v s="$1" -v e="$2" 'BEGIN {printf "%.6f\n", (e - s) / 1e9}'; }

# One run each; every figure is the best of REPEAT rounds, and the rounds interleave
# the servers, so that load from elsewhere on the machine hits all of them alike.
curl_tftp () { # HOST PORT FILE BLKSIZE [CPU] -> seconds (curl pinned to CPU if given)
  local t pin=()
  [ -n "${5:-}" ] && pin=(taskset -c "$5")
  rm -f "$O/x"
  t=$(in_c "${pin[@]}" curl -s --tftp-blksize "$4" -o "$O/x" -w '%{time_total}' "tftp://$1:$2/$3")
  verify "$ROOT/$3" "$O/x" "tftp://$1:$2/$3 blksize $4"
  echo "$t"
}
atftp_win () { # HOST PORT FILE WINDOW -> seconds (atftp client, blksize 1468)
  local s e
  rm -f "$O/x"
  s=$(now_ns)
  in_c atftp --option "blksize 1468" --option "windowsize $4" -g -r "$3" -l "$O/x" "$1" "$2" \
    >/dev/null 2>&1
  e=$(now_ns)
  verify "$ROOT/$3" "$O/x" "atftp $1:$2/$3 windowsize $4"
  secs "$s" "$e"
}
concurrent8 () { # HOST PORT -> wall seconds for 8 simultaneous 1 MiB fetches
  local k s e pids=()
  s=$(now_ns)
  for k in $(seq 8); do
    in_c curl -s --tftp-blksize 1468 -o "$O/c$k" "tftp://$1:$2/1m.bin" &
    pids+=($!)
  done
  wait "${pids[@]}"
  e=$(now_ns)
  for k in $(seq 8); do verify "$ROOT/1m.bin" "$O/c$k" "8 concurrent $1:$2 #$k"; done
  secs "$s" "$e"
}
curl_http () { # URL FILE -> seconds
  local t
  rm -f "$O/x"
  t=$(in_c curl -s -o "$O/x" -w '%{time_total}' "$1")
  verify "$ROOT/$2" "$O/x" "$1"
  echo "$t"
}
wrk_rps () { # URL -> requests/s: 8 keep-alive connections, 2 threads, 3 s
  in_c wrk -t2 -c8 -d3s "$1" 2>/dev/null | awk '/Requests\/sec/ {print $2}'
}

declare -A T
keep_min () { # keep_min KEY VALUE
  if [ -z "${T[$1]:-}" ] || awk -v a="$2" -v b="${T[$1]}" 'BEGIN {exit !(a < b)}'; then T[$1]=$2; fi
}
declare -A ALL # KEY -> the values of every round, space-separated
keep_all () { # keep_all KEY VALUE: also the best (keep_min)
  ALL[$1]="${ALL[$1]:-} $2"
  keep_min "$1" "$2"
}
# median_ratio KEY_OURS KEY_PEER: the median over rounds of peer time / our time,
# each round's pair measured back to back.
median_ratio () {
  paste <(tr ' ' '\n' <<<"${ALL[$1]}" | sed '/^$/d') <(tr ' ' '\n' <<<"${ALL[$2]}" | sed '/^$/d') |
    awk '$1 > 0 {print $2 / $1}' | sort -g |
    awk '{v[NR] = $1} END {if (NR == 0) print "0.00"; else if (NR % 2) printf "%.2f", v[(NR + 1) / 2];
      else printf "%.2f", (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
keep_max () {
  if [ -z "${T[$1]:-}" ] || awk -v a="$2" -v b="${T[$1]}" 'BEGIN {exit !(a > b)}'; then T[$1]=$2; fi
}
servers=("bootserv:$SRV_IP:69" "tftpd-hpa:$SRV_IP:1069" "dnsmasq:$DNSMASQ_IP:69" "atftpd:$SRV_IP:3069")
declare -A SPID=([bootserv]=$SERVE_PID [tftpd-hpa]=$TFTPD_PID [dnsmasq]=$DNSMASQ_PID
  [atftpd]=$ATFTPD_PID)
# Lock-step TFTP is one round trip per block, and what a round trip costs depends
# mostly on where the kernel puts server and client: on one CPU a block is a pair of
# context switches, on two it is two cross-CPU wake-ups (about 3.5x slower here, for
# every server alike). Left to the scheduler, a "best of N" measures placement luck
# more than the server; so the 64 MiB fetch is also measured with both pinned, the
# server (all its threads, and the children tftpd-hpa forks) to CPU 0 and curl to
# CPU 0 or to CPU 1.
ncpu=$(nproc)
pin () { # pin NAME CPULIST
  taskset -a -p -c "$2" "${SPID[$1]}" >/dev/null
}
for round in $(seq "$REPEAT"); do
  for s in "${servers[@]}"; do
    IFS=: read -r name host port <<<"$s"
    keep_min "$name.1m" "$(curl_tftp "$host" "$port" 1m.bin 1468)"
    keep_min "$name.64m" "$(curl_tftp "$host" "$port" 64m.bin 1468)"
    keep_min "$name.c8" "$(concurrent8 "$host" "$port")"
    pin "$name" 0
    keep_all "$name.64m.cpu1" "$(curl_tftp "$host" "$port" 64m.bin 1468 0)"
    [ "$ncpu" -ge 2 ] && keep_all "$name.64m.cpu2" "$(curl_tftp "$host" "$port" 64m.bin 1468 1)"
    pin "$name" "0-$((ncpu - 1))"
  done
  keep_min bootserv.w16 "$(atftp_win "$SRV_IP" 69 64m.bin 16)"
  keep_min atftpd.w16 "$(atftp_win "$SRV_IP" 3069 64m.bin 16)"
  keep_min bootserv.h64 "$(curl_http "http://$SRV_IP/64m.bin" 64m.bin)"
  keep_min nginx.h64 "$(curl_http "http://$SRV_IP:8080/64m.bin" 64m.bin)"
  keep_max bootserv.rps "$(wrk_rps "http://$SRV_IP/boot.ipxe")"
  keep_max nginx.rps "$(wrk_rps "http://$SRV_IP:8080/boot.ipxe")"
done

echo "# load average during the run: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "# TFTP, curl client, blksize 1468, no windowsize; best of $REPEAT interleaved rounds"
for s in "${servers[@]}"; do
  IFS=: read -r name host port <<<"$s"
  printf '# %-10s 1 MiB %6.1f MiB/s   64 MiB %6.1f MiB/s   8x1 MiB concurrent %6.1f MiB/s\n' "$name" \
    "$(mibps 1048576 "${T[$name.1m]}")" "$(mibps 67108864 "${T[$name.64m]}")" \
    "$(mibps 8388608 "${T[$name.c8]}")"
done
echo "# TFTP 64 MiB with server and curl pinned (best of $REPEAT): one CPU / two CPUs"
for s in "${servers[@]}"; do
  IFS=: read -r name host port <<<"$s"
  printf '# %-10s one CPU %6.1f MiB/s   two CPUs %6.1f MiB/s\n' "$name" \
    "$(mibps 67108864 "${T[$name.64m.cpu1]}")" "$(mibps 67108864 "${T[$name.64m.cpu2]:-0}")"
done
echo "# TFTP, atftp client, blksize 1468, windowsize 16, 64 MiB"
printf '# %-10s %6.1f MiB/s\n' bootserv "$(mibps 67108864 "${T[bootserv.w16]}")" atftpd \
  "$(mibps 67108864 "${T[atftpd.w16]}")"
echo "# HTTP: curl 64 MiB; wrk -t2 -c8 -d3s small file, keep-alive (both servers log each request)"
printf '# %-10s 64 MiB in %.0f ms (%.1f MiB/s), small file %s req/s\n' \
  bootserv "$(awk -v t="${T[bootserv.h64]}" 'BEGIN {print t * 1000}')" \
  "$(mibps 67108864 "${T[bootserv.h64]}")" "${T[bootserv.rps]:-0}" \
  nginx "$(awk -v t="${T[nginx.h64]}" 'BEGIN {print t * 1000}')" \
  "$(mibps 67108864 "${T[nginx.h64]}")" "${T[nginx.rps]:-0}"

# Ratios: bootserv's throughput / the peer's (from times: peer time / our time).
r () { ratio "$2" "$1"; }
rl () { printf '%-58s %s\n' "$1" "$2"; }
echo "# Ratios (bootserv / peer; target in brackets)"
# Pinned, the round-to-round spread is still wide on two CPUs (here 0.8x-1.4x for
# the same pair), so these two are medians of per-round ratios, not best against best.
rl "tftp 64 MiB vs tftpd-hpa, equal blksize, one CPU [>= 1.00]" \
  "$(median_ratio bootserv.64m.cpu1 tftpd-hpa.64m.cpu1) (median of $REPEAT rounds)"
[ "$ncpu" -ge 2 ] && rl "tftp 64 MiB vs tftpd-hpa, equal blksize, two CPUs [>= 1.00]" \
  "$(median_ratio bootserv.64m.cpu2 tftpd-hpa.64m.cpu2) (median of $REPEAT rounds)"
rl "tftp 64 MiB vs tftpd-hpa, equal blksize, placement left to the kernel" \
  "$(r "${T[bootserv.64m]}" "${T[tftpd-hpa.64m]}")"
rl "tftp 64 MiB vs dnsmasq" "$(r "${T[bootserv.64m]}" "${T[dnsmasq.64m]}")"
rl "tftp 64 MiB vs atftpd" "$(r "${T[bootserv.64m]}" "${T[atftpd.64m]}")"
rl "tftp 1 MiB vs tftpd-hpa" "$(r "${T[bootserv.1m]}" "${T[tftpd-hpa.1m]}")"
rl "tftp 8x1 MiB concurrent vs tftpd-hpa" "$(r "${T[bootserv.c8]}" "${T[tftpd-hpa.c8]}")"
rl "tftp 8x1 MiB concurrent vs dnsmasq" "$(r "${T[bootserv.c8]}" "${T[dnsmasq.c8]}")"
rl "tftp 8x1 MiB concurrent vs atftpd" "$(r "${T[bootserv.c8]}" "${T[atftpd.c8]}")"
rl "tftp windowsize 16 vs atftpd [>= 1.00]" "$(r "${T[bootserv.w16]}" "${T[atftpd.w16]}")"
rl "http 64 MiB vs nginx [>= 0.80]" "$(r "${T[bootserv.h64]}" "${T[nginx.h64]}")"
rl "http small-file req/s vs nginx [>= 0.50]" "$(ratio "${T[bootserv.rps]:-0}" "${T[nginx.rps]:-0}")"

if [ "$bad" != 0 ]; then
  echo "bench: $bad transfers failed or were corrupt" >&2
  exit 1
fi
