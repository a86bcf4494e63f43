#!/usr/bin/env bash
# Builds the gateway's image with Jib (the jar and the modules before it included) and loads it into the container
# engine; prints the loaded image's name on standard output, and nothing else there.
# Usage: deployment/image/build.sh
#   CONTAINER_ENGINE  podman (default) or docker
#   IMAGE_BASE        the base image, such as eclipse-temurin:17-jre; by default one assembled offline from this
#                     machine's Debian packages by local-base.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
engine=${CONTAINER_ENGINE:-podman}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

base=${IMAGE_BASE:-}
if [ -z "$base" ]; then
  deployment/image/local-base.sh "$work/base.tar" >&2
  base="tar://$work/base.tar"
fi
mvn -B -q -Pimage -Dimage.base="$base" -Djib.disableUpdateChecks=true -DskipTests -Dcheckstyle.skip \
  -pl deployment -am package >&2
"$engine" load -q -i deployment/target/smtp-gateway-image.tar | sed -n 's/^Loaded image: //p'
