#!/usr/bin/env bash
# What operating the gateway costs: the load of load.sh in rounds of three runs, a fresh gateway for each:
#   quiet  WARN text logs, no scrape (what load.sh measures: the engine alone);
#   off    the defaults: INFO text logs, so one line per message and per connection; no scrape;
#   on     GATEWAY_LOG_FORMAT=json at INFO, and /metrics scraped every second.
# Prints one line per run and, last, one JSON object with every run's messages per second, the medians, and the
# ratios on/off (JSON logs and scraping) and off/quiet (the per-message log lines).
# Usage: benchmarks/scripts/observability.sh [--rounds N] [--warmup S] [--duration S]
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/scripts/lib.sh
start_rounds "$@"

# Messages per second of one run against a fresh gateway; $1 is quiet, off or on.
run() {
  local report scraper=
  case "$1" in
    quiet) GATEWAY_LOG_LEVEL=warn GATEWAY_LOG_FORMAT=text start_gateway ;;
    off) GATEWAY_LOG_LEVEL=info GATEWAY_LOG_FORMAT=text start_gateway ;;
    on)
      GATEWAY_LOG_LEVEL=info GATEWAY_LOG_FORMAT=json start_gateway
      (while :; do curl -s -o /dev/null "http://127.0.0.1:$http_port/metrics"; sleep 1; done) &
      scraper=$!
      ;;
  esac
  report=$(java ${LOAD_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.LoadGenerator \
    --port "$smtps_port" --tls implicit --auth load@example.com:secret --from sender@example.com --connections 50 \
    --size 1024 --recipients 1 --warmup "$warmup" --duration "$duration" --gateway-pid "$gateway_pid" | tail -n 1)
  [ -z "$scraper" ] || kill "$scraper"
  lines=$(grep -c 'message answered' "$gateway_log" || true)
  kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
  : >"$gateway_log"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["messages_per_second"], r["errors"], r["cpu_seconds_per_1000_messages"])' "$report" \
    | { read -r mps errors cpu; echo "$1 $mps $errors $cpu $lines"; }
}

results=()
for i in $(seq 1 "$rounds"); do
  for mode in quiet off on; do
    line=$(run "$mode")
    read -r m mps errors cpu lines <<<"$line"
    echo "round $i, $m: $mps msg/s, $errors errors, $cpu CPU s per 1000 messages, $lines message log lines" >&2
    results+=("$m $mps")
  done
done
printf '%s\n' "${results[@]}" | python3 -c '
import json, statistics, sys
runs = [line.split() for line in sys.stdin if line.strip()]
mps = {mode: [float(r[1]) for r in runs if r[0] == mode] for mode in ("quiet", "off", "on")}
median = {mode: statistics.median(values) for mode, values in mps.items()}
print(json.dumps({"mps": mps, "median": median,
                  "on_vs_off": round(median["on"] / median["off"], 3),
                  "off_vs_quiet": round(median["off"] / median["quiet"], 3)}))'
