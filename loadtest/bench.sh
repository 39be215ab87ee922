#!/usr/bin/env bash
# Side-by-side benchmark: the gateway next to its anchors on this machine, in one run.
#
#   loadtest/bench.sh            (about 8 minutes; loopback only; stops by itself)
#
# Installs wrk and nginx from Debian's packages when missing, builds the production jar, and
# starts on loopback: S3Proxy with a large sparse object (the demo set-up), nginx as a fast origin
# serving the same files as bucket/key, nginx proxy_pass in front of each origin, nginx `return
# 302`, a bare Vert.x 302 server, and the production gateway jar (its own JVM, stream mode).
# Prints one table at the end and writes it to loadtest/target/bench/RESULTS.md.
#
# Env: SIZE_MB (object, 1024), DURATION (s per wrk run, 15), WARMUP (s per path, 20; the JIT
#      needs it: the redirect path triples its rate over its first 30 s), SLOW_SECONDS (30),
#      SLOW_RATE (curl --limit-rate per slow client, 512K), GATEWAY_HEAP (512m), GATEWAY_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SIZE_MB=${SIZE_MB:-1024}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-20}
SLOW_SECONDS=${SLOW_SECONDS:-30}
SLOW_RATE=${SLOW_RATE:-512K}
GATEWAY_HEAP=${GATEWAY_HEAP:-512m}
GATEWAY_OPTS=${GATEWAY_OPTS:-}
OUT=$ROOT/loadtest/target/bench
WORK=$OUT/work
P_ORIGIN=18091 P_PROXY=18092 P_PROXY_S3=18093 P_NGX302=18094 P_BARE=18095 P_GW=18096
pids=()

cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  sleep 0.5
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
die() { echo "bench: $*" >&2; exit 1; }

