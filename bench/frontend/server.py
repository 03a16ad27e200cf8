"""A live app for a real browser: a fresh database in the PostgreSQL server of DATABASE_URL
(which `scripts/with-services.sh` starts), migrated and filled with the demo clinic
(`manage.py seed_demo`: months of diaries and real insights), served by gunicorn on a free
loopback port with the test settings (plain HTTP on 127.0.0.1, which browsers treat as a
secure origin, so the service worker runs). Used by bench/frontend and scripts/screenshots.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType

from bench.write_path.harness import HOST, assert_loopback, drop_database, free_port, recreate_database, with_database

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "frontend" / "dist"
DEMO_PASSWORD = "demo-password-1"


def log(name: str, message: str) -> None:
    print(f"[{name} {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class CannotRun(Exception):
    """Something the live app needs is missing (exit status 2 for a bench)."""


class LiveApp:
    """`with LiveApp("ldn_bench_frontend", "frontend") as app:` … `app.url` …"""

    def __init__(self, database: str, name: str, *, seed_today: str | None = None, keep: bool = False) -> None:
        self.database = database
        self.name = name
        self.seed_today = seed_today
        self.keep = keep
        self.admin_url = os.environ.get("DATABASE_URL", "")
        if not self.admin_url.startswith("postgres"):
            raise CannotRun("needs DATABASE_URL (PostgreSQL): run it through scripts/with-services.sh")
        assert_loopback(self.admin_url)
        if not (DIST / "index.html").is_file():
            raise CannotRun("frontend/dist is not built: run scripts/frontend.sh")
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.var_dir = Path(tempfile.mkdtemp(prefix=f"ldn-{name}-"))
        self.process: subprocess.Popen[bytes] | None = None

    def _admin_dsn(self) -> str:
        return self.admin_url.replace("postgres://", "postgresql://", 1)

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            LDN_ENV="test",
            DATABASE_URL=with_database(self.admin_url, self.database),
            LDN_VAR_DIR=str(self.var_dir),
            DJANGO_SETTINGS_MODULE="config.settings",
            PYTHONUNBUFFERED="1",
        )
        env.pop("DEBUG", None)
        return env

    def __enter__(self) -> LiveApp:
        env = self._env()
        recreate_database(self._admin_dsn(), self.database)
        log(self.name, f"migrating and seeding the demo clinic into {self.database} (about a minute) ...")
        manage = [sys.executable, "manage.py"]
        subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
        seed = [*manage, "seed_demo"] + (["--today", self.seed_today] if self.seed_today else [])
        subprocess.run(seed, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.log_file = (self.var_dir / "gunicorn.log").open("ab")
        command = [str(gunicorn), "config.wsgi:application", "--bind", f"{HOST}:{self.port}"]
        command += ["--workers", "2", "--worker-class", "gthread", "--threads", "4", "--log-level", "warning"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CannotRun(f"gunicorn exited with {self.process.returncode}: see {self.var_dir}/gunicorn.log")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as reply:
                    if reply.status == 200:
                        log(self.name, f"the app is up at {self.url}")
                        return self
            except OSError:
                time.sleep(0.2)
        raise CannotRun("gunicorn did not answer /healthz within a minute")

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.log_file.close()
        if not self.keep:
            drop_database(self._admin_dsn(), self.database)
