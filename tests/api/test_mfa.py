"""Clinicians work with patient data only after signing in with a second factor (TOTP)."""

from __future__ import annotations

import json

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.test import Client

from diary.models import AuditEvent
from tests.api.test_auth import BROWSER, Browser
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    ClinicianFactory,
    PatientFactory,
    app_session_token,
    link,
    totp_code,
)


@pytest.mark.django_db
def test_a_clinician_without_totp_sees_no_patient_data():
    clinician = ClinicianFactory.create(totp=False)
    patient = PatientFactory.create()
    link(patient, clinician)
    from tests.conftest import Api

    api = Api().as_user(clinician.user)
    for path in ("/api/v1/patients", f"/api/v1/patients/{patient.public_id}/entries", "/api/v1/invitations"):
        response = api.call("GET", path)
        assert response.status_code == 403, path
        assert "two-factor" in response.json_body["detail"]


@pytest.mark.django_db
def test_login_asks_for_the_code_and_then_lets_the_clinician_in():
    clinician = ClinicianFactory.create()
    browser = Browser()
    first = browser.send("POST", f"{BROWSER}/auth/login", {"email": clinician.user.email, "password": PASSWORD})
    assert first.status_code == 401
    pending = [flow["id"] for flow in first.json()["data"]["flows"] if flow.get("is_pending")]
    assert pending == ["mfa_authenticate"]
    assert browser.get("/api/v1/patients").status_code == 401  # not signed in yet

    wrong = browser.send("POST", f"{BROWSER}/auth/2fa/authenticate", {"code": "000000"})
    assert wrong.status_code == 400
    ok = browser.send("POST", f"{BROWSER}/auth/2fa/authenticate", {"code": totp_code()})
    assert ok.status_code == 200, ok.json()
    assert browser.get("/api/v1/patients").status_code == 200


@pytest.mark.django_db
def test_the_app_client_needs_the_code_too():
    clinician = ClinicianFactory.create()
    client = Client()
    login = client.post(
        "/_allauth/app/v1/auth/login",
        data=json.dumps({"email": clinician.user.email, "password": PASSWORD}),
        content_type="application/json",
    )
    assert login.status_code == 401
    token = login.json()["meta"]["session_token"]
    assert client.get("/api/v1/patients", HTTP_X_SESSION_TOKEN=token).status_code == 401
    done = client.post(
        "/_allauth/app/v1/auth/2fa/authenticate",
        data=json.dumps({"code": totp_code()}),
        content_type="application/json",
        HTTP_X_SESSION_TOKEN=token,
    )
    assert done.status_code == 200, done.json()
    assert client.get("/api/v1/patients", HTTP_X_SESSION_TOKEN=done.json()["meta"]["session_token"]).status_code == 200


# --- the second factor must be passed by *this* session (issue 18, item 1) ----------------


def entries_path(patient) -> str:
    return f"/api/v1/patients/{patient.public_id}/entries"


def linked(**clinician_fields):
    """A clinician and a patient who shares her diary with the clinician's clinic."""
    clinician = ClinicianFactory.create(**clinician_fields)
    patient = PatientFactory.create()
    link(patient, clinician)
    return clinician, patient


@pytest.mark.django_db
def test_a_staff_clinician_signing_in_at_the_admin_with_a_password_reads_no_diary():
    clinician, patient = linked(user__is_staff=True)
    client = Client()
    signed_in = client.post("/admin/login/?next=/admin/", {"username": clinician.user.email, "password": PASSWORD})
    response = client.get(entries_path(patient))
    assert response.status_code == 401, response.content
    assert "results" not in response.json()
    # The admin takes no password: it sends the person to the app's sign-in (allauth, TOTP).
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/?next=%2Fadmin%2F"


@pytest.mark.django_db
def test_a_session_that_did_not_pass_the_second_factor_is_refused():
    """However the session was made (here Django's own login, as the admin's form did), a
    clinician's session that never passed the second factor sees no patient data."""
    clinician, patient = linked()
    client = Client()
    client.force_login(clinician.user)
    for path in ("/api/v1/patients", entries_path(patient), "/api/v1/invitations", "/api/v1/triage"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "authenticator code" in response.json()["detail"], path


@pytest.mark.django_db
def test_a_session_token_that_did_not_pass_the_second_factor_is_refused():
    """A clinician who signed in with a password only (no TOTP yet), then turned TOTP on,
    must sign in again with the code: owning an authenticator is not having used it."""
    clinician, patient = linked(totp=False)
    client = Client()
    login = client.post(
        "/_allauth/app/v1/auth/login",
        data=json.dumps({"email": clinician.user.email, "password": PASSWORD}),
        content_type="application/json",
    )
    assert login.status_code == 200, login.json()
    token = login.json()["meta"]["session_token"]
    TOTP.activate(clinician.user, TOTP_SECRET)
    refused = client.get(entries_path(patient), HTTP_X_SESSION_TOKEN=token)
    assert refused.status_code == 403
    assert "authenticator code" in refused.json()["detail"]

    again = app_session_token(clinician.user.email)  # password + code
    assert client.get(entries_path(patient), HTTP_X_SESSION_TOKEN=again).status_code == 200


@pytest.mark.django_db
def test_password_and_code_through_allauth_reads_the_diary_and_audits_it():
    clinician, patient = linked(user__is_staff=True)
    browser = Browser()
    browser.send("POST", f"{BROWSER}/auth/login", {"email": clinician.user.email, "password": PASSWORD})
    assert browser.send("POST", f"{BROWSER}/auth/2fa/authenticate", {"code": totp_code()}).status_code == 200
    assert browser.get(entries_path(patient)).status_code == 200
    assert AuditEvent.objects.filter(actor_id=clinician.user.pk, patient_id=patient.pk).exists()
