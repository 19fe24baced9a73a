#!/usr/bin/env bash
# Set up FocalPoint on a fresh Debian machine (run as root, or with sudo available):
# system libraries Qt needs, fonts tools, a virtual environment and the package.
# Usage: scripts/setup.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail
cd "$(dirname "$0")/.."
WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1

PKGS=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
      libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
      libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1 libxrender1 libxi6
      xvfb xauth)
if [ "$WANT_TEST" = 1 ]; then
  PKGS+=(poppler-utils postgresql iproute2 util-linux gcc binutils desktop-file-utils)
  # gcc/binutils: the bundle's ICU data step; desktop-file-utils: checks the desktop entry
fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip 2>&1 | grep -v -e "^WARNING: Location" || true
if [ "$WANT_TEST" = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test,postgres,build]" 2>&1 | grep -v -e "^WARNING: Location" || true
else
  .venv/bin/python -m pip install -q -e . 2>&1 | grep -v -e "^WARNING: Location" || true
fi
# compile the interface catalogues (.mo files are build products, never committed)
.venv/bin/python -m focalpoint.tools.i18n_build compile >/dev/null 2>&1 || true
