"""The session's user is loaded with both profiles in one query, exactly as the ORM's
select_related would load them (diary/fastpath/user_load.py), with the fast paths on and off."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diary.auth_backend import AuthenticationBackend, user_with_profiles
from diary.models import Clinician, Patient, User
from tests.factories import ClinicianFactory, PatientFactory, UserFactory

pytestmark = pytest.mark.django_db


def columns(instance: Any) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


@pytest.mark.parametrize("role", ["patient", "clinician", "neither"])
def test_user_and_profiles_are_what_select_related_loads(role, fastpath):
    if role == "patient":
        user = PatientFactory.create(insights_stale_since=timezone.now()).user
    elif role == "clinician":
        user = ClinicianFactory.create().user
    else:
        user = UserFactory.create()
    orm = User.objects.select_related("patient", "clinician").get(pk=user.pk)

    with CaptureQueriesContext(connection) as captured:
        loaded = user_with_profiles(str(user.pk))  # the session stores the id as text
        assert loaded is not None
        assert columns(loaded) == columns(orm)
        for name, model in (("patient", Patient), ("clinician", Clinician)):
            if name == role:
                profile = getattr(loaded, name)
                assert columns(profile) == columns(getattr(orm, name))
                assert profile.user is loaded
            else:
                with pytest.raises(model.DoesNotExist):
                    getattr(loaded, name)
    assert len(captured.captured_queries) == 1
    # Off, the query is the ORM's own (its joins are LEFT OUTER; the hand-built one's LEFT).
    assert ("LEFT OUTER JOIN" in captured.captured_queries[0]["sql"]) is not fastpath
    assert loaded._state.db == "default"
    assert not loaded._state.adding


def test_unknown_or_inactive_users_are_not_signed_in(fastpath):
    assert user_with_profiles(10**9) is None
    assert user_with_profiles("not a number") is None
    user = PatientFactory.create().user
    assert AuthenticationBackend().get_user(user.pk) == user
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert AuthenticationBackend().get_user(user.pk) is None
