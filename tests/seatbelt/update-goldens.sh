#!/bin/sh
# update-goldens.sh: rewrite tests/seatbelt/golden/ from the current renderer, then show what changed.
# Usage: tests/seatbelt/update-goldens.sh [BUILD_DIR]   (default: build)
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
RF_SEATBELT_UPDATE_GOLDENS=1 meson test -C "$build" --suite seatbelt
meson test -C "$build" --suite seatbelt
git -C "$here" diff --stat -- golden
echo "Review 'git diff tests/seatbelt/golden': it is the change in what a Mac would enforce."
