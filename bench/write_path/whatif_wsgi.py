"""WSGI entry point for what-if runs: config.wsgi's application with the LDN_BENCH_WHATIF
patches applied (see whatif.py). Used only when run.py is given --what-if."""

from __future__ import annotations

import os

import django
from django.core.handlers.wsgi import WSGIHandler

from bench.write_path import whatif

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)
_names = whatif.requested()
whatif.apply(_names)
application = WSGIHandler()
