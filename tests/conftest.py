from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from diary.models import Clinician, Patient
from diary.postgres_only import FEATURES
from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory, PatientFactory, link, totp_code


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Both passes (PostgreSQL and the embedded SQLite) hash the tests' passwords quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# The test files whose every test must pass with the fast paths off as well (they cover the
# code the shortcuts replace); scripts/check.sh runs them, and the tests marked
# `fastpath_parity`, a third time with LDN_FASTPATH=0. diary/fastpath/README.md.
FASTPATH_PARITY_FILES = (
    "tests/diary/fastpath/",
    "tests/diary/dashboard/",
    "tests/diary/test_auth_backend.py",
    "tests/diary/test_entries.py",
    "tests/diary/test_reminders.py",
    "tests/diary/test_insights_jobs.py",
    "tests/diary/test_insights_store.py",
    "tests/diary/test_history.py",
    "tests/diary/test_concurrency.py",
    "tests/config/test_cache.py",
    "tests/config/test_headers.py",
    "tests/api/test_entries.py",
    "tests/api/test_entry_out.py",
    "tests/api/test_changes.py",
    "tests/api/test_races.py",
    "tests/api/test_sessions.py",
    "tests/api/test_auth.py",
)


def pytest_collection_modifyitems(config: Any, items: list[pytest.Item]) -> None:
    """``@pytest.mark.postgres_only("feature")``: skipped on SQLite with the feature's reason
    (diary/postgres_only.py names each feature and what the embedded mode does instead).
    The tests of FASTPATH_PARITY_FILES are marked ``fastpath_parity``."""
    from django.conf import settings

    on_sqlite = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    for item in items:
        if item.nodeid.startswith(FASTPATH_PARITY_FILES):
            item.add_marker(pytest.mark.fastpath_parity)
        for mark in item.iter_markers("postgres_only"):
            name = mark.args[0]
            if name not in FEATURES:
                raise pytest.UsageError(f"{item.nodeid}: unknown PostgreSQL-only feature {name!r}")
            if on_sqlite:
                feature = FEATURES[name]
                item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only ({name}): {feature.what}"))


@pytest.fixture(autouse=True, scope="session")
def _real_database(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The suite runs on a real PostgreSQL (make test starts one), and a second time on the
    embedded set-up (SQLite, LDN_ENV=embedded); never on anything else."""
    from django.conf import settings

    with django_db_blocker.unblock():
        embedded = connection.vendor == "sqlite" and settings.LDN_ENV == "embedded"
        if connection.vendor != "postgresql" and not embedded:
            pytest.exit("Tests need PostgreSQL or the embedded settings: run them with `make test`.", 2)


# The API tests' "now": 13:00 in Berlin (alice's zone), 07:00 in New York.
NOW = "2026-11-21T12:00:00+00:00"


@pytest.fixture
def frozen() -> Any:
    """Time stands still at NOW (use `frozen.shift(...)` to move it)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(params=[True, False], ids=["fastpath", "public-api"])
def fastpath(request: Any, settings: Any) -> bool:
    """Run the test with the fast paths on and again off (settings.FASTPATH)."""
    settings.FASTPATH = request.param
    return bool(request.param)


@pytest.fixture
def fastpath_on(settings: Any) -> None:
    """For a test of a shortcut's own promise (a query count, a kept client): the fast paths
    on, whatever LDN_FASTPATH says."""
    settings.FASTPATH = True


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """The cache is a real Redis shared by the whole run (rate limits live there)."""
    from django.core.cache import cache

    cache.clear()
    Api.sessions.clear()


class Api(APIClient):
    """APIClient that sends JSON by default and decodes it back.

    `as_user` signs a clinician (or staff member) in as the app does: password, then the
    current TOTP code, through allauth's headless API, so every request carries a session
    that passed the second factor; the API refuses any other clinician session. A
    patient is authenticated on every request as a freshly loaded user, as a real session
    would (no profile objects cached between requests).
    """

    user_pk: int | None = None
    # One signed-in session per clinician and test (cleared by _fresh_cache): allauth takes
    # each TOTP code once, and a test's clock (frozen) shows the same code all along.
    sessions: ClassVar[dict[int, str]] = {}

    def as_user(self, user: Any, password: str = PASSWORD, totp_secret: str = TOTP_SECRET) -> Api:
        from diary.models import Clinician

        if not (user.is_staff or Clinician.objects.filter(user=user).exists()):
            self.user_pk = user.pk
            return self
        if user.pk not in self.sessions:
            self.sessions[user.pk] = self.sign_in(user.email, password, totp_secret)
        self.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[user.pk]
        return self

    def sign_in(self, email: str, password: str, totp_secret: str) -> str:
        """Password, then the code when allauth asks for it (a clinician without TOTP is
        not asked) → the session cookie's value."""
        auth = "/_allauth/browser/v1/auth"
        reply = self.post(f"{auth}/login", {"email": email, "password": password}, format="json")
        pending = [f["id"] for f in reply.json().get("data", {}).get("flows", []) if f.get("is_pending")]
        if reply.status_code == 401 and pending == ["mfa_authenticate"]:
            reply = self.post(f"{auth}/2fa/authenticate", {"code": totp_code(totp_secret)}, format="json")
        assert reply.status_code == 200, reply.json()
        return self.cookies[settings.SESSION_COOKIE_NAME].value

    def call(self, method: str, path: str, body: Any = None, **headers: Any) -> Any:
        if self.user_pk is not None:
            from diary.models import User

            self.force_authenticate(User.objects.get(pk=self.user_pk))
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["data"] = json.dumps(body) if not isinstance(body, (str, bytes)) else body
            kwargs["content_type"] = headers.pop("content_type", "application/json")
        response = getattr(self, method.lower())(path, **kwargs, **headers)
        # a streamed answer (the FHIR export) is read once, here: `body` holds it
        response.body = b"".join(response.streaming_content) if response.streaming else response.content
        try:
            response.json_body = json.loads(response.body) if response.body else None
        except ValueError:
            response.json_body = None
        return response


@dataclass
class Cast:
    """The people of every access test: alice (patient), her clinician bob, charlie
    (clinician at another clinic), dora (another patient), and anonymous."""

    alice: Patient
    bob: Clinician
    charlie: Clinician
    dora: Patient
    colleague: Clinician

    def client(self, who: str) -> Api:
        api = Api()
        person = {
            "alice": self.alice.user,
            "bob": self.bob.user,
            "charlie": self.charlie.user,
            "dora": self.dora.user,
            "colleague": self.colleague.user,
        }.get(who)
        return api.as_user(person) if person is not None else api


@pytest.fixture
def cast(db: Any) -> Cast:
    alice = PatientFactory.create(user__email="alice@example.org", user__display_name="Alice")
    bob = ClinicianFactory.create(user__email="bob@example.org", user__display_name="Dr Bob")
    charlie = ClinicianFactory.create(user__email="charlie@example.org", user__display_name="Dr Charlie")
    dora = PatientFactory.create(user__email="dora@example.org", user__display_name="Dora")
    colleague = ClinicianFactory.create(user__email="cleo@example.org", clinic=bob.clinic)
    link(alice, bob)
    return Cast(alice=alice, bob=bob, charlie=charlie, dora=dora, colleague=colleague)


@pytest.fixture
def api() -> Api:
    return Api()
