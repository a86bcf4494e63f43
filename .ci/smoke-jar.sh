#!/usr/bin/env bash
# Starts gateway-server/target/smtp-gateway.jar with the given java, checks it greets, upgrades to TLS and
# authenticates, then stops it. Usage: .ci/smoke-jar.sh [path/to/java]
set -euo pipefail
cd "$(dirname "$0")/.."
java_bin=${1:-java}
log=$(mktemp)
GATEWAY_SMTP_PORT=25870 GATEWAY_SMTPS_PORT=24650 "$java_bin" -jar gateway-server/target/smtp-gateway.jar >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 60); do
  grep -q "SMTP listening" "$log" && break
  sleep 0.5
done
"$java_bin" -version 2>&1 | head -n 1
python3 - <<'PY'
import smtplib, ssl
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP("127.0.0.1", 25870, timeout=20) as s:
    s.ehlo("ci.example")
    s.starttls(context=ctx)
    s.ehlo("ci.example")
    s.login("ci@example.com", "secret")
with smtplib.SMTP_SSL("127.0.0.1", 24650, context=ctx, timeout=20) as s:
    s.ehlo("ci.example")
    assert s.has_extn("auth")
print("smoke test passed")
PY
