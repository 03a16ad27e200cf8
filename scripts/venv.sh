#!/usr/bin/env bash
# Creates .venv and installs the pinned dependencies; reinstalls only when
# pyproject.toml or requirements.lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=".venv/.installed-$(cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)"
[ -f "$stamp" ] && exit 0
python3 -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
[ -x .venv/bin/python ] || python3 -m venv .venv
echo "Installing Python dependencies into .venv ..."
.venv/bin/pip install -q --disable-pip-version-check -U "pip==26.3" 2>&1 | grep -v 'is ignored' || true
.venv/bin/pip install -q --disable-pip-version-check -c requirements.lock -e ".[dev]" 2>&1 | grep -v 'is ignored' || true
.venv/bin/python -c 'import django, rest_framework, celery, allauth, pghistory' # fail loudly if the install failed
rm -f .venv/.installed-*
touch "$stamp"
