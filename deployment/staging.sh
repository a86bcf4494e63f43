#!/usr/bin/env bash
# Staging in a box: what values-prod.yaml runs, on one machine. Three gateway containers of the image (the rendered
# Deployment's pod run by podman, with the rendered ConfigMap's settings), Debian's HAProxy in front doing what the prod
# values ask of the NLB (PROXY v2 to SMTP, HTTP health checks of the admin port behind PROXY v2), a real Redis and the
# sandbox as the API. Python's smtplib sends a steady load through the balancer while one gateway is rolled (SIGTERM,
# drain, restart). Prints the report (targets healthy before and after, client resets, replies other than 250,
# messages in the sandbox against the 250s the clients counted) and fails when a target is missed. The report and
# every log are left in deployment/target/staging/. StagingInABoxTest says what the box changes from prod, and why.
# Usage: deployment/staging.sh [IMAGE]   (IMAGE: one already built; by default deployment/image/build.sh builds it)
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-$(deployment/image/build.sh)}
echo "image: $image"
mvn -B -q -pl deployment -am test -Dtest=StagingInABoxTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dstaging.image="$image" -Dcheckstyle.skip -Dspotless.check.skip -Djacoco.skip=true
echo "staging in a box: report in deployment/target/staging/report.json"
