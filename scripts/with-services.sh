#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL and Redis on loopback, then stops them.
#   scripts/with-services.sh pytest -q
# Exports DATABASE_URL, REDIS_URL and CELERY_BROKER_URL for the command.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ldn-services.XXXXXX)
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || { echo "PostgreSQL server binaries not found; run scripts/system-deps.sh" >&2; exit 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
pg_port=${LDN_PG_PORT:-$(free_port)}
redis_port=${LDN_REDIS_PORT:-$(free_port)}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

redis_pid=""
cleanup() {
  status=$?
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$work"; fi
as_pg "$pgbin/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $pg_port -k $work -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null

redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize no \
  >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 50); do
  (exec 3<>/dev/tcp/127.0.0.1/"$redis_port") 2>/dev/null && break
  sleep 0.1
done

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/ldn"
export REDIS_URL="redis://127.0.0.1:$redis_port/0"
export CELERY_BROKER_URL="redis://127.0.0.1:$redis_port/1"
export LDN_PG_BIN="$pgbin" LDN_SERVICES_DIR="$work" LDN_REDIS_PORT="$redis_port" LDN_PG_PORT="$pg_port"
as_pg "$pgbin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres ldn
echo "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port" >&2
"$@"
