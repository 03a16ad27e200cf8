#!/usr/bin/env bash
# `make run`: the embedded mode. SQLite, kombu's filesystem broker, demo data;
# starts web + Celery worker + Celery beat and stops them all on Ctrl-C.
# LDN_VAR_DIR (default var/) holds the database, the broker's folders, the logs and the mail.
set -euo pipefail
cd "$(dirname "$0")/.."
export LDN_ENV=embedded DJANGO_SETTINGS_MODULE=config.settings
host=${HOST:-127.0.0.1}
port=${PORT:-8000}
var=${LDN_VAR_DIR:-var}
py=.venv/bin/python
mkdir -p "$var/broker/out" "$var/broker/processed" "$var/cache" "$var/mail"

$py manage.py migrate --no-input -v 0
$py manage.py seed_demo --if-empty

pids=()
stop() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

.venv/bin/celery -A config worker --pool=solo --loglevel=warning >"$var/worker.log" 2>&1 &
pids+=($!)
.venv/bin/celery -A config beat --loglevel=warning -s "$var/celerybeat-schedule" >"$var/beat.log" 2>&1 &
pids+=($!)

cat <<MSG

  LDN Diary is running at http://$host:$port/
    API docs:     http://$host:$port/api/v1/docs/
    Admin:        http://$host:$port/admin/

  Demo logins (password for all: demo-password-1):
$($py manage.py seed_demo --print-logins)

  Clinicians and the admin sign in with a second factor: add the TOTP secret above to
  an authenticator app, or get the current code with
    .venv/bin/python manage.py totp_code clinician@demo.ldn-diary.test
  (the admin signs in through the app's sign-in, /admin/ sends you there).

  E-mail is not sent in this mode. Every message (sign-up and password-reset codes,
  reminders) is printed below as it is sent, and kept as a file in
    $(cd "$var" && pwd)/mail/

  Worker log: $var/worker.log   Beat log: $var/beat.log   Stop: Ctrl-C
MSG

$py manage.py runserver "$host:$port" --noreload &
pids+=($!)
wait "${pids[-1]}"
