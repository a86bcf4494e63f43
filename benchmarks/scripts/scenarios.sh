#!/usr/bin/env bash
# The gateway on the shapes of real traffic, each measured against a reference taken in the same run:
#   handshakes   a connection per message (TLS handshake, EHLO, AUTH, one message, QUIT), on 465 and on 587 with
#                STARTTLS, against the same driver on a no-op Node.js smtp-server (TLS and AUTH on); the gateway's
#                certificate ECDSA P-256, and RSA 2048 on 465 for the choice. Target: at least 2x the peer.
#   distant-api  the API answers after 100 ms (--api-delay-ms), 2,000 sessions, against an instant API with the same
#                sessions. Target: at least 0.8x, RSS under 1 GiB, no error.
#   api-tls      h2 over TLS with ALPN to the API, against h2c. Target: at least 0.9x.
#   newsletter   60 KiB of HTML, its text and two inline images to 10 recipients a message, against the same
#                newsletter to one. Target: 10 recipients cost at most 3x one in gateway CPU a message (the JSON is
#                built once). Also a 1 MiB PDF to one; both shown against the 1 KiB single-recipient run.
#   peer         the 1 KiB load on 50 reused sessions against the Node.js peer. Target: at least 3x.
#   soak         30 minutes at half the peer run's throughput (open model): RSS, heap after GC and p99 every minute,
#                leaks reported by the detector at its sampling default. Left out by --quick.
# Every run prints a line; the last line is one JSON object: per scenario its result, reference, ratio, target and
# whether it was met, each run with messages and recipient requests a second, p50/p99/p99.9, the server's CPU
# seconds per 1,000 messages, peak RSS and errors.
# Needs java, node and npm (the peer comes from npm into benchmarks/target/peer), openssl and keytool.
# Usage: benchmarks/scripts/scenarios.sh [--quick] [--api-delay-ms N] [--only name,name]
set -euo pipefail
cd "$(dirname "$0")/../.."
source benchmarks/scripts/lib.sh

warmup=30
duration=30
soak_minutes=30
quick=false
api_delay_ms=100
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=true; warmup=10; duration=15; shift ;;
    --api-delay-ms) api_delay_ms=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --soak-minutes) soak_minutes=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
wanted() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

prepare_run
work=$(mktemp -d)
trap 'cleanup; rm -rf "$work"' EXIT

# Certificates: ECDSA P-256 and RSA 2048 for the SMTP servers, and one for the TLS API sink, which the gateway trusts.
certificate() { # name, then openssl's key options
  local name=$1; shift
  openssl req -x509 -newkey "$@" -nodes -keyout "$work/$name.key" -out "$work/$name.crt" -days 2 \
    -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
}
certificate ec ec -pkeyopt ec_paramgen_curve:P-256
certificate rsa rsa:2048
certificate api ec -pkeyopt ec_paramgen_curve:P-256
keytool -importcert -noprompt -alias api -file "$work/api.crt" -keystore "$work/trust.p12" -storetype PKCS12 \
  -storepass changeit >/dev/null 2>&1

peer_dir=benchmarks/target/peer
if [ ! -f "$peer_dir/node_modules/smtp-server/package.json" ]; then
  npm install --prefix "$peer_dir" --no-audit --no-fund --no-save smtp-server@3.21.6 >&2
fi
cp benchmarks/tools/smtp-peer.mjs "$peer_dir/"

reports="$work/reports.jsonl"
: >"$reports"

