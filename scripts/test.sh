#!/usr/bin/env bash
# Set up everything the tests need, check lint (ruff) and types (mypy), and run the whole suite.
# PostgreSQL: a local server is started and the hub's tests run on it too
# (FOCALPOINT_TEST_POSTGRES_URL); SQLite always.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test

if [ -z "${FOCALPOINT_TEST_POSTGRES_URL:-}" ] && command -v pg_lsclusters >/dev/null 2>&1; then
  cluster=$(pg_lsclusters -h 2>/dev/null | head -n1 || true)
  if [ -n "$cluster" ]; then
    ver=$(echo "$cluster" | awk '{print $1}'); name=$(echo "$cluster" | awk '{print $2}')
    pg_ctlcluster "$ver" "$name" start 2>/dev/null || true
    if [ "$(id -u)" -eq 0 ]; then
      su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='root'\"" | grep -q 1 \
        || su postgres -c "createuser -s root"
      psql -d postgres -qtAc "SELECT 1 FROM pg_database WHERE datname='focalpoint_test'" | grep -q 1 \
        || createdb focalpoint_test
      export FOCALPOINT_TEST_POSTGRES_URL="postgresql+psycopg:///focalpoint_test?host=/var/run/postgresql"
      echo "Hub tests will also run on PostgreSQL $ver ($FOCALPOINT_TEST_POSTGRES_URL)"
    fi
  fi
fi

# lint and types first: seconds, and a failure here fails the run
echo "ruff check…"
.venv/bin/ruff check focalpoint tests bench
echo "mypy…"
.venv/bin/mypy

export QT_QPA_PLATFORM=offscreen
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider --durations=15 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
