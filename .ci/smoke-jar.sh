#!/usr/bin/env bash
# Starts gateway-server/target/smtp-gateway.jar with the given java and its sandbox API, sends a message through it
# over STARTTLS and checks the sandbox received it; checks implicit TLS too, the admin port, and that the JSON log
# format works from the jar (one JSON object a line on stdout, the message's line among them; the JVM's own
# warnings go to stderr).
# Usage: .ci/smoke-jar.sh [path/to/java]
set -euo pipefail
cd "$(dirname "$0")/.."
java_bin=${1:-java}
log=$(mktemp)
GATEWAY_LOG_FORMAT=json GATEWAY_SANDBOX=true GATEWAY_SANDBOX_PORT=28025 GATEWAY_SMTP_PORT=25870 GATEWAY_SMTPS_PORT=24650 GATEWAY_HTTP_PORT=28080 \
  "$java_bin" -jar gateway-server/target/smtp-gateway.jar >"$log" 2>"$log.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true; cat "$log.err" >&2; rm -f "$log" "$log.err"' EXIT
for _ in $(seq 1 60); do
  grep -q "SMTP listening" "$log" && break
  sleep 0.5
done
"$java_bin" -version 2>&1 | head -n 1
SMOKE_LOG="$log" python3 - <<'PY'
import json, os, smtplib, ssl, time, urllib.request
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP("127.0.0.1", 25870, timeout=30) as s:
    s.starttls(context=ctx)
    s.login("sandbox@example.com", "sandbox")
    s.sendmail("sandbox@example.com", ["smoke@example.net"],
               "From: sandbox@example.com\r\nTo: smoke@example.net\r\nSubject: Smoke\r\n\r\nHello\r\n")
with smtplib.SMTP_SSL("127.0.0.1", 24650, context=ctx, timeout=30) as s:
    s.ehlo("ci.example")
    assert s.has_extn("auth")
inbox = json.load(urllib.request.urlopen("http://127.0.0.1:28025/sandbox/messages", timeout=10))
assert [m["subject"] for m in inbox] == ["Smoke"], inbox
ready = urllib.request.urlopen("http://127.0.0.1:28080/health/ready", timeout=10)
assert ready.status == 200, ready.status
metrics = urllib.request.urlopen("http://127.0.0.1:28080/metrics", timeout=10).read().decode()
assert "gateway_recipients_total" in metrics, metrics[:500]
for _ in range(50):  # the log is written by an asynchronous appender
    lines = [line for line in open(os.environ["SMOKE_LOG"]) if line.strip()]
    events = [json.loads(line) for line in lines if line.startswith("{")]
    if any(e.get("log.logger") == "io.cakemail.gateway.messages" for e in events):
        break
    time.sleep(0.1)
assert len(events) == len(lines), [line for line in lines if not line.startswith("{")][:3]
message = next(e for e in events if e.get("log.logger") == "io.cakemail.gateway.messages")
assert message["smtp.reply.code"] == "250" and message["session.id"], message
print("smoke test passed")
PY
