#!/usr/bin/env bash
# A seeded fault-injection run (benchmarks/tools/chaos.py says what it does and reports): two gateway jars sharing one
# Redis (durable: append-only file), the sandbox jar as the API, SMTP clients that retry as an MTA would, and API,
# token, Redis and gateway faults drawn from the seed. Prints one line per category and, last, the JSON report; exits 1
# when a category is above its target. The gateways' logs are kept in benchmarks/target/chaos (CHAOS_LOGS). Needs
# redis-server (apt-get install redis-server).
# Usage: benchmarks/scripts/chaos.sh [--seed N] [--duration S] [--clients N] [--gateways N]
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/scripts/lib.sh
prepare_run

sandbox_port=$(free_port)
sandbox_log=$(mktemp); files+=("$sandbox_log")
sandbox_config=$(mktemp --suffix .json); files+=("$sandbox_config")
cat >"$sandbox_config" <<JSON
{"inbox_capacity": 1000000, "accounts": [{"id": 1001, "username": "sandbox@example.com", "password": "sandbox",
  "senders": [{"id": "snd-sandbox", "name": "Sandbox", "email": "sandbox@example.com", "confirmed": true}],
  "lists": [1]}]}
JSON
java -cp gateway-server/target/smtp-gateway.jar io.cakemail.sandbox.SandboxMain "$sandbox_port" "$sandbox_config" \
  >"$sandbox_log" 2>&1 &
pids+=($!)
wait_for "$sandbox_log" "sandbox listening"

redis_port=$(free_port)
redis_dir=$(mktemp -d)
redis_pid_file=$(mktemp); files+=("$redis_pid_file")
trap 'kill "$(cat "$redis_pid_file" 2>/dev/null)" 2>/dev/null || true; cleanup; rm -rf "$redis_dir"' EXIT

logs=${CHAOS_LOGS:-benchmarks/target/chaos}
mkdir -p "$logs"
python3 benchmarks/tools/chaos.py --jar gateway-server/target/smtp-gateway.jar --sandbox "$sandbox_port" \
  --redis-port "$redis_port" --redis-dir "$redis_dir" --redis-pid-file "$redis_pid_file" --logs "$logs" "$@"
