#!/usr/bin/env bash
# Renders the sandbox inbox in headless Chromium: starts the gateway with its sandbox, sends two messages through
# it (the newest, shown open, with HTML and a PDF attachment), and writes a screenshot of http://127.0.0.1:<port>/.
# Needs a built jar (mvn -B -q -DskipTests package), python3 and Debian's chromium (apt-get install chromium).
# Usage: gateway-sandbox/inbox-screenshot.sh [output.png]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/inbox.png}
missing=()
command -v chromium >/dev/null || missing+=("chromium (Debian: apt-get install chromium)")
command -v python3 >/dev/null || missing+=("python3")
[ -f gateway-server/target/smtp-gateway.jar ] || missing+=("the jar (mvn -B -q -DskipTests package)")
if [ ${#missing[@]} -gt 0 ]; then
  printf 'inbox-screenshot.sh needs: %s\n' "${missing[@]}" >&2
  exit 1
fi
mkdir -p "$(dirname "$out")"
log=$(mktemp)
GATEWAY_SANDBOX=true GATEWAY_SANDBOX_PORT=38025 GATEWAY_SMTP_PORT=35870 GATEWAY_SMTPS_PORT=34650 GATEWAY_HTTP_PORT=38080 \
  java -jar gateway-server/target/smtp-gateway.jar >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 60); do grep -q "SMTP listening" "$log" && break; sleep 0.5; done
if ! grep -q "SMTP listening" "$log"; then
  echo "the gateway did not start within 30 s:" >&2
  cat "$log" >&2
  exit 1
fi
python3 - <<'PY'
import smtplib, ssl
from email.message import EmailMessage
ctx = ssl._create_unverified_context()
with smtplib.SMTP_SSL("127.0.0.1", 34650, context=ctx, timeout=30) as s:
    s.login("sandbox@example.com", "sandbox")
    plain = EmailMessage()
    plain["From"] = "sandbox@example.com"
    plain["To"] = "bob@example.net"
    plain["Subject"] = "Plain text reminder"
    plain.set_content("Just text.")
    s.send_message(plain)
    m = EmailMessage()
    m["From"] = "Sandbox Shop <sandbox@example.com>"
    m["To"] = "alice@example.net"
    m["Subject"] = "Your order has shipped"
    m["X-Tags"] = "orders, shipping"
    m.set_content("Your order #1042 has shipped.")
    m.add_alternative("<div style='font-family:sans-serif'><h2 style='color:#e4572e'>Your order has shipped</h2>"
                      "<p>Order <b>#1042</b> is on its way.</p></div>", subtype="html")
    m.add_attachment(b"%PDF-1.4\n%\xe2\xe3\n%%EOF\n", maintype="application", subtype="pdf", filename="invoice-1042.pdf")
    s.send_message(m)
PY
timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" --hide-scrollbars \
  --window-size=1280,900 --screenshot="$out" http://127.0.0.1:38025/ 2>/dev/null || {
  echo "chromium did not write the screenshot within 60 s" >&2
  exit 1
}
echo "screenshot written to $out"
