#!/usr/bin/env bash
# Streaming benchmark (issue 2): MB/s for one large object straight from S3Proxy vs. through the
# gateway in stream mode, and the gateway's RSS while slow clients download. Loopback only,
# bounded in time, stops by itself. Usage: loadtest/stream-bench.sh   (env: SIZE_MB, RUNS,
# SLOW_CLIENTS, SLOW_RATE, SLOW_SECONDS)
set -euo pipefail
slow=()
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
SLOW_CLIENTS=${SLOW_CLIENTS:-20}
SLOW_RATE=${SLOW_RATE:-1M}
SLOW_SECONDS=${SLOW_SECONDS:-30}
DEMO_PORT=18080
GW_PORT=18081
WORK=$(mktemp -d)
cleanup() {
  [ -n "${GW_PID:-}" ] && kill "$GW_PID" 2>/dev/null || true
  # The demo runs as Maven's child: end the java process started from this script's demo log.
  [ -n "${DEMO_JAVA:-}" ] && kill "$DEMO_JAVA" 2>/dev/null || true
  [ -n "${DEMO_PID:-}" ] && kill "$DEMO_PID" 2>/dev/null || true
  for p in "${slow[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "building..."
mvn -B -q -DskipTests package
mvn -B -q -pl gateway test-compile

echo "starting S3Proxy with a ${SIZE_MB} MiB object (the demo set-up)..."
(cd gateway && DEMO_LARGE_OBJECT_MB=$SIZE_MB GATEWAY_SERVER_PORT=$DEMO_PORT timeout 1200 mvn -B -q exec:exec > "$WORK/demo.log" 2>&1) &
DEMO_PID=$!
for _ in $(seq 1 240); do grep -aq "demo is running" "$WORK/demo.log" && break; sleep 0.5; done
grep -aq "demo is running" "$WORK/demo.log" || { echo "demo did not start"; cat "$WORK/demo.log"; exit 1; }
TOKEN=$(grep -a "export TOKEN" "$WORK/demo.log" | sed "s/.*TOKEN='//; s/'.*//")
DEMO_JAVA=$(pgrep -f -n "DemoMain" || true)

echo "starting the production jar as its own process (its RSS is what we measure)..."
GATEWAY_SERVER_PORT=$GW_PORT timeout 1200 java -Xms256m -Xmx512m -jar gateway/target/gateway-0.1.0-SNAPSHOT.jar \
  --config gateway/target/demo/gateway.yaml > "$WORK/gateway.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 40); do JAVA_PID=$(pgrep -f -n 'java .*gateway-0.1.0-SNAPSHOT.jar' || true); [ -n "$JAVA_PID" ] && break; sleep 0.25; done
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$GW_PORT/health/ready" >/dev/null && break; sleep 0.5; done

URL="http://127.0.0.1:$GW_PORT/v1/assets/large/original"
AUTH="Authorization: Bearer $TOKEN"
speed() { curl -s -o /dev/null -w '%{speed_download}' "$@"; }
mbps() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "warm-up..."
speed -L -H "$AUTH" "$URL?delivery=redirect" >/dev/null
speed -H "$AUTH" "$URL?delivery=stream" >/dev/null

direct=(); through=()
for i in $(seq 1 "$RUNS"); do
  # -L follows the gateway's 302 to the presigned URL: the bytes come straight from S3Proxy.
  direct+=("$(speed -L -H "$AUTH" "$URL?delivery=redirect")")
  through+=("$(speed -H "$AUTH" "$URL?delivery=stream")")
done
echo "direct runs (B/s): ${direct[*]}"; echo "through runs (B/s): ${through[*]}"
d=$(printf '%s\n' "${direct[@]}" | median)
t=$(printf '%s\n' "${through[@]}" | median)

rss() { awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$JAVA_PID/status"; }
idle_rss=$(rss)
echo "$SLOW_CLIENTS slow clients at $SLOW_RATE/s for ${SLOW_SECONDS}s..."
slow=()
for i in $(seq 1 "$SLOW_CLIENTS"); do
  curl -s -o /dev/null --limit-rate "$SLOW_RATE" --max-time "$SLOW_SECONDS" -H "$AUTH" "$URL?delivery=stream" &
  slow+=($!)
done
peak=0
for _ in $(seq 1 $((SLOW_SECONDS / 2))); do
  sleep 2
  r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
done
for p in "${slow[@]}"; do wait "$p" 2>/dev/null || true; done

cat <<REPORT

== stream-bench ($(nproc) cores, $(java -version 2>&1 | head -1), object ${SIZE_MB} MiB, median of $RUNS)
direct from S3Proxy (presigned) : $(mbps "$d") MiB/s
through gateway (stream mode)   : $(mbps "$t") MiB/s   ratio $(awk -v a="$t" -v b="$d" 'BEGIN { printf "%.2f", a / b }')
gateway RSS idle after runs     : ${idle_rss} MiB
gateway RSS peak, $SLOW_CLIENTS clients @ $SLOW_RATE/s : ${peak} MiB (JVM -Xms256m -Xmx512m)
REPORT
