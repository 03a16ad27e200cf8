"""Failed sign-ins lock an account for the source they come from only, and the answer is
a 429 with Retry-After (issue 18, item 4)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.factories import PASSWORD, ClinicianFactory, PatientFactory

pytestmark = pytest.mark.django_db

LOGIN = "/_allauth/browser/v1/auth/login"
ATTACKER = "203.0.113.7"  # documentation addresses (RFC 5737): no traffic leaves the test client
USUAL_DEVICE = "198.51.100.20"


def login(client: Client, email: str, password: str, ip: str):
    return client.post(
        LOGIN, data=json.dumps({"email": email, "password": password}), content_type="application/json", REMOTE_ADDR=ip
    )


def attack(email: str, ip: str = ATTACKER, times: int = 5) -> Client:
    attacker = Client()
    for _ in range(times):
        assert login(attacker, email, "guess " * 3, ip).status_code == 400
    return attacker


def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out():
    clinician = ClinicianFactory.create()
    attack(clinician.user.email)
    signed_in = login(Client(), clinician.user.email, PASSWORD, USUAL_DEVICE)
    assert signed_in.status_code == 401, signed_in.json()  # the password is right: allauth asks for the code
    assert [f["id"] for f in signed_in.json()["data"]["flows"] if f.get("is_pending")] == ["mfa_authenticate"]


def test_the_locked_source_gets_429_with_retry_after_even_with_the_right_password():
    patient = PatientFactory.create()
    attacker = attack(patient.user.email)
    locked = login(attacker, patient.user.email, PASSWORD, ATTACKER)
    assert locked.status_code == 429
    assert 0 < int(locked["Retry-After"]) <= 300
    assert locked.json()["status"] == 429
    assert "_auth_user_id" not in attacker.session


def test_the_lock_ends_after_retry_after(frozen):
    from datetime import timedelta

    patient = PatientFactory.create()
    email = patient.user.email
    client = attack(email)
    locked = login(client, email, PASSWORD, ATTACKER)
    assert locked.status_code == 429
    frozen.shift(timedelta(seconds=int(locked["Retry-After"]) + 1))
    assert login(client, email, PASSWORD, ATTACKER).status_code == 200


def test_one_source_trying_many_accounts_is_still_limited():
    patients = PatientFactory.create_batch(11)
    client = Client()
    answers = [login(client, p.user.email, "guess " * 3, ATTACKER).status_code for p in patients]
    assert answers[:10] == [400] * 10
    assert answers[10] == 429


def test_a_password_reset_from_the_locked_source_unlocks_it():
    """allauth clears the sign-in failures of every address of the account when its password
    is reset, from the source that reset it: the lock counted per source goes with it."""
    from tests.api.test_auth import BROWSER, Browser, code_from_last_mail

    patient = PatientFactory.create()
    email = patient.user.email
    attack(email)
    assert login(Client(), email, PASSWORD, ATTACKER).status_code == 429
    browser = Browser()
    browser.defaults["REMOTE_ADDR"] = ATTACKER
    requested = browser.send("POST", f"{BROWSER}/auth/password/request", {"email": email})
    assert requested.status_code in (200, 401), requested.json()
    reset = browser.send(
        "POST",
        f"{BROWSER}/auth/password/reset",
        {"key": code_from_last_mail(), "password": "a brand new passphrase"},
    )
    assert reset.status_code in (200, 401), reset.json()
    assert login(Client(), email, "a brand new passphrase", ATTACKER).status_code == 200
