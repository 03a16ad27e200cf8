"""The admin site (issue 18, items 1 and 2): no password form of its own, the same
sign-in as the app (allauth: rate limits, TOTP), a second factor for everyone who uses
it, and no health data in it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client

from tests.api.test_auth import BROWSER, Browser
from tests.factories import PASSWORD, ClinicianFactory, PatientFactory, UserFactory, totp_code

pytestmark = pytest.mark.django_db


def staff(totp: bool = True):
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import TOTP_SECRET

    user = UserFactory.create(is_staff=True, is_superuser=True)
    if totp:
        TOTP.activate(user, TOTP_SECRET)
    return user


def signed_in(user, code: bool = True) -> Browser:
    """Signed in through the app's sign-in (allauth headless), with the code when asked."""
    browser = Browser()
    login = browser.send("POST", f"{BROWSER}/auth/login", {"email": user.email, "password": PASSWORD})
    if code:
        assert login.status_code == 401, login.json()
        done = browser.send("POST", f"{BROWSER}/auth/2fa/authenticate", {"code": totp_code()})
        assert done.status_code == 200, done.json()
    else:
        assert login.status_code == 200, login.json()
    return browser


def test_the_admin_login_takes_no_password_however_often_it_is_tried():
    user = staff()
    client = Client()
    for _ in range(25):
        wrong = client.post("/admin/login/", {"username": user.email, "password": "not the password"})
        assert wrong.status_code == 302
    right = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    assert right.status_code == 302
    assert right["Location"] == "/?next=%2Fadmin%2Flogin%2F"
    assert client.get("/admin/").status_code == 302  # still not signed in
    assert "_auth_user_id" not in client.session


def test_the_admin_sends_people_to_the_apps_sign_in_and_back():
    client = Client()
    first = client.get("/admin/")
    assert first.status_code == 302
    login = client.get(first["Location"])
    assert login.status_code == 302
    assert login["Location"] == "/?next=%2Fadmin%2F"


def test_staff_signed_in_with_password_and_code_use_the_admin():
    browser = signed_in(staff())
    assert browser.get("/admin/").status_code == 200
    back = browser.get("/admin/login/?next=/admin/account/emailaddress/")
    assert back.status_code == 302
    assert back["Location"] == "/admin/account/emailaddress/"


def test_staff_without_a_second_factor_are_kept_out_of_the_admin():
    browser = signed_in(staff(totp=False), code=False)
    index = browser.get("/admin/")
    assert index.status_code == 302
    refused = browser.get(index["Location"])
    assert refused.status_code == 403
    assert "two-factor" in refused.content.decode()


def test_a_password_only_session_of_a_staff_member_with_totp_is_kept_out():
    client = Client()
    client.force_login(staff())
    refused = client.get("/admin/login/?next=/admin/")
    assert refused.status_code == 403
    assert "authenticator code" in refused.content.decode()


def test_people_who_are_not_staff_are_refused():
    clinician = ClinicianFactory.create()
    browser = signed_in(clinician.user)
    assert browser.get("/admin/login/?next=/admin/").status_code == 403


def test_no_health_data_is_readable_in_the_admin():
    """Health data lives in the diary's tables and in pghistory's copies of them: neither
    is in the admin (reading it there would not be audited). Users, clinics and clinicians
    may be, later: the account of a patient then shows no diary."""
    not_health = {"diary.User", "diary.Clinic", "diary.Clinician", "diary.VapidKey"}
    health = {
        model
        for model in apps.get_models()
        if model._meta.app_label in ("diary", "pghistory") and model._meta.label not in not_health
    }
    registered = set(admin.site._registry)
    assert not registered & health, sorted(m._meta.label for m in registered & health)
    browser = signed_in(staff())
    patient = PatientFactory.create()
    assert browser.get("/admin/pghistory/events/").status_code == 404
    assert browser.get(f"/admin/diary/patient/{patient.pk}/change/").status_code == 404
