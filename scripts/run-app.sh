#!/usr/bin/env bash
# Set up everything and start FocalPoint on its embedded default (a local SQLite database
# in the user data folder; --data-dir DIR or FOCALPOINT_DATA_DIR choose another).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
  echo "No display found: starting FocalPoint on a virtual screen (xvfb-run)." >&2
  exec xvfb-run -a .venv/bin/focalpoint "$@"
fi
exec .venv/bin/focalpoint "$@"
