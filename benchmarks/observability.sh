#!/usr/bin/env bash
# What operating the gateway costs: the load of load.sh, alternately with observability off (WARN text logs, no
# scrape) and on (GATEWAY_LOG_FORMAT=json at INFO, so one JSON line per message and per connection, and /metrics
# scraped every second), a fresh gateway for each run. Prints one line per run and, last, one JSON object with
# every run's messages per second, the medians and on/off ratio of the medians.
# Usage: benchmarks/observability.sh [--pairs N] [--warmup S] [--duration S]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=3
warmup=45
duration=30
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source benchmarks/lib.sh
need_jars
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
start_api_sink

# Messages per second of one run against a fresh gateway; $1 is off or on.
run() {
  local report scraper=
  if [ "$1" = on ]; then
    GATEWAY_LOG_LEVEL=info GATEWAY_LOG_FORMAT=json start_gateway
    (while :; do curl -s -o /dev/null "http://127.0.0.1:$http_port/metrics"; sleep 1; done) &
    scraper=$!
  else
    GATEWAY_LOG_LEVEL=warn GATEWAY_LOG_FORMAT=text start_gateway
  fi
  report=$(java ${LOAD_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.LoadGenerator \
    --port "$smtps_port" --tls implicit --auth load@example.com:secret --from sender@example.com --connections 50 \
    --size 1024 --recipients 1 --warmup "$warmup" --duration "$duration" --gateway-pid "$gateway_pid" | tail -n 1)
  [ -z "$scraper" ] || kill "$scraper"
  if [ "$1" = on ]; then
    lines=$(grep -c '"log.logger":"io.cakemail.gateway.messages"' "$gateway_log" || true)
  else
    lines=0
  fi
  kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
  : >"$gateway_log"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["messages_per_second"], r["errors"], r["cpu_seconds_per_1000_messages"])' "$report" \
    | { read -r mps errors cpu; echo "$1 $mps $errors $cpu $lines"; }
}

results=()
for i in $(seq 1 "$pairs"); do
  for mode in off on; do
    line=$(run "$mode")
    read -r m mps errors cpu lines <<<"$line"
    echo "pair $i, observability $m: $mps msg/s, $errors errors, $cpu CPU s per 1000 messages, $lines message log lines" >&2
    results+=("$m $mps")
  done
done
printf '%s\n' "${results[@]}" | python3 -c '
import json, statistics, sys
runs = [line.split() for line in sys.stdin if line.strip()]
off = [float(r[1]) for r in runs if r[0] == "off"]
on = [float(r[1]) for r in runs if r[0] == "on"]
print(json.dumps({"off_mps": off, "on_mps": on, "off_median": statistics.median(off),
                  "on_median": statistics.median(on),
                  "ratio": round(statistics.median(on) / statistics.median(off), 3)}))'
