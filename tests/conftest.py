from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from diary.models import Clinician, Patient
from tests.factories import ClinicianFactory, PatientFactory, link


@pytest.fixture(autouse=True, scope="session")
def _real_postgres(django_db_setup: Any, django_db_blocker: Any) -> None:
    """The suite runs on a real PostgreSQL (make test starts one); never on SQLite."""
    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            pytest.exit("Tests need PostgreSQL: run them with `make test` (or scripts/with-services.sh).", 2)


class Api(APIClient):
    """APIClient that sends JSON by default and decodes it back."""

    def call(self, method: str, path: str, body: Any = None, **headers: Any) -> Any:
        kwargs: dict[str, Any] = {}
        if body is not None:
            kwargs["data"] = json.dumps(body) if not isinstance(body, (str, bytes)) else body
            kwargs["content_type"] = headers.pop("content_type", "application/json")
        response = getattr(self, method.lower())(path, **kwargs, **headers)
        try:
            response.json_body = json.loads(response.content) if response.content else None
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
        if person is not None:
            api.force_authenticate(person)
        return api


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
