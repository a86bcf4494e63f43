# Shared by the benchmark scripts (source it from the repository root): free ports, the processes started stopped
# on exit, waiting for them, and the API sink and gateway of the end-to-end runs.

pids=()
files=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "${files[@]}"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Waits until file $1 holds $2.
wait_for() { for _ in $(seq 1 200); do grep -q "$2" "$1" && return 0; sleep 0.1; done; echo "timed out: $1" >&2; cat "$1" >&2; return 1; }

# Waits until port $1 accepts connections; shows log $2 (if given) when it never does.
wait_port() {
  for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing listens on $1" >&2; [ -z "${2:-}" ] || cat "$2" >&2; return 1
}

# Builds the jars unless they are there.
need_jars() {
  if [ ! -f gateway-server/target/smtp-gateway.jar ] || [ ! -f benchmarks/target/benchmarks.jar ]; then
    mvn -B -q -DskipTests package >&2
  fi
}

# Builds what is missing and raises the open-files limit, room for --connections in the thousands.
prepare_run() {
  need_jars
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}

# Starts the benchmarks' do-almost-nothing API (h2c; its options, such as --delay-ms 100 or --tls cert key, pass
# through); sets api_port and api_pid.
start_api_sink() {
  local log
  log=$(mktemp); files+=("$log")
  api_port=$(free_port)
  java ${SINK_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.FastApiSink "$api_port" "$@" >"$log" 2>&1 &
  api_pid=$!
  pids+=("$api_pid")
  wait_for "$log" "listening"
}

# Starts the gateway jar (${GATEWAY_JAR}, or the one built here) against the API sink with the JVM options given (and
# ${GATEWAY_JAVA_OPTS}); GATEWAY_*
# variables exported by the caller pass through (GATEWAY_API_URL and GATEWAY_API_H2C too, for an https:// sink).
# Sets gateway_pid, smtps_port, smtp_port, http_port and gateway_log.
start_gateway() {
  gateway_log=$(mktemp); files+=("$gateway_log")
  smtps_port=$(free_port)
  smtp_port=$(free_port)
  http_port=$(free_port)
  # room for the thousands of connections of some runs (the generator is on loopback, which no per-client limit counts)
  GATEWAY_MAX_CONNECTIONS=${GATEWAY_MAX_CONNECTIONS:-20000} \
  GATEWAY_API_URL=${GATEWAY_API_URL:-http://127.0.0.1:$api_port} GATEWAY_API_H2C=${GATEWAY_API_H2C:-true} \
    GATEWAY_SMTPS_PORT="$smtps_port" \
    GATEWAY_SMTP_PORT="$smtp_port" GATEWAY_HTTP_PORT="$http_port" GATEWAY_BIND_ADDRESS=127.0.0.1 \
    "${GATEWAY_JAVA:-java}" "$@" ${GATEWAY_JAVA_OPTS:-} -jar "${GATEWAY_JAR:-gateway-server/target/smtp-gateway.jar}" >"$gateway_log" 2>&1 &
  gateway_pid=$!
  pids+=("$gateway_pid")
  wait_port "$smtps_port" "$gateway_log"
}

# The options of the scripts that compare configurations in rounds: sets rounds (3), warmup (45) and duration (30).
rounds_options() {
  rounds=3
  warmup=45
  duration=30
  while [ $# -gt 0 ]; do
    case "$1" in
      --rounds) rounds=$2; shift 2 ;;
      --warmup) warmup=$2; shift 2 ;;
      --duration) duration=$2; shift 2 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
}

# What the scripts comparing configurations in rounds share: their options, the jars, the limit, the API sink.
start_rounds() {
  rounds_options "$@"
  prepare_run
  start_api_sink
}
