"""TOTP secrets and recovery-code seeds are encrypted at rest (issue 18, item 3)."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client

from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory, totp_code

pytestmark = pytest.mark.django_db


def stored(authenticator: Authenticator) -> dict:
    """The row as the database holds it (not through the model)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        (data,) = cursor.fetchone()
    return json.loads(data) if isinstance(data, str) else data


def signs_in_with_the_code(email: str, code: str | None = None) -> bool:
    client = Client()
    client.post(
        "/_allauth/browser/v1/auth/login",
        data=json.dumps({"email": email, "password": PASSWORD}),
        content_type="application/json",
    )
    done = client.post(
        "/_allauth/browser/v1/auth/2fa/authenticate",
        data=json.dumps({"code": code or totp_code()}),
        content_type="application/json",
    )
    return done.status_code == 200


def test_the_totp_secret_and_the_recovery_seed_are_not_stored_in_clear():
    clinician = ClinicianFactory.create()  # diary.services.mfa.totp_activate
    totp = Authenticator.objects.get(user=clinician.user, type=Authenticator.Type.TOTP)
    secret = stored(totp)["secret"]
    assert TOTP_SECRET not in json.dumps(stored(totp))
    assert secret != TOTP_SECRET
    codes = RecoveryCodes.activate(clinician.user)
    seed = stored(codes.instance)["seed"]
    assert len(seed) != 80  # the clear seed is 80 hex digits
    assert RecoveryCodes(Authenticator.objects.get(pk=codes.instance.pk)).generate_codes() == codes.generate_codes()
    assert signs_in_with_the_code(clinician.user.email)


def test_a_different_key_cannot_read_them(settings):
    clinician = ClinicianFactory.create()
    settings.MFA_ENCRYPTION_KEY = Fernet.generate_key().decode()
    with pytest.raises(Exception, match="MFA_ENCRYPTION_KEY"):
        TOTP(Authenticator.objects.get(user=clinician.user)).validate_code(totp_code())


def test_secrets_stored_in_clear_before_are_encrypted_by_the_migration_and_keep_working():
    clinician = ClinicianFactory.create(totp=False)
    legacy = Authenticator.objects.create(
        user=clinician.user, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
    )
    seed = "ab" * 40
    codes = Authenticator.objects.create(
        user=clinician.user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": seed, "used_mask": 0, "migrated_codes": ["12345678"]},
    )
    assert stored(legacy)["secret"] == TOTP_SECRET  # as today's rows are

    migration = importlib.import_module("diary.migrations.0005_encrypt_mfa_secrets")
    migration.encrypt_clear_secrets(apps, None)
    migration.encrypt_clear_secrets(apps, None)  # twice is once

    assert stored(legacy)["secret"] != TOTP_SECRET
    assert seed not in json.dumps(stored(codes))
    assert "12345678" not in json.dumps(stored(codes))
    assert signs_in_with_the_code(clinician.user.email)
    assert RecoveryCodes(Authenticator.objects.get(pk=codes.pk)).get_unused_codes() == ["12345678"]

    migration.decrypt_secrets(apps, None)  # the way back, for a rollback
    assert stored(legacy)["secret"] == TOTP_SECRET
    assert stored(codes)["seed"] == seed


def test_a_new_key_with_the_old_one_kept_for_reading_then_re_encrypted(settings):
    clinician = ClinicianFactory.create()
    old = settings.MFA_ENCRYPTION_KEY
    settings.MFA_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.MFA_ENCRYPTION_OLD_KEYS = [old]
    assert signs_in_with_the_code(clinician.user.email)
    out = io.StringIO()
    call_command("mfa_encrypt", stdout=out)
    assert "1 authenticator" in out.getvalue()
    settings.MFA_ENCRYPTION_OLD_KEYS = []
    totp = TOTP(Authenticator.objects.get(user=clinician.user))
    from allauth.mfa.utils import decrypt

    assert decrypt(totp.instance.data["secret"]) == TOTP_SECRET


@pytest.mark.parametrize("at", [1_764_000_000.0, 1_764_000_029.9, 1_764_000_030.0, 1_800_000_059.5])
def test_our_totp_codes_are_the_ones_allauth_accepts(at):
    """diary.services.mfa (pyotp, allauth's public model and adapter) gives the codes
    allauth's own check accepts, at each instant of a period, and says how long each lasts."""
    import time_machine
    from allauth.mfa.totp.internal.auth import TOTP

    from diary.services.mfa import totp_activate, totp_now, totp_secret_of

    clinician = ClinicianFactory.create(totp=False)
    totp_activate(clinician.user, TOTP_SECRET)
    assert totp_secret_of(clinician.user) == TOTP_SECRET
    with time_machine.travel(at, tick=False):
        now = totp_now(TOTP_SECRET)
        check = TOTP(Authenticator.objects.get(user=clinician.user, type=Authenticator.Type.TOTP))
        assert check.validate_code(now.code)
    assert now.seconds_left == 30 - int(at) % 30
    assert totp_now(TOTP_SECRET, at - 30).code != now.code
