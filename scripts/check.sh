#!/usr/bin/env bash
# What CI runs (inside scripts/with-services.sh): lint, format, types, migrations, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
echo "== ruff check";  $bin/ruff check .
echo "== ruff format"; $bin/ruff format --check .
echo "== mypy";        $bin/mypy .
echo "== migrations";  $bin/python manage.py makemigrations --check --dry-run >/dev/null
echo "== pytest";      $bin/pytest -q "$@"
