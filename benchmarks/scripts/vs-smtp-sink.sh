#!/usr/bin/env bash
# The gateway's SMTP engine (no-op receiver, plaintext, no AUTH) against Postfix's smtp-sink, both driven by
# Postfix's smtp-source with the same sessions, message count and size. Prints one line per run and, last, one JSON
# object with smtp_sink_mps, gateway_engine_mps and ratio for each scenario.
# Usage: [ENGINE_THREADS=n] benchmarks/scripts/vs-smtp-sink.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=1
[ "${1:-}" = "--quick" ] && scale=5

if ! command -v smtp-source >/dev/null && [ ! -x /usr/sbin/smtp-source ]; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi
PATH="$PATH:/usr/sbin"
[ -f benchmarks/target/benchmarks.jar ] || mvn -B -q -DskipTests package >&2

source benchmarks/scripts/lib.sh

# Messages per second of smtp-source sending $3 messages of $2 octets over $1 sessions to port $4.
rate() {
  local start end
  start=$(date +%s.%N)
  smtp-source -d -s "$1" -l "$2" -m "$3" -f sender@example.com -t rcpt@example.com "127.0.0.1:$4" >/dev/null
  end=$(date +%s.%N)
  python3 -c "print(round($3 / ($end - $start)))"
}

sink_port=$(free_port)
smtp-sink -u nobody -c "127.0.0.1:$sink_port" 4096 >/dev/null &
pids+=($!)
engine_port=$(free_port)
# One event loop, as smtp-sink is one single-threaded process; ENGINE_THREADS=0 gives Netty's default, two per core
java -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.EngineSink "$engine_port" "${ENGINE_THREADS:-1}" >/dev/null &
pids+=($!)
wait_port "$sink_port"
wait_port "$engine_port"
rate 50 1024 $((50000 / scale)) "$engine_port" >/dev/null   # warm the JIT up

json='{"scenarios":['
first=true
for scenario in "1kib-50-sessions 50 1024 $((200000 / scale))" "100kib-20-sessions 20 102400 $((30000 / scale))"; do
  read -r name sessions size count <<<"$scenario"
  sink=$(rate "$sessions" "$size" "$count" "$sink_port")
  engine=$(rate "$sessions" "$size" "$count" "$engine_port")
  ratio=$(python3 -c "print(round($engine / $sink, 3))")
  echo "$name: $count messages of $size octets over $sessions sessions: smtp-sink $sink msg/s, gateway engine $engine msg/s, ratio $ratio"
  $first || json+=','
  first=false
  json+="{\"name\":\"$name\",\"sessions\":$sessions,\"size\":$size,\"messages\":$count,\"smtp_sink_mps\":$sink,\"gateway_engine_mps\":$engine,\"ratio\":$ratio}"
done
echo "$json]}"
