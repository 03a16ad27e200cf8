"""A user's authenticator app (TOTP), through allauth's public parts: its ``Authenticator``
model and its MFA adapter (which encrypts the secret at rest, diary/auth_adapters.py).
allauth's own TOTP helpers live in its ``internal`` package, so the codes are pyotp's.

Used to give the demo clinic's accounts (and the tests' clinicians) a second factor, and
by ``manage.py totp_code`` to show the demo clinician's current code; signing in checks
codes with allauth itself."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyotp
from allauth.mfa import app_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator

from diary.models import User


def totp_activate(user: User, secret: str) -> Authenticator:
    """Turn on an authenticator app with this base32 secret, as allauth's set-up does."""
    return Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": get_adapter().encrypt(secret)}
    )


@dataclass(frozen=True)
class Code:
    code: str
    seconds_left: int  # how long it stays the current one


def totp_secret_of(user: User) -> str | None:
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return None if authenticator is None else get_adapter().decrypt(authenticator.data["secret"])


def totp_now(secret: str, at: float | None = None) -> Code:
    """The code an authenticator app shows at ``at`` (now by default)."""
    moment = time.time() if at is None else at
    period = app_settings.TOTP_PERIOD
    code = pyotp.TOTP(secret, digits=app_settings.TOTP_DIGITS, interval=period).at(moment)
    return Code(code, period - int(moment) % period)
