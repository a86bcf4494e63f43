#!/usr/bin/env bash
# End-to-end load on loopback: the gateway jar (implicit TLS, AUTH, MIME transform, JSON, one HTTP/2 call per
# recipient) in front of a do-almost-nothing API sink, driven by the load generator. Builds what it needs, starts
# and stops its own processes, and prints as its last line the generator's JSON report (messages_per_second,
# p50_ms, p99_ms, errors, cpu_seconds_per_1000_messages, peak_rss_mib, ...).
# Usage: benchmarks/load.sh [--quick] [load generator options, e.g. --connections 100 --size 1024:90,102400:10]
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=60
duration=60
args=()
listener=smtps  # implicit TLS; --tls starttls (or none) needs the plain listener
previous=
for arg in "$@"; do
  if [ "$arg" = "--quick" ]; then warmup=8; duration=20; else args+=("$arg"); fi
  if [ "$previous" = "--tls" ] && [ "$arg" != "implicit" ]; then listener=smtp; fi
  previous=$arg
done
if [ ! -f gateway-server/target/smtp-gateway.jar ] || [ ! -f benchmarks/target/benchmarks.jar ]; then
  mvn -B -q -DskipTests package >&2
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
pids=()
logs=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "${logs[@]}"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true  # room for --connections in the thousands
wait_for() { for _ in $(seq 1 200); do grep -q "$2" "$1" && return 0; sleep 0.1; done; echo "timed out: $1" >&2; cat "$1" >&2; return 1; }
wait_port() {
  for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "the gateway did not start:" >&2; cat "$2" >&2; return 1
}

sink_log=$(mktemp); logs+=("$sink_log")
api_port=$(free_port)
java ${SINK_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.FastApiSink "$api_port" >"$sink_log" 2>&1 &
pids+=($!)
wait_for "$sink_log" "listening"

gateway_log=$(mktemp); logs+=("$gateway_log")
smtps_port=$(free_port)
smtp_port=$(free_port)
GATEWAY_API_URL="http://127.0.0.1:$api_port" GATEWAY_API_H2C=true GATEWAY_SMTPS_PORT="$smtps_port" \
  GATEWAY_SMTP_PORT="$smtp_port" GATEWAY_HTTP_PORT="$(free_port)" GATEWAY_BIND_ADDRESS=127.0.0.1 \
  GATEWAY_LOG_LEVEL=warn \
  "${GATEWAY_JAVA:-java}" ${GATEWAY_JAVA_OPTS:-} -jar gateway-server/target/smtp-gateway.jar >"$gateway_log" 2>&1 &
gateway_pid=$!
pids+=("$gateway_pid")
wait_port "$smtps_port" "$gateway_log"

port=$smtps_port
if [ "$listener" = smtp ]; then port=$smtp_port; fi
java ${LOAD_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.LoadGenerator --port "$port" \
  --tls implicit --auth load@example.com:secret --from sender@example.com --connections 50 --size 1024 \
  --recipients 1 --warmup "$warmup" --duration "$duration" --gateway-pid "$gateway_pid" \
  --api-sink "fast-sink (benchmarks FastApiSink, h2c)" "${args[@]}"
