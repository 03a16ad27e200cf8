#!/usr/bin/env bash
# What CI runs (inside scripts/with-services.sh): lint, format, types, migrations, and the
# tests three times: the whole suite on PostgreSQL + Redis, the non-browser suite again on the
# embedded set-up of `make run` (SQLite, the filesystem broker, LDN_ENV=embedded), and the
# parity-sensitive tests on PostgreSQL with every fast path off (LDN_FASTPATH=0,
# diary/fastpath/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
echo "== ruff check";  $bin/ruff check .
echo "== ruff format"; $bin/ruff format --check .
echo "== mypy";        $bin/mypy .
echo "== migrations";  $bin/python manage.py makemigrations --check --dry-run >/dev/null
echo "== pytest, pass 1 of 3: PostgreSQL and Redis (every test, the browser tests included)"
$bin/pytest -q "$@"
echo "== pytest, pass 2 of 3: the embedded set-up (SQLite, filesystem broker; no browser tests)"
embedded=$(mktemp -d /tmp/ldn-embedded.XXXXXX)
trap 'rm -rf "$embedded"' EXIT
env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL LDN_ENV=embedded LDN_VAR_DIR="$embedded" \
  $bin/pytest -q --ignore=tests/e2e "$@"
echo "== pytest, pass 3 of 3: the parity-sensitive tests with the fast paths off (PostgreSQL, LDN_FASTPATH=0)"
LDN_FASTPATH=0 $bin/pytest -q -m fastpath_parity "$@"
