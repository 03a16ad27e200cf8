"""One setting turns every fast path off: LDN_FASTPATH=0 in the environment makes
settings.FASTPATH false (a fresh process reads it as `make test`'s third pass does)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from diary import fastpath

pytestmark = pytest.mark.django_db

READ = "import django; django.setup(); from django.conf import settings; print(settings.FASTPATH)"


@pytest.mark.parametrize(("env", "expected"), [(None, "True"), ("1", "True"), ("0", "False"), ("false", "False")])
def test_ldn_fastpath_sets_the_setting(env, expected):
    environ = {k: v for k, v in os.environ.items() if k != "LDN_FASTPATH"}
    if env is not None:
        environ["LDN_FASTPATH"] = env
    environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    out = subprocess.run([sys.executable, "-c", READ], env=environ, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected


def test_the_switch_is_read_at_each_call(settings):
    settings.FASTPATH = True
    assert fastpath.on()
    settings.FASTPATH = False
    assert not fastpath.on()
    assert not fastpath.on_postgres()
