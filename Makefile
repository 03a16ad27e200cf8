# LDN Diary: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python

.PHONY: help venv frontend run test check bench fuzz screenshots lock clean

help:
	@echo "make run    - set up and start the app with demo data (SQLite, no servers needed)"
	@echo "make test   - set up and run lint, types and all tests on real PostgreSQL + Redis"
	@echo "make bench  - run the benchmarks under bench/ (results: docs/benchmarks.md)"
	@echo "make fuzz   - Schemathesis, all checks, against a production-settings gunicorn (docs/security.md)"
	@echo "make lock   - refresh requirements.lock after changing pyproject.toml"
	@echo "make screenshots - regenerate docs/screenshots/*.png (the demo patient in Chromium)"

venv:
	@scripts/venv.sh

frontend:
	@scripts/frontend.sh

run: venv frontend
	@scripts/run-embedded.sh

test: venv frontend
	@scripts/system-deps.sh chromium
	@LDN_ENV=test scripts/with-services.sh scripts/check.sh

bench: venv frontend
	@scripts/system-deps.sh chromium
	@LDN_ENV=test scripts/with-services.sh bench/run_all.sh

fuzz: venv
	@LDN_ENV=test scripts/with-services.sh .venv/bin/python scripts/fuzz.py

screenshots: venv frontend
	@scripts/system-deps.sh chromium
	@LDN_ENV=test scripts/with-services.sh .venv/bin/python scripts/screenshots.py

lock:
	@rm -rf /tmp/ldn-lock && python3 -m venv /tmp/ldn-lock && /tmp/ldn-lock/bin/pip install -q -U pip \
	  && /tmp/ldn-lock/bin/pip install -q -e ".[dev]" \
	  && /tmp/ldn-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock && echo "requirements.lock updated"

clean:
	rm -rf .venv var frontend/dist frontend/node_modules