# Runs the load generator with the given options against the process $server_pid; records the report as run $1.
measure() {
  local name=$1; shift
  local report
  report=$(java ${LOAD_JAVA_OPTS:-} -cp benchmarks/target/benchmarks.jar io.cakemail.gateway.load.LoadGenerator \
    --auth load@example.com:secret --from sender@example.com --warmup "$warmup" --duration "$duration" \
    --gateway-pid "$server_pid" "$@" | tail -n 1)
  python3 -c 'import json,sys
r = json.loads(sys.argv[2]); r["run"] = sys.argv[1]; print(json.dumps(r))
print("%s: %.0f msg/s, %.0f rcpt/s, p99 %s ms, %s CPU s/1000, RSS %.0f MiB, %s errors" % (sys.argv[1], r["messages_per_second"], r["recipients_per_second"], r["p99_ms"], r["cpu_seconds_per_1000_messages"], r["peak_rss_mib"], r["errors"]), file=sys.stderr)' \
    "$name" "$report" >>"$reports"
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# A fresh gateway (WARN logs) on a fresh sink; the sink's options, if any, after --.
gateway() {
  local sink_options=()
  if [ "${1:-}" = -- ]; then shift; sink_options=("$@"); fi
  start_api_sink "${sink_options[@]}"
  GATEWAY_LOG_LEVEL=warn start_gateway
  server_pid=$gateway_pid
}
stop_gateway() { stop "$gateway_pid"; stop "$api_pid"; }

# The Node.js peer on a free port; $1 implicit or starttls.
peer() {
  peer_port=$(free_port)
  node "$peer_dir/smtp-peer.mjs" "$peer_port" "$1" "$work/ec.crt" "$work/ec.key" >"$work/peer.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_port "$peer_port" "$work/peer.log"
}

per_message=(--connections 50 --messages-per-connection 1 --size 1024 --recipients 1)
reused=(--connections 50 --size 1024 --recipients 1)

if wanted handshakes; then
  GATEWAY_TLS_CERT="$work/ec.crt" GATEWAY_TLS_KEY="$work/ec.key" gateway
  measure handshakes-465 --port "$smtps_port" --tls implicit "${per_message[@]}"
  measure handshakes-587 --port "$smtp_port" --tls starttls "${per_message[@]}"
  stop_gateway
  GATEWAY_TLS_CERT="$work/rsa.crt" GATEWAY_TLS_KEY="$work/rsa.key" gateway
  measure handshakes-465-rsa --port "$smtps_port" --tls implicit "${per_message[@]}"
  stop_gateway
  peer implicit
  measure peer-handshakes-465 --port "$peer_port" --tls implicit "${per_message[@]}"
  stop "$server_pid"
  peer starttls
  measure peer-handshakes-587 --port "$peer_port" --tls starttls "${per_message[@]}"
  stop "$server_pid"
fi

if wanted peer || wanted newsletter || wanted soak; then
  gateway
  measure gateway-1k --port "$smtps_port" --tls implicit "${reused[@]}"
  if wanted newsletter; then
    measure newsletter-1 --port "$smtps_port" --tls implicit --connections 50 --size 61440 --content newsletter --recipients 1
    measure newsletter-10 --port "$smtps_port" --tls implicit --connections 50 --size 61440 --content newsletter --recipients 10
    measure pdf-1m --port "$smtps_port" --tls implicit --connections 50 --size 1435000 --content attachment --recipients 1
  fi
  stop_gateway
  if wanted peer; then
    peer implicit
    measure peer-1k --port "$peer_port" --tls implicit "${reused[@]}"
    stop "$server_pid"
  fi
fi

if wanted distant-api; then
  many=(--connections 2000 --size 1024 --recipients 1)
  gateway
  measure instant-api-2000 --port "$smtps_port" --tls implicit "${many[@]}"
  stop_gateway
  gateway -- --delay-ms "$api_delay_ms"
  measure distant-api-2000 --port "$smtps_port" --tls implicit "${many[@]}" --api-sink "fast-sink, ${api_delay_ms} ms"
  stop_gateway
fi

if wanted api-tls; then
  gateway
  measure api-h2c --port "$smtps_port" --tls implicit "${reused[@]}"
  stop_gateway
  start_api_sink --tls "$work/api.crt" "$work/api.key"
  GATEWAY_API_URL="https://127.0.0.1:$api_port" GATEWAY_API_H2C=false GATEWAY_LOG_LEVEL=warn \
    GATEWAY_JAVA_OPTS="-Djavax.net.ssl.trustStore=$work/trust.p12 -Djavax.net.ssl.trustStorePassword=changeit" \
    start_gateway
  server_pid=$gateway_pid
  measure api-h2-tls --port "$smtps_port" --tls implicit "${reused[@]}" --api-sink "fast-sink, h2 over TLS"
  stop_gateway
fi

if wanted soak && [ "$quick" = false ]; then
  rate=$(python3 -c 'import json,sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["run"] == "gateway-1k": print(int(r["messages_per_second"] / 2))' "$reports")
  gateway
  echo "soak: $soak_minutes minutes at $rate msg/s" >&2
  python3 benchmarks/tools/soak-sampler.py "$gateway_pid" "$http_port" "$gateway_log" "$soak_minutes" >"$work/soak.json" &
  sampler=$!
  warmup=5 duration=$((soak_minutes * 60)) measure soak --port "$smtps_port" --tls implicit "${reused[@]}" --rate "$rate"
  wait "$sampler"
  stop_gateway
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); r["run"]="soak-samples"; print(json.dumps(r))' \
    "$work/soak.json" >>"$reports"
fi

python3 benchmarks/tools/scenarios-report.py "$reports" "$quick"
