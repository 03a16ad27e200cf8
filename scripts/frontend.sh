#!/usr/bin/env bash
# Builds the PWA (frontend/ -> frontend/dist, served by Django at "/").
# `npm ci` runs only when package-lock.json changed, the build only when a source changed.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 (apt-get install nodejs npm)" >&2; exit 1; }

lock_stamp="node_modules/.installed-$(sha1sum package-lock.json | cut -c1-12)"
if [ ! -f "$lock_stamp" ]; then
  echo "Installing frontend dependencies (npm ci) ..."
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lock_stamp"
fi

sources=$( (find src public -type f -print0 | sort -z | xargs -0 sha1sum; \
            sha1sum package.json package-lock.json tsconfig.json vite.config.ts index.html) | sha1sum | cut -c1-12)
build_stamp="dist/.built-$sources"
[ -f "$build_stamp" ] && exit 0
echo "Building the frontend ..."
npm run --silent build >/tmp/ldn-frontend-build.log 2>&1 || { cat /tmp/ldn-frontend-build.log >&2; exit 1; }
# Pre-compressed copies, which whitenoise serves to browsers that accept them.
if [ -x ../.venv/bin/python ]; then ../.venv/bin/python -m whitenoise.compress -q dist; fi
touch "$build_stamp"
