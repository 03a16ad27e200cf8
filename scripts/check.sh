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
# Pass 2 runs beside passes 1 and 3: pass 1 spends most of its time waiting on Chromium and
# the live server, pass 2 on one core; nothing is shared (pass 2 has its own SQLite, cache,
# broker and temporary directories, and leaves pytest's cache alone). Pass 3 uses pass 1's
# PostgreSQL test database, so it follows pass 1.
embedded=$(mktemp -d /tmp/ldn-embedded.XXXXXX)
trap 'rm -rf "$embedded"' EXIT
echo "== pytest, pass 2 of 3 started in the background: the embedded set-up (SQLite, filesystem broker; no browser tests)"
(
  set +e
  env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL LDN_ENV=embedded LDN_VAR_DIR="$embedded" \
    $bin/pytest -q -p no:cacheprovider --basetemp="$embedded/pytest" --ignore=tests/e2e "$@" >"$embedded/pass2.log" 2>&1
  echo $? >"$embedded/pass2.rc"
) &
pass2=$!
set +e
echo "== pytest, pass 1 of 3: PostgreSQL and Redis (every test, the browser tests included)"
$bin/pytest -q "$@"
pass1_rc=$?
echo "== pytest, pass 3 of 3: the parity-sensitive tests with the fast paths off (PostgreSQL, LDN_FASTPATH=0)"
LDN_FASTPATH=0 $bin/pytest -q -m fastpath_parity "$@"
pass3_rc=$?
wait "$pass2"
set -e
echo "== pytest, pass 2 of 3: the embedded set-up (SQLite, filesystem broker; no browser tests)"
cat "$embedded/pass2.log"
pass2_rc=$(cat "$embedded/pass2.rc")
echo "== pass 1: exit $pass1_rc; pass 2: exit $pass2_rc; pass 3: exit $pass3_rc"
[ "$pass1_rc" -eq 0 ] && [ "$pass2_rc" -eq 0 ] && [ "$pass3_rc" -eq 0 ]
