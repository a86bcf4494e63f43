#!/usr/bin/env bash
# Assembles a Java 17 runtime image from this machine's Debian packages, for building and running the gateway's image
# where no registry can be reached: a runtime cut from openjdk-17 by jlink, the glibc libraries it and Netty's native
# libraries load, a gateway user (10001) and a world-writable /tmp. Writes it as a docker-archive tarball, the form
# Jib takes as a base with -Dimage.base=tar://<file>.
# Usage: deployment/image/local-base.sh OUTPUT.tar   (needs podman; JDK=... picks another Java 17 JDK with jmods)
set -euo pipefail
out=$(realpath -m "${1:?usage: local-base.sh OUTPUT.tar}")
jdk=${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}
name=localhost/smtp-gateway-base:17
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs

"$jdk/bin/jlink" --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.zipfs \
  --strip-debug --no-header-files --no-man-pages --output "$root/opt/java/openjdk"

# The runtime's libraries and what they link against, plus what Netty's native transport and BoringSSL (extracted
# to /tmp at start) link against: librt, libpthread, libdl, libc.
libraries() {
  find "$root/opt/java/openjdk" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} + 2>/dev/null |
    awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// && $2 ~ /^\(/ {print $1}'
  ls /lib/x86_64-linux-gnu/{librt,libpthread,libdl,libc,libm}.so.* /lib64/ld-linux-x86-64.so.2
}
for library in $(libraries | sort -u); do
  mkdir -p "$root$(dirname "$library")"
  cp -L "$library" "$root$library"
done

mkdir -p "$root/etc" "$root/tmp"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\ngateway:x:10001:10001:gateway:/tmp:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\ngateway:x:10001:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"

tar -C "$root" -cf "$work/rootfs.tar" .
podman import --quiet \
  --change 'ENV PATH=/opt/java/openjdk/bin:/usr/bin:/bin' \
  --change 'ENV JAVA_HOME=/opt/java/openjdk' \
  "$work/rootfs.tar" "$name" >/dev/null
rm -f "$out"
podman save --quiet --format docker-archive -o "$out" "$name"
echo "$out: $name ($(du -h "$out" | cut -f1))"
