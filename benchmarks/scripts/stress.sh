#!/usr/bin/env bash
# Memory stress: mixed sizes up to the gateway's limits (text bodies and PDF attachments, up to 24 MiB) from enough
# connections to ask for about twice the memory budget at once, for ten minutes. Samples the gateway's RSS every ten
# seconds and, with native memory tracking, what grew from the first minute to the end, by kind; then collects its
# garbage and checks Netty's leak detector (which tracks every buffer here) reported nothing. Every message must get a reply: 250, or 452 while the budget is full; a connection that closes without
# one is a lost reply. Prints as its last line one JSON object with the numbers.
# Usage: benchmarks/scripts/stress.sh [--minutes N] [load generator options, e.g. --connections 64]
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=10
budget=$((64 * 1024 * 1024))
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
source benchmarks/scripts/lib.sh
need_jars
start_api_sink
# The heap touched from the start, so RSS shows what grows outside it; every buffer tracked for leaks.
GATEWAY_MEMORY_BUDGET="$budget" start_gateway -Xms384m -Xmx384m -XX:+AlwaysPreTouch -XX:NativeMemoryTracking=summary \
  -Dio.netty.leakDetection.level=simple -Dio.netty.leakDetection.samplingInterval=1

rss_file=$(mktemp); files+=("$rss_file")
(while kill -0 "$gateway_pid" 2>/dev/null; do
   awk '/VmRSS/ {printf "%d\n", $2 / 1024}' "/proc/$gateway_pid/status" >>"$rss_file" 2>/dev/null || true
   sleep 10
 done) &
pids+=($!)
(sleep 60; jcmd "$gateway_pid" VM.native_memory baseline >/dev/null) &

generate() {
  java -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.LoadGenerator --port "$smtps_port" \
    --tls implicit --auth load@example.com:secret --from sender@example.com --gateway-pid "$gateway_pid" \
    --api-sink "fast-sink (benchmarks FastApiSink, h2c)" "$@"
}
sizes=1024:40,65536:20,1048576:20,10485760:15,25165824:5
connections=48
report=$(generate --connections "$connections" --size "$sizes" --content mixed --messages-per-connection 50 \
  --warmup 10 --duration $((minutes * 60)) "${args[@]}" | tail -n 1)

native_growth=$(mktemp); files+=("$native_growth")
jcmd "$gateway_pid" VM.native_memory summary.diff >"$native_growth"
# Leaked buffers are reported once collected, when the detector next tracks an allocation.
jcmd "$gateway_pid" GC.run >/dev/null
sleep 1
generate --connections 4 --size 1024 --warmup 0 --duration 5 >/dev/null
sleep 1
leaks=$(grep -c "LEAK:" "$gateway_log" || true)
out_of_memory=$(grep -c "OutOfMemoryError" "$gateway_log" || true)

python3 - "$report" "$rss_file" "$leaks" "$out_of_memory" "$budget" "$connections" "$sizes" "$native_growth" <<'PY'
import json, re, sys
report, rss_file, leaks, oom, budget, connections, sizes, native = sys.argv[1:]
# "-  Other (reserved=70012KB +12KB, committed=70012KB +12KB)": the committed change of each kind, in MiB
growth = {m.group(1).strip(): round(int(m.group(2) or 0) / 1024, 1)
          for m in re.finditer(r"-\s+([A-Za-z][A-Za-z ]+?) \(reserved=\d+KB(?: [+-]\d+KB)?, committed=\d+KB(?: ([+-]\d+)KB)?\)",
                               open(native).read())}
report = json.loads(report)
rss = [int(line) for line in open(rss_file) if line.strip()]
share = {int(s): int(p) for s, p in (pair.split(":") for pair in sizes.split(","))}
mean_size = sum(s * p for s, p in share.items()) / sum(share.values())
errors = report["errors_by_code"]
lost = sum(n for code, n in errors.items() if not code.isdigit())
settled = rss[len(rss) // 5:] or rss  # past the first fifth: the JIT and the pools have grown
summary = {
    "messages_accepted": report["messages"], "replies_by_code": {"250": report["messages"], **errors},
    "replies_lost": lost, "leaks": int(leaks), "out_of_memory_errors": int(oom),
    "memory_budget_mib": int(budget) // 2**20,
    "offered_in_flight_mib": round(int(connections) * mean_size / 2**20),
    "rss_samples_mib": rss, "rss_settled_min_mib": min(settled), "rss_settled_max_mib": max(settled),
    "rss_first_settled_mib": settled[0], "rss_last_mib": rss[-1],
    "native_growth_since_first_minute_mib": {kind: mib for kind, mib in growth.items() if abs(mib) >= 0.5},
    "messages_per_second": report["messages_per_second"], "p99_ms": report["p99_ms"],
    "duration_s": report["duration_s"], "connections": int(connections), "sizes": sizes, "content": "mixed",
}
print(json.dumps(summary))
PY
