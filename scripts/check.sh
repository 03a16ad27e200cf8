#!/usr/bin/env bash
# What CI runs (inside scripts/with-services.sh): lint, format, types, migrations, and the
# tests twice: the whole suite on PostgreSQL + Redis and, beside it, the non-browser suite again on
# the embedded set-up of `make run` (SQLite, the filesystem broker, LDN_ENV=embedded).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
echo "== ruff check";  $bin/ruff check .
echo "== ruff format"; $bin/ruff format --check .
echo "== mypy";        $bin/mypy .
echo "== migrations";  $bin/python manage.py makemigrations --check --dry-run >/dev/null
# The two passes run side by side: pass 1 spends most of its time waiting on Chromium and
# the live server, pass 2 on one core; nothing is shared (pass 2 has its own SQLite, cache,
# broker and temporary directories, and leaves pytest's cache alone).
embedded=$(mktemp -d /tmp/ldn-embedded.XXXXXX)
trap 'rm -rf "$embedded"' EXIT
echo "== pytest, pass 2 of 2 started in the background: the embedded set-up (SQLite, filesystem broker; no browser tests)"
(
  set +e
  env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL LDN_ENV=embedded LDN_VAR_DIR="$embedded" \
    $bin/pytest -q -p no:cacheprovider --basetemp="$embedded/pytest" --ignore=tests/e2e "$@" >"$embedded/pass2.log" 2>&1
  echo $? >"$embedded/pass2.rc"
) &
pass2=$!
echo "== pytest, pass 1 of 2: PostgreSQL and Redis (every test, the browser tests included)"
set +e
$bin/pytest -q "$@"
pass1_rc=$?
wait "$pass2"
set -e
echo "== pytest, pass 2 of 2: the embedded set-up (SQLite, filesystem broker; no browser tests)"
cat "$embedded/pass2.log"
pass2_rc=$(cat "$embedded/pass2.rc")
echo "== pass 1: exit $pass1_rc; pass 2: exit $pass2_rc"
[ "$pass1_rc" -eq 0 ] && [ "$pass2_rc" -eq 0 ]
