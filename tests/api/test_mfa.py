"""Clinicians work with patient data only after signing in with a second factor (TOTP)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.api.test_auth import BROWSER, Browser
from tests.factories import PASSWORD, ClinicianFactory, PatientFactory, link, totp_code


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
