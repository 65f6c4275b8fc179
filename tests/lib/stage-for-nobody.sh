#!/bin/bash
# stage-for-nobody.sh: copies a built ringfence (CLI, library, plugins, helper, test scripts) into a
# world-readable temporary folder so that uid 65534 can run it wherever the build tree lives.
# Prints the folder.  Usage: stage-for-nobody.sh BUILD/core/ringfence
set -eu
rf=$(readlink -f "$1")
build=$(cd "$(dirname "$rf")/.." && pwd)
src=$(cd "$(dirname "$0")/.." && pwd)
# Not below /tmp: that is a writable root, and ringfence refuses helpers a sandbox could replace.
stage=$(mktemp -d /var/tmp/rf-stage-XXXXXX)
mkdir -p "$stage/bin" "$stage/lib" "$stage/backends" "$stage/libexec"
cp "$rf" "$stage/bin/ringfence"
find "$build/core" -maxdepth 1 -name "libringfence.so*" ! -type d -exec cp -P {} "$stage/lib/" \;
cp "$build"/plugins/*/rf-backend-*.so "$stage/backends/" 2>/dev/null || true
cp "$build"/plugins/linux-common/ringfence-sandbox-init "$build"/plugins/linux-common/ringfence-fs-proxy "$stage/libexec/"
# --network proxy's helper, once it is built (core/netproxy).
if [ -x "$build"/plugins/linux-common/ringfence-netproxy ]; then
  cp "$build"/plugins/linux-common/ringfence-netproxy "$stage/libexec/"
fi
cp "$src"/integration/*.sh "$stage/"
[ -d "$src/escape" ] && cp -r "$src/escape" "$stage/escape-src" 2>/dev/null || true
chmod -R a+rX "$stage"
echo "$stage"
