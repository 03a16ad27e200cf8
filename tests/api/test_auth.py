"""Sign-up, e-mail verification, login, logout and password reset through allauth's
headless API, with real session cookies + CSRF (the PWA) and session tokens (scripts)."""

from __future__ import annotations

import json
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client

from diary.models import CareLink, Patient, User
from diary.services.care import invitation_create
from tests.factories import PASSWORD, ClinicianFactory, PatientFactory, app_session_token

BROWSER = "/_allauth/browser/v1"
APP = "/_allauth/app/v1"
NOW = "2026-11-21T12:00:00+00:00"


class Browser(Client):
    """A same-origin browser: session cookie, and the CSRF header taken from the cookie."""

    def __init__(self) -> None:
        super().__init__(enforce_csrf_checks=True)
        self.get(f"{BROWSER}/auth/session")  # sets the csrftoken cookie, as the PWA's first call does

    def send(self, method: str, path: str, body=None, csrf: bool = True):
        headers = {"HTTP_X_CSRFTOKEN": self.cookies["csrftoken"].value} if csrf and "csrftoken" in self.cookies else {}
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
        return getattr(self, method.lower())(path, **kwargs, **headers)


def code_from_last_mail() -> str:
    match = re.search(r"^\s*([A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5})?)\s*$", str(mail.outbox[-1].body), re.MULTILINE)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_sign_up_with_an_invitation_code_verify_and_use_the_diary():
    clinician = ClinicianFactory.create()
    invitation = invitation_create(clinician=clinician)
    browser = Browser()

    signed_up = browser.send(
        "POST",
        f"{BROWSER}/auth/signup",
        {
            "email": "new.patient@example.org",
            "password": "a long enough passphrase",
            "time_zone": "America/New_York",
            "invitation_code": invitation.code.lower().replace("-", " "),  # as typed on a phone
            "consent": True,
        },
    )
    assert signed_up.status_code == 401, signed_up.json()  # pending e-mail verification
    pending = [flow["id"] for flow in signed_up.json()["data"]["flows"] if flow.get("is_pending")]
    assert pending == ["verify_email"]
    verified = browser.send("POST", f"{BROWSER}/auth/email/verify", {"key": code_from_last_mail()})
    assert verified.status_code == 200, verified.json()

    patient = Patient.objects.get(user__email="new.patient@example.org")
    assert patient.time_zone == "America/New_York"
    link = CareLink.objects.get(pk=invitation.link.pk)
    assert (link.status, link.patient_id, link.code_hash) == ("active", patient.pk, None)

    who = browser.get("/api/v1/whoami").json()
    assert who["role"] == "patient"
    # the session cookie alone is not enough to write: CSRF is enforced
    no_csrf = browser.send("PUT", "/api/v1/me/entries/2026-11-21", {"pain_score": 3, "headache": 0}, csrf=False)
    assert no_csrf.status_code == 403
    saved = browser.send("PUT", "/api/v1/me/entries/2026-11-21", {"pain_score": 3, "headache": 0})
    assert saved.status_code == 201, saved.json()


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_sign_up_with_a_bad_code_or_without_consent_creates_nothing():
    clinician = ClinicianFactory.create()
    invitation = invitation_create(clinician=clinician)
    browser = Browser()
    bad = browser.send(
        "POST",
        f"{BROWSER}/auth/signup",
        {
            "email": "x@example.org",
            "password": "a long enough passphrase",
            "invitation_code": "WRONG-CODE",
            "consent": True,
        },
    )
    assert bad.status_code == 400
    assert {e["param"] for e in bad.json()["errors"]} == {"invitation_code"}
    no_consent = browser.send(
        "POST",
        f"{BROWSER}/auth/signup",
        {"email": "x@example.org", "password": "a long enough passphrase", "invitation_code": invitation.code},
    )
    assert no_consent.status_code == 400
    assert {e["param"] for e in no_consent.json()["errors"]} == {"consent"}
    bad_tz = browser.send(
        "POST",
        f"{BROWSER}/auth/signup",
        {"email": "x@example.org", "password": "a long enough passphrase", "time_zone": "Nowhere/Land"},
    )
    assert bad_tz.status_code == 400
    assert not User.objects.filter(email="x@example.org").exists()


def long_email(length: int, local: str = "a") -> str:
    """A well-formed address of exactly `length` characters (labels of at most 63)."""
    domain = ".".join(["d" * 60] * 3) + ".example.org"
    return local * (length - len(domain) - 1) + "@" + domain


@pytest.mark.django_db
@time_machine.travel(NOW, tick=False)
def test_sign_up_with_an_email_over_254_characters_is_a_400_naming_it_and_creates_nothing():
    browser = Browser()
    for email in (long_email(255), long_email(300, "b"), long_email(300, "b")[:-1] + "x"):
        assert len(email) > 254
        response = browser.send("POST", f"{BROWSER}/auth/signup", {"email": email, "password": PASSWORD})
        assert response.status_code == 400, response.content
        assert {e["param"] for e in response.json()["errors"]} == {"email"}
    assert not User.objects.exists()
    assert not mail.outbox

    fits = browser.send("POST", f"{BROWSER}/auth/signup", {"email": long_email(254), "password": PASSWORD})
    assert fits.status_code == 401  # created, waiting for the e-mail code
    assert User.objects.get().email == long_email(254)
    assert mail.outbox[-1].to == [long_email(254)]


@pytest.mark.django_db
def test_login_logout_with_session_cookie():
    patient = PatientFactory.create()
    browser = Browser()
    assert browser.get("/api/v1/me/profile").status_code == 401
    wrong = browser.send("POST", f"{BROWSER}/auth/login", {"email": patient.user.email, "password": "nope"})
    assert wrong.status_code == 400
    ok = browser.send("POST", f"{BROWSER}/auth/login", {"email": patient.user.email, "password": PASSWORD})
    assert ok.status_code == 200, ok.json()
    assert browser.get("/api/v1/me/profile").status_code == 200
    assert browser.send("DELETE", f"{BROWSER}/auth/session").status_code == 401  # logged out
    assert browser.get("/api/v1/me/profile").status_code == 401


@pytest.mark.django_db
def test_scripts_use_a_session_token_without_csrf():
    clinician = ClinicianFactory.create()
    token = app_session_token(clinician.user.email)
    script = Client(enforce_csrf_checks=True)  # no cookies at all
    listed = script.get("/api/v1/patients", HTTP_X_SESSION_TOKEN=token)
    assert listed.status_code == 200
    created = script.post("/api/v1/invitations", data="{}", content_type="application/json", HTTP_X_SESSION_TOKEN=token)
    assert created.status_code == 201
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", created.json()["code"])
    assert script.get("/api/v1/patients", HTTP_X_SESSION_TOKEN="forged").status_code == 401


@pytest.mark.django_db
def test_password_reset_by_code():
    patient = PatientFactory.create()
    browser = Browser()
    requested = browser.send("POST", f"{BROWSER}/auth/password/request", {"email": patient.user.email})
    assert requested.status_code in (200, 401)
    reset = browser.send(
        "POST", f"{BROWSER}/auth/password/reset", {"key": code_from_last_mail(), "password": "a brand new passphrase"}
    )
    assert reset.status_code in (200, 401), reset.json()
    patient.user.refresh_from_db()
    assert patient.user.check_password("a brand new passphrase")
