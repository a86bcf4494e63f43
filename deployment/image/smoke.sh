#!/usr/bin/env bash
# Runs the gateway's image as the image's own user on a read-only root, sends one message
# through it over STARTTLS and one over implicit TLS to its sandbox API, checks the sandbox received both and the
# heap was sized from the container's memory, then stops it the way Kubernetes does (SIGTERM) and checks that it
# drained and exited 0.
# Usage: deployment/image/smoke.sh [IMAGE]   (IMAGE: one already built; by default deployment/image/build.sh builds it)
#   CONTAINER_ENGINE  podman (default; run with runc) or docker
set -euo pipefail
cd "$(dirname "$0")/../.."
engine=${CONTAINER_ENGINE:-podman}
work=$(mktemp -d)
name=smtp-gateway-smoke-$$
trap '"$engine" rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

image=${1:-$(deployment/image/build.sh)}
echo "image: $image"

# A read-only root with a writable /tmp, as the chart runs it. Host networking on loopback, high ports (the image's
# 587 and 465 need the runtime to allow unprivileged low ports, which Docker and Kubernetes runtimes grant in a
# network namespace of their own). With podman: runc rather than crun, and explicit limits, for crun and podman's
# default limits fail on some kernels' cgroups.
# Free ports, chosen now: a fixed one in the ephemeral range may be some client connection's local port.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
smtp=$(free_port) smtps=$(free_port) http=$(free_port) sandbox=$(free_port)
options=()
if [ "$engine" = podman ]; then
  options=(--runtime /usr/sbin/runc --ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
fi
"$engine" run -d --name "$name" "${options[@]}" --network=host --memory 1g \
  --read-only --tmpfs /tmp:rw,exec,mode=1777 \
  -e GATEWAY_BIND_ADDRESS=127.0.0.1 -e GATEWAY_SANDBOX=true -e GATEWAY_SANDBOX_PORT="$sandbox" \
  -e GATEWAY_SMTP_PORT="$smtp" -e GATEWAY_SMTPS_PORT="$smtps" -e GATEWAY_HTTP_PORT="$http" \
  "$image" >/dev/null
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$http/health/ready" >/dev/null && break
  sleep 0.5
done
if ! curl -fsS "http://127.0.0.1:$http/health/ready"; then
  "$engine" ps -a --filter "name=$name" >&2
  "$engine" logs "$name" >&2 || true
  exit 1
fi

SMTP=$smtp SMTPS=$smtps HTTP=$http SANDBOX=$sandbox python3 - <<'PY'
import json, os, smtplib, ssl, urllib.request
smtp, smtps, http, sandbox = (int(os.environ[name]) for name in ("SMTP", "SMTPS", "HTTP", "SANDBOX"))
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
message = "From: sandbox@example.com\r\nTo: {0}\r\nSubject: From the container\r\n\r\nHello\r\n"
with smtplib.SMTP("127.0.0.1", smtp, timeout=30) as s:
    s.starttls(context=ctx)
    s.login("sandbox@example.com", "sandbox")
    s.sendmail("sandbox@example.com", ["image-587@example.net"], message.format("image-587@example.net"))
with smtplib.SMTP_SSL("127.0.0.1", smtps, context=ctx, timeout=30) as s:
    s.login("sandbox@example.com", "sandbox")
    s.sendmail("sandbox@example.com", ["image-465@example.net"], message.format("image-465@example.net"))
inbox = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sandbox}/sandbox/messages", timeout=10))
received = json.dumps(inbox)
assert "image-587@example.net" in received and "image-465@example.net" in received, received
print("two messages through the container reached the sandbox")

# The heap is sized from the container's memory limit (1 GiB here): 40 %, over all its pools.
metrics = urllib.request.urlopen(f"http://127.0.0.1:{http}/metrics", timeout=10).read().decode()
pools = [float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
         if line.startswith("jvm_memory_max_bytes{") and 'area="heap"' in line]
heap = sum(pool for pool in pools if pool > 0)
assert 0.35 * 2**30 <= heap <= 0.45 * 2**30, heap
print(f"heap limit {heap / 2**20:.0f} MiB of the container's 1024 MiB")
PY

test "$("$engine" inspect --format '{{.Config.User}}' "$name")" = "10001:10001"

"$engine" stop -t 90 "$name" >/dev/null
code=$("$engine" inspect --format '{{.State.ExitCode}}' "$name")
"$engine" logs "$name" >"$work/container.log" 2>&1
grep -q '"Draining: readiness fails now' "$work/container.log" || { echo "no drain in the logs" >&2; exit 1; }
test "$code" = 0 || { echo "exit code $code after SIGTERM" >&2; "$engine" logs "$name" 2>&1 | tail -20 >&2; exit 1; }
echo "stopped by SIGTERM after its drain, exit code 0"
