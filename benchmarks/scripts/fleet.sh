#!/usr/bin/env bash
# What running as a fleet costs: the load of load.sh (WARN logs) in rounds of two runs, a fresh gateway for each:
#   alone  no PROXY protocol, no Redis, the generator on loopback (which no per-client limit counts);
#   fleet  PROXY protocol v1 from the generator (250 client addresses in turn, none exempt), every per-client limit
#          counted (rates set high enough never to refuse), the no-resend ledger and the limits in a local Redis.
#   and, with MODES="alone proxy redis fleet", the parts of fleet alone:
#   proxy  the PROXY header and every per-client limit, no Redis;
#   redis  the ledger and the limits in Redis, no PROXY header (the generator's loopback is exempt from the limits).
# Prints one line per run and, last, one JSON object with the medians and the fleet/alone ratios of throughput
# and p99 (and each mode's ratio to alone). Needs redis-server (apt-get install redis-server).
# Usage: [MODES="alone fleet"] benchmarks/scripts/fleet.sh [--rounds N] [--warmup S] [--duration S]
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/scripts/lib.sh
start_rounds "$@"
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
pids+=($!)
wait_port "$redis_port"

# messages per second and p99 of one run against a fresh gateway; $1 is alone, proxy, redis or fleet (proxy and
# redis together). The settings are exported to the gateway for this run only.
run() {
  local report proxy=none
  local -x GATEWAY_LOG_LEVEL=warn
  if [ "$1" = proxy ] || [ "$1" = fleet ]; then
    local -x GATEWAY_PROXY_PROTOCOL=on GATEWAY_PROXY_TRUSTED_CIDRS=127.0.0.1/32 \
      GATEWAY_LIMITS_EXEMPT_CIDRS=192.0.2.0/24 \
      GATEWAY_LIMIT_MESSAGES_PER_MINUTE=100000000 GATEWAY_LIMIT_LOGIN_MESSAGES_PER_MINUTE=100000000
    proxy=v1
  fi
  if [ "$1" = redis ] || [ "$1" = fleet ]; then
    local -x GATEWAY_REDIS_URL="redis://127.0.0.1:$redis_port/0"
  fi
  start_gateway
  report=$(java ${LOAD_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.LoadGenerator \
    --port "$smtps_port" --tls implicit --auth load@example.com:secret --from sender@example.com --connections 50 \
    --size 1024 --recipients 1 --warmup "$warmup" --duration "$duration" --gateway-pid "$gateway_pid" \
    --proxy "$proxy" | tail -n 1)
  kill "$gateway_pid"; wait "$gateway_pid" 2>/dev/null || true
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(sys.argv[2], r["messages_per_second"], r["p99_ms"], r["errors"])' \
    "$report" "$1"
}

results=()
for i in $(seq 1 "$rounds"); do
  for mode in ${MODES:-alone fleet}; do
    line=$(run "$mode")
    read -r m mps p99 errors <<<"$line"
    echo "round $i, $m: $mps msg/s, p99 $p99 ms, $errors errors" >&2
    results+=("$line")
  done
done
printf '%s\n' "${results[@]}" | python3 -c '
import json, statistics, sys
runs = [line.split() for line in sys.stdin if line.strip()]
def median(mode, column):
    return statistics.median(float(r[column]) for r in runs if r[0] == mode)
modes = [mode for mode in ("alone", "proxy", "redis", "fleet") if any(r[0] == mode for r in runs)]
out = {mode: {"mps": median(mode, 1), "p99_ms": median(mode, 2)} for mode in modes}
for mode in modes[1:]:
    out[mode]["mps_ratio"] = round(out[mode]["mps"] / out["alone"]["mps"], 3)
if "fleet" in out:
    out["mps_ratio"] = out["fleet"]["mps_ratio"]
    out["p99_ratio"] = round(out["fleet"]["p99_ms"] / out["alone"]["p99_ms"], 3)
print(json.dumps(out))'