# --- tools -----------------------------------------------------------------------------------
if ! command -v wrk >/dev/null || { ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; }; then
  echo "installing wrk and nginx from Debian's packages..."
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk nginx-light >/dev/null
  # The package starts a system nginx on :80; this benchmark runs its own.
  $SUDO systemctl stop nginx 2>/dev/null || $SUDO service nginx stop 2>/dev/null || true
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "building the production jar and the test classpath..."
mvn -B -q -pl gateway -DskipTests package
CP="gateway/target/test-classes:gateway/target/classes:$(cat gateway/target/test-classpath.txt)"
JAR=$(ls gateway/target/gateway-*.jar | grep -v original | head -1)
# An nginx left by an interrupted run would hold the ports: stop it before its pid file goes.
[ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
rm -rf "$OUT"; mkdir -p "$WORK"

wait_for() { # url, what
  for _ in $(seq 1 240); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.5; done
  die "$2 did not come up ($1)"
}

# --- S3Proxy with the object (the demo set-up, its own in-process gateway unused) -------------
echo "starting S3Proxy with a ${SIZE_MB} MiB object..."
DEMO_HOME=$WORK/demo DEMO_LARGE_OBJECT_MB=$SIZE_MB GATEWAY_SERVER_PORT=0 \
  timeout 1800 java -Xmx1g -cp "$CP" io.storageconnect.gateway.demo.DemoMain > "$WORK/demo.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 360); do [ -f "$WORK/demo/demo.json" ] && break; sleep 0.5; done
[ -f "$WORK/demo/demo.json" ] || { tail -20 "$WORK/demo.log"; die "the demo set-up did not start"; }
json() { sed -n "s/.*\"$1\" *: *\"\{0,1\}\([^\",]*\)\"\{0,1\}.*/\1/p" "$WORK/demo/demo.json" | head -1; }
TOKEN=$(json token); S3=$(json s3Endpoint); S3_PORT=${S3##*:}
OBJ=/acme-originals/storage-connect/acme/originals/large.bin
[ -f "$WORK/demo/s3$OBJ" ] || die "S3Proxy's store does not keep $OBJ as a plain file"

# --- nginx: fast origin, proxy_pass to each origin, return 302 --------------------------------
cat > "$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  default_type application/octet-stream;
  client_body_temp_path $WORK/ngx-body; proxy_temp_path $WORK/ngx-proxy;
  fastcgi_temp_path $WORK/ngx-fcgi; uwsgi_temp_path $WORK/ngx-uwsgi; scgi_temp_path $WORK/ngx-scgi;
  upstream origin { server 127.0.0.1:$P_ORIGIN; keepalive 64; }
  upstream s3proxy { server 127.0.0.1:$S3_PORT; keepalive 64; }
  # The fast origin: S3Proxy's filesystem store served as bucket/key (query strings and
  # signatures ignored), with ranges and strong ETags.
  server { listen 127.0.0.1:$P_ORIGIN; root $WORK/demo/s3; }
  # nginx proxy_pass, streaming (no temp files), keep-alive upstream: the anchor for the gateway.
  server {
    listen 127.0.0.1:$P_PROXY;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";
                 proxy_max_temp_file_size 0; }
  }
  server {
    listen 127.0.0.1:$P_PROXY_S3;
    location / { proxy_pass http://s3proxy; proxy_http_version 1.1; proxy_set_header Connection "";
                 proxy_set_header Host 127.0.0.1:$S3_PORT; proxy_max_temp_file_size 0; }
  }
  server { listen 127.0.0.1:$P_NGX302; location / { return 302 http://127.0.0.1:1/bucket/key?X-Amz-Signature=0; } }
}
CONF
mkdir -p "$WORK"/ngx-{body,proxy,fcgi,uwsgi,scgi}
"$NGINX" -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" || die "nginx did not start"
wait_for "http://127.0.0.1:$P_ORIGIN$OBJ" "nginx origin"

# --- the bare Vert.x 302 --------------------------------------------------------------------
timeout 1800 java -Xmx256m -cp "$CP" io.storageconnect.gateway.bench.Bare302 $P_BARE > "$WORK/bare302.log" 2>&1 &
pids+=($!)

# --- the gateway (production jar), against one origin at a time -------------------------------
GW_PID=""
start_gateway() { # endpoint
  stop_gateway
  GATEWAY_SERVER_PORT=$P_GW GATEWAY_ACCOUNTS_ACME_ENDPOINT=$1 GATEWAY_DELIVERY_DEFAULTMODE=stream \
    timeout 1800 java -Xms256m -Xmx$GATEWAY_HEAP $GATEWAY_OPTS -jar "$JAR" --config "$WORK/demo/gateway.yaml" \
    > "$WORK/gateway-$(date +%s).log" 2>&1 &
  GW_PID=$!; pids+=("$GW_PID")
  wait_for "http://127.0.0.1:$P_GW/health/ready" "the gateway"
  JAVA_PID=$(pgrep -P "$GW_PID" -n java || echo "$GW_PID")   # timeout's child: what RSS is read of
}
stop_gateway() {
  [ -n "$GW_PID" ] && { kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; }
  GW_PID=""
}

# --- wrk with a summary line ----------------------------------------------------------------
cat > "$WORK/report.lua" <<'LUA'
local range_size = tonumber(os.getenv("RANGE_SIZE") or "0")
local object_size = tonumber(os.getenv("OBJECT_SIZE") or "0")
local extra = os.getenv("WRK_HEADER")
math.randomseed(os.time())
request = function()
  local headers = {}
  if extra and extra ~= "" then
    local k, v = extra:match("^([^:]+):%s*(.*)$"); headers[k] = v
  end
  if range_size > 0 then
    local from = math.random(0, object_size - range_size)
    headers["Range"] = "bytes=" .. from .. "-" .. (from + range_size - 1)
  end
  return wrk.format(nil, nil, headers)
end
done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format("RESULT rps=%.1f mbps=%.1f p50=%.2f p99=%.2f errors=%d\n",
    summary.requests / s, summary.bytes / s / 1048576, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
end
LUA
# run <name> <connections> <duration> <url> [header]  -> RESULT line kept in $OUT/<name>.txt
run() {
  local name=$1 conns=$2 dur=$3 url=$4 header=${5:-}
  local threads=$(( conns < 2 ? 1 : 2 ))
  WRK_HEADER=$header timeout $((dur + 120)) wrk -t"$threads" -c"$conns" -d"${dur}s" --timeout 120s \
    -s "$WORK/report.lua" "$url" > "$OUT/$name.txt" 2>&1 || true
  { grep RESULT "$OUT/$name.txt" || echo "RESULT rps=0 mbps=0 p50=0 p99=0 errors=999"; } | sed "s/^RESULT/$name/" | tee -a "$OUT/all.txt"
}
field() { (grep "^$1 " "$OUT/all.txt" || true) | tail -1 | tr ' ' '\n' | sed -n "s/^$2=//p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
diffms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%+.2f", a - b }'; }

SIZE=$((SIZE_MB * 1024 * 1024))
AUTH="Authorization: Bearer $TOKEN"
GW_URL="http://127.0.0.1:$P_GW/v1/assets/large/original?delivery=stream"

# ============================ 1. streaming throughput, nginx origin ==========================
echo; echo "== 1. large-object streaming, fast origin (nginx serving bucket/key)"
start_gateway "http://127.0.0.1:$P_ORIGIN"
run warm.gw 4 "$WARMUP" "$GW_URL" "$AUTH" >/dev/null
for c in 1 16; do
  run "ngx.direct.c$c" $c "$DURATION" "http://127.0.0.1:$P_ORIGIN$OBJ"
  run "ngx.proxy.c$c" $c "$DURATION" "http://127.0.0.1:$P_PROXY$OBJ"
  run "ngx.gw.c$c" $c "$DURATION" "$GW_URL" "$AUTH"
done

# ============================ 2. player pattern, 256 KiB ranges ================================
echo; echo "== 2. player pattern: random 256 KiB ranges, 8 connections"
export RANGE_SIZE=262144 OBJECT_SIZE=$SIZE
run warm.range 8 "$WARMUP" "http://127.0.0.1:$P_GW/v1/assets/large/play" "$AUTH" >/dev/null
run range.direct 8 "$DURATION" "http://127.0.0.1:$P_ORIGIN$OBJ"
run range.proxy 8 "$DURATION" "http://127.0.0.1:$P_PROXY$OBJ"
run range.gw 8 "$DURATION" "http://127.0.0.1:$P_GW/v1/assets/large/play" "$AUTH"
unset RANGE_SIZE OBJECT_SIZE

# ============================ 3. memory with slow clients ====================================
echo; echo "== 3. memory: slow clients streaming the ${SIZE_MB} MiB object at $SLOW_RATE/s for ${SLOW_SECONDS}s"
rss() { awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$JAVA_PID/status"; }
heap() { { jcmd "$JAVA_PID" GC.heap_info 2>/dev/null || true; } | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub("K", "", v); print int(v / 1024); exit } }'; }
slow() { # clients -> "peakRss peakHeap"
  local n=$1 peak=0 hpeak=0 cp=()
  for i in $(seq 1 "$n"); do
    curl -s -o /dev/null --limit-rate "$SLOW_RATE" --max-time "$SLOW_SECONDS" -H "$AUTH" "$GW_URL" &
    cp+=($!)
  done
  for _ in $(seq 1 $((SLOW_SECONDS / 3))); do
    sleep 3
    r=$(rss); if [ "$r" -gt "$peak" ]; then peak=$r; fi
    h=$(heap); if [ -n "$h" ] && [ "$h" -gt "$hpeak" ]; then hpeak=$h; fi
  done
  for p in "${cp[@]}"; do wait "$p" 2>/dev/null || true; done
  echo "$peak $hpeak"
}
idle_rss=$(rss)
read -r rss5 heap5 < <(slow 5)
read -r rss50 heap50 < <(slow 50)
echo "slow.5 rss=$rss5 heap=$heap5" | tee -a "$OUT/all.txt"
echo "slow.50 rss=$rss50 heap=$heap50" | tee -a "$OUT/all.txt"

# ============================ 4. redirect path =============================================
echo; echo "== 4. redirect path, 64 connections (after ${WARMUP}s warm-up each)"
R_URL="http://127.0.0.1:$P_GW/v1/assets/large/original?delivery=redirect"
curl -fs -o /dev/null -w '%{http_code}\n' -H "$AUTH" "$R_URL" | grep -q 302 || die "the gateway does not redirect"
run warm.redirect 64 "$WARMUP" "$R_URL" "$AUTH" >/dev/null
run warm.redirect2 64 "$WARMUP" "$R_URL" "$AUTH" >/dev/null
run redirect.gw 64 "$DURATION" "$R_URL" "$AUTH"
run warm.bare 64 "$WARMUP" "http://127.0.0.1:$P_BARE/" >/dev/null
run redirect.bare 64 "$DURATION" "http://127.0.0.1:$P_BARE/"
run redirect.nginx 64 "$DURATION" "http://127.0.0.1:$P_NGX302/"

# ============================ 5. streaming throughput, S3Proxy origin =========================
echo; echo "== 5. large-object streaming, S3Proxy origin"
start_gateway "$S3"
PRESIGNED=$(curl -fs -o /dev/null -w '%{redirect_url}' -H "$AUTH" "http://127.0.0.1:$P_GW/v1/assets/large/original?delivery=redirect")
[ -n "$PRESIGNED" ] || die "no presigned URL"
PROXIED="http://127.0.0.1:$P_PROXY_S3${PRESIGNED#http://127.0.0.1:$S3_PORT}"
run warm.s3 4 "$WARMUP" "$GW_URL" "$AUTH" >/dev/null
for c in 1 16; do
  run "s3.direct.c$c" $c "$DURATION" "$PRESIGNED"
  run "s3.proxy.c$c" $c "$DURATION" "$PROXIED"
  run "s3.gw.c$c" $c "$DURATION" "$GW_URL" "$AUTH"
done
stop_gateway

# ============================ report ========================================================
m() { field "$1" mbps; }
{
  echo "## Benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(java -version 2>&1 | head -1);"
  echo "$("$NGINX" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }'), S3Proxy 4.1.0, Vert.x 5.0.7, AWS SDK 2.59.1."
  echo "Everything on loopback on this one machine (clients, origins, proxies share the cores)."
  echo "Object ${SIZE_MB} MiB; wrk runs of ${DURATION}s; gateway: production jar, -Xms256m -Xmx$GATEWAY_HEAP $GATEWAY_OPTS."
  echo "Command: \`loadtest/bench.sh\`$( [ "$SIZE_MB" != 1024 ] && echo " (SIZE_MB=$SIZE_MB)")"
  echo
  echo "| streaming, MiB/s | direct | nginx proxy_pass | gateway | gateway/direct | gateway/nginx |"
  echo "|---|---|---|---|---|---|"
  for o in ngx s3; do for c in 1 16; do
    label=$([ $o = ngx ] && echo "nginx origin" || echo "S3Proxy origin")
    echo "| $label, $c stream$([ $c -gt 1 ] && echo s) | $(m $o.direct.c$c) | $(m $o.proxy.c$c) | $(m $o.gw.c$c) | $(ratio "$(m $o.gw.c$c)" "$(m $o.direct.c$c)") | $(ratio "$(m $o.gw.c$c)" "$(m $o.proxy.c$c)") |"
  done; done
  echo
  echo "| 256 KiB random ranges, 8 connections | req/s | p50 ms | p99 ms | added p50 | added p99 |"
  echo "|---|---|---|---|---|---|"
  for k in direct proxy gw; do
    echo "| $([ $k = gw ] && echo gateway /play || ([ $k = proxy ] && echo "nginx proxy_pass" || echo "direct (nginx origin)")) | $(field range.$k rps) | $(field range.$k p50) | $(field range.$k p99) | $(diffms "$(field range.$k p50)" "$(field range.direct p50)") | $(diffms "$(field range.$k p99)" "$(field range.direct p99)") |"
  done
  echo
  echo "| redirect, 64 connections | req/s | p50 ms | p99 ms |"
  echo "|---|---|---|---|"
  echo "| gateway (token, resolution, metadata, presign, 302) | $(field redirect.gw rps) | $(field redirect.gw p50) | $(field redirect.gw p99) |"
  echo "| bare Vert.x fixed 302 | $(field redirect.bare rps) | $(field redirect.bare p50) | $(field redirect.bare p99) |"
  echo "| nginx \`return 302\` | $(field redirect.nginx rps) | $(field redirect.nginx p50) | $(field redirect.nginx p99) |"
  echo "| gateway / bare Vert.x | $(ratio "$(field redirect.gw rps)" "$(field redirect.bare rps)")x req/s | | $(ratio "$(field redirect.gw p99)" "$(field redirect.bare p99)")x p99 |"
  echo
  echo "| memory, clients at $SLOW_RATE/s for ${SLOW_SECONDS}s | peak RSS MiB | peak heap used MiB |"
  echo "|---|---|---|"
  echo "| idle (after the throughput runs) | $idle_rss | |"
  echo "| 5 slow clients | $rss5 | $heap5 |"
  echo "| 50 slow clients | $rss50 | $heap50 |"
  echo "| difference | $((rss50 - rss5)) | $((heap50 - heap5)) |"
  errs=$( (grep -ho 'errors=[1-9][0-9]*' "$OUT"/*.txt || true) | wc -l)
  echo
  echo "wrk runs with errors: $errs (details in loadtest/target/bench/*.txt)"
} > "$OUT/RESULTS.md"
echo; cat "$OUT/RESULTS.md"
