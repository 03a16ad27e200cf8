"""Clinicians (and staff) are signed out after a setting's worth of inactivity, with a
message that says so; patients' phones keep their sessions (issue 18, item 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.test_auth import BROWSER, Browser
from tests.factories import PASSWORD, ClinicianFactory, PatientFactory, app_session_token, link, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

IDLE = "/api/v1/problems/signed-out-idle"


def clinician_browser(clinician) -> Browser:
    browser = Browser()
    browser.send("POST", f"{BROWSER}/auth/login", {"email": clinician.user.email, "password": PASSWORD})
    assert browser.send("POST", f"{BROWSER}/auth/2fa/authenticate", {"code": totp_code()}).status_code == 200
    return browser


def test_a_clinician_idle_for_thirty_minutes_is_signed_out_and_told_why(frozen):
    clinician = ClinicianFactory.create()
    patient = PatientFactory.create()
    link(patient, clinician)
    browser = clinician_browser(clinician)
    # Activity keeps the session: 29 minutes between requests, three times over.
    for _ in range(3):
        frozen.shift(timedelta(minutes=29))
        assert browser.get("/api/v1/patients").status_code == 200
    frozen.shift(timedelta(minutes=30, seconds=1))
    refused = browser.get(f"/api/v1/patients/{patient.public_id}/entries")
    assert refused.status_code == 401
    body = refused.json()
    assert body["type"] == IDLE
    assert body["detail"] == "You were signed out after 30 minutes without activity. Sign in again."
    assert refused["Content-Type"] == "application/problem+json"
    # Signed out for good: the session is gone, not only this request refused; the reason
    # stays with the browser until it signs in again.
    assert browser.get(f"{BROWSER}/auth/session").status_code == 401
    again = browser.get("/api/v1/patients")
    assert (again.status_code, again.json()["type"]) == (401, IDLE)
    browser.send("POST", f"{BROWSER}/auth/login", {"email": clinician.user.email, "password": PASSWORD})
    assert browser.send("POST", f"{BROWSER}/auth/2fa/authenticate", {"code": totp_code()}).status_code == 200
    assert browser.get("/api/v1/patients").status_code == 200
    assert browser.send("DELETE", f"{BROWSER}/auth/session").status_code == 401  # signed out by hand
    plain = browser.get("/api/v1/patients")
    assert (plain.status_code, plain.json()["type"]) == (401, "/api/v1/problems/not-authenticated")


def test_the_app_learns_why_when_it_comes_back_after_the_limit(frozen):
    """The PWA's first call on opening is allauth's session check; the reason is then
    the answer of the API's next call (whoami)."""
    browser = clinician_browser(ClinicianFactory.create())
    frozen.shift(timedelta(minutes=31))
    assert browser.get(f"{BROWSER}/auth/session").status_code == 401
    whoami = browser.get("/api/v1/whoami")
    assert whoami.status_code == 401
    assert whoami.json()["type"] == IDLE


def test_the_reason_survives_a_racing_request_that_answers_last(frozen, settings):
    """Two requests of one page carry the idle session's cookie: the first ends the session
    and leaves the note; the second finds no session, and Django's answer deletes the
    session cookie. When that answer reaches the browser last, the reason must still be
    known (it was lost with the session cookie)."""
    clinician = ClinicianFactory.create()
    browser = clinician_browser(clinician)
    dead = browser.cookies[settings.SESSION_COOKIE_NAME].value
    frozen.shift(timedelta(minutes=31))
    first = browser.get("/api/v1/patients")
    assert (first.status_code, first.json()["type"]) == (401, IDLE)
    racer = Browser()
    racer.cookies[settings.SESSION_COOKIE_NAME] = dead
    late = racer.get("/api/v1/patients")
    assert late.status_code == 401
    assert late.cookies[settings.SESSION_COOKIE_NAME].value == ""  # Django deletes the cookie
    browser.cookies.pop(settings.SESSION_COOKIE_NAME)  # the late answer, applied last
    whoami = browser.get("/api/v1/whoami")
    assert (whoami.status_code, whoami.json()["type"]) == (401, IDLE)
    # signed in again, then out by hand: a plain "not signed in", the old reason is gone
    browser.send("POST", f"{BROWSER}/auth/login", {"email": clinician.user.email, "password": PASSWORD})
    assert browser.send("POST", f"{BROWSER}/auth/2fa/authenticate", {"code": totp_code()}).status_code == 200
    assert browser.get("/api/v1/patients").status_code == 200
    assert browser.send("DELETE", f"{BROWSER}/auth/session").status_code == 401
    plain = browser.get("/api/v1/patients")
    assert (plain.status_code, plain.json()["type"]) == (401, "/api/v1/problems/not-authenticated")


