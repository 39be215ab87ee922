#!/usr/bin/env bash
# A/B of the redirect path (the cheapest request: token, catalog, HEAD cache, presign, access and
# audit lines, metrics) between another commit and this checkout, on one S3Proxy, alternated:
#
#   loadtest/ab-redirect.sh <git-ref> [rounds]      (about 1.5 minutes per round; loopback only)
#
# Builds both production jars (the other one in a temporary git worktree), starts the demo set-up
# for S3Proxy and its configuration, then per round runs each jar alone: 20 s warm-up, 15 s of
# wrk with 64 connections. Prints req/s and p99 per run. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:?usage: loadtest/ab-redirect.sh <git-ref> [rounds]}
ROUNDS=${2:-3}
WORK=$(mktemp -d /tmp/ab-redirect.XXXXXX)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cleanup() {
  pkill -9 -f "gateway.jar --config $WORK" 2>/dev/null || true
  [ -n "${DEMO:-}" ] && kill "$DEMO" 2>/dev/null || true
  git worktree remove --force "$WORK/other" >/dev/null 2>&1 || true
}
trap cleanup EXIT

git worktree add --detach "$WORK/other" "$REF" >/dev/null
(cd "$WORK/other" && mvn -q -B -pl gateway -am package -DskipTests)
cp "$WORK"/other/gateway/target/gateway-*.jar "$WORK/a.jar"
mvn -q -B -pl gateway -am test-compile package -DskipTests
cp gateway/target/gateway-*.jar "$WORK/b.jar"

CP="gateway/target/test-classes:gateway/target/classes:$(cat gateway/target/test-classpath.txt)"
DEMO_HOME="$WORK/demo" GATEWAY_SERVER_PORT=18180 timeout 3600 java -Xmx1g -cp "$CP" io.storageconnect.gateway.demo.DemoMain \
  > "$WORK/demo.log" 2>&1 &
DEMO=$!
for _ in $(seq 1 120); do [ -f "$WORK/demo/demo.json" ] && break; sleep 1; done
TOKEN=$(python3 -c "import json;print(json.load(open('$WORK/demo/demo.json'))['token'])")

run() { # jar label
  cp "$1" "$WORK/gateway.jar"
  GATEWAY_SERVER_PORT=18181 java -Xms256m -Xmx512m -jar "$WORK/gateway.jar" --config "$WORK/demo/gateway.yaml" \
    > "$WORK/$2.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do curl -fs -o /dev/null http://127.0.0.1:18181/health/ready && break; sleep 0.5; done
  local url="http://127.0.0.1:18181/v1/assets/demo-video/original?delivery=redirect"
  wrk -t2 -c64 -d20s -H "Authorization: Bearer $TOKEN" "$url" > /dev/null
  echo "$2 $(wrk -t2 -c64 -d15s --latency -H "Authorization: Bearer $TOKEN" "$url" | awk '/Requests\/sec/{r=$2} / 99%/{p=$2} END{print r" req/s, p99 "p}')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  sleep 3
}
for round in $(seq 1 "$ROUNDS"); do
  run "$WORK/a.jar" "$REF#$round"
  run "$WORK/b.jar" "this#$round"
done
