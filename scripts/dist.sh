#!/usr/bin/env bash
# Build the bundle and pack it for download: dist/FocalPoint-<version>-linux-<arch>.tar.xz
# (symbolic links kept: focalpoint-cli is one). Unpack anywhere and run FocalPoint/FocalPoint.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN build.spec
version=$("$PY" -c 'import focalpoint; print(focalpoint.__version__)')
out="dist/FocalPoint-${version}-linux-$(uname -m).tar.xz"
tar -C dist -cf - FocalPoint | xz -6 -T0 > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out ($(du -h "$out" | cut -f1))"