def test_the_reason_reaches_a_page_whose_signing_out_answer_was_thrown_away(frozen, settings):
    """The request that ends the session was aborted by the page (it moved on), so the
    browser never stored the cookies of that answer: its next request still carries the
    dead session key, and must be told why all the same."""
    browser = clinician_browser(ClinicianFactory.create())
    dead = browser.cookies[settings.SESSION_COOKIE_NAME].value
    frozen.shift(timedelta(minutes=31))
    aborted = Browser()  # the same cookie; its answer never reaches `browser`
    aborted.cookies[settings.SESSION_COOKIE_NAME] = dead
    assert aborted.get("/api/v1/patients").json()["type"] == IDLE
    assert browser.cookies[settings.SESSION_COOKIE_NAME].value == dead
    next_one = browser.get("/api/v1/whoami")
    assert (next_one.status_code, next_one.json()["type"]) == (401, IDLE)


def test_the_reason_outlives_the_dead_key_when_the_ending_answer_was_thrown_away(frozen, settings):
    """The request that ended the session was aborted (its cookies never stored); the page's
    next request, with the dead key, is told why, and its answer deletes that key. The
    reason must survive that: the app opened again has no session cookie left to go by."""
    browser = clinician_browser(ClinicianFactory.create())
    dead = browser.cookies[settings.SESSION_COOKIE_NAME].value
    frozen.shift(timedelta(minutes=31))
    aborted = Browser()
    aborted.cookies[settings.SESSION_COOKIE_NAME] = dead
    assert aborted.get("/api/v1/patients").json()["type"] == IDLE
    told = browser.get("/api/v1/invitations")
    assert (told.status_code, told.json()["type"]) == (401, IDLE)
    assert browser.cookies[settings.SESSION_COOKIE_NAME].value == ""  # its answer deleted the dead key
    assert browser.get(f"{BROWSER}/auth/session").status_code == 401  # the app opened again
    whoami = browser.get("/api/v1/whoami")
    assert (whoami.status_code, whoami.json()["type"]) == (401, IDLE)


def test_the_limit_is_a_setting(frozen, settings):
    settings.CLINICIAN_IDLE_TIMEOUT = timedelta(minutes=10)
    browser = clinician_browser(ClinicianFactory.create())
    frozen.shift(timedelta(minutes=9))
    assert browser.get("/api/v1/patients").status_code == 200
    frozen.shift(timedelta(minutes=10, seconds=1))
    refused = browser.get("/api/v1/patients")
    assert refused.status_code == 401
    assert "after 10 minutes without activity" in refused.json()["detail"]


def test_a_session_token_is_signed_out_too(frozen):
    clinician = ClinicianFactory.create()
    token = app_session_token(clinician.user.email)
    from django.test import Client

    script = Client()
    assert script.get("/api/v1/patients", HTTP_X_SESSION_TOKEN=token).status_code == 200
    frozen.shift(timedelta(minutes=30, seconds=1))
    refused = script.get("/api/v1/patients", HTTP_X_SESSION_TOKEN=token)
    assert refused.status_code == 401
    assert refused.json()["type"] == IDLE
    assert script.get("/api/v1/patients", HTTP_X_SESSION_TOKEN=token).status_code == 401


def test_a_patients_phone_keeps_its_session(frozen):
    patient = PatientFactory.create()
    browser = Browser()
    ok = browser.send("POST", f"{BROWSER}/auth/login", {"email": patient.user.email, "password": PASSWORD})
    assert ok.status_code == 200
    frozen.shift(timedelta(days=6))
    assert browser.get("/api/v1/me/profile").status_code == 200


def test_a_session_token_left_unused_after_sign_in_expires_too(frozen):
    token = app_session_token(ClinicianFactory.create().user.email)
    frozen.shift(timedelta(minutes=30, seconds=1))
    from django.test import Client

    refused = Client().get("/api/v1/patients", HTTP_X_SESSION_TOKEN=token)
    assert refused.status_code == 401
    assert refused.json()["type"] == IDLE


def test_a_cookie_session_left_unused_after_sign_in_expires_too(frozen):
    browser = clinician_browser(ClinicianFactory.create())
    frozen.shift(timedelta(minutes=30, seconds=1))
    refused = browser.get("/api/v1/patients")
    assert refused.status_code == 401
    assert refused.json()["type"] == IDLE
