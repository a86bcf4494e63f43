#!/usr/bin/env bash
# End-to-end load on loopback: the gateway jar (implicit TLS, AUTH, MIME transform, JSON, one HTTP/2 call per
# recipient) in front of a do-almost-nothing API sink, driven by the load generator. Builds what it needs, starts
# and stops its own processes, and prints as its last line the generator's JSON report (messages_per_second,
# p50_ms, p99_ms, errors, cpu_seconds_per_1000_messages, peak_rss_mib, ...).
# Usage: benchmarks/scripts/load.sh [--quick] [load generator options, e.g. --connections 100 --size 1024:90,102400:10]
set -euo pipefail
cd "$(dirname "$0")/../.."
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
source benchmarks/scripts/lib.sh
prepare_run
start_api_sink
GATEWAY_LOG_LEVEL=warn start_gateway

port=$smtps_port
if [ "$listener" = smtp ]; then port=$smtp_port; fi
java ${LOAD_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.LoadGenerator --port "$port" \
  --tls implicit --auth load@example.com:secret --from sender@example.com --connections 50 --size 1024 \
  --recipients 1 --warmup "$warmup" --duration "$duration" --gateway-pid "$gateway_pid" \
  --api-sink "fast-sink (benchmarks FastApiSink, h2c)" "${args[@]}"
