#!/bin/sh
# windows-wine-smoke.sh: cross-builds the Windows DLL with mingw-w64 and, under wine, loads it
# through rf-win-smoke.exe (LoadLibrary + rf_backend_entry + render + probe).
# Exit 77 (skipped, with the reason printed) when wine or mingw-w64 is not installed.
set -eu
src=$1
build=$2
cross="$build/win-cross"

if ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
  echo "SKIP: x86_64-w64-mingw32-gcc not found (apt-get install gcc-mingw-w64-x86-64)"
  exit 77
fi
wine=""
for w in wine64 wine; do
  if command -v "$w" >/dev/null 2>&1; then wine=$w; break; fi
done
if [ -z "$wine" ]; then
  echo "SKIP: wine not found (apt-get install wine64)"
  exit 77
fi

if [ ! -f "$cross/build.ninja" ]; then
  meson setup --cross-file "$src/cross/mingw-w64.ini" "$cross" "$src" >"$build/win-cross-setup.log" 2>&1 || {
    cat "$build/win-cross-setup.log"; exit 1; }
fi
ninja -C "$cross" >"$build/win-cross-build.log" 2>&1 || { cat "$build/win-cross-build.log"; exit 1; }

export WINEPREFIX="$build/wineprefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
dll=$(find "$cross" -name rf-backend-windows.dll | head -n 1)
exe=$(find "$cross" -name rf-win-smoke.exe | head -n 1)
[ -n "$dll" ] && [ -n "$exe" ] || { echo "cross build produced no DLL or driver"; exit 1; }

out="$build/wine-smoke.out"
# wine prints its own first-run chatter on stderr; the driver's verdict is on stdout.
timeout 600 "$wine" "$exe" "$dll" >"$out" 2>"$build/wine-smoke.err" || {
  echo "driver failed:"; cat "$out"; tail -n 20 "$build/wine-smoke.err"; exit 1; }
cat "$out"
grep -q '^smoke: render ok' "$out"
grep -q '^smoke: probe ok' "$out"
grep -q "^smoke: launch danger-full-access ran: wait=0 stage=1 code=7" "$out"
