#!/usr/bin/env bash
# Runs every benchmark under bench/ in turn (make bench runs this inside
# scripts/with-services.sh, which provides DATABASE_URL, REDIS_URL and CELERY_BROKER_URL).
# A benchmark exits 0 when it meets its goals, 1 when it misses one, 2 when it cannot run;
# all of them run either way, and this script exits non-zero if any did not pass.
set -uo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python

benches=(write_path insights reminders dashboard frontend fhir)
failed=()
for name in "${benches[@]}"; do
  echo "== bench/$name"
  "$py" -m "bench.$name.run" "$@"
  status=$?
  [ "$status" -eq 0 ] || failed+=("$name (exit $status)")
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "== benchmarks that did not pass: ${failed[*]}" >&2
  exit 1
fi
echo "== all benchmarks passed"
