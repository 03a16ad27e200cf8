"""Encryption at rest of the second factor's secrets (allauth.mfa's TOTP secret and
recovery-code seed), with the key from the settings.

allauth stores them in ``mfa_authenticator.data`` and passes each through its MFA
adapter's ``encrypt``/``decrypt`` (diary/auth_adapters.py). Fernet (AES-128-CBC with an
HMAC-SHA256, from ``cryptography``) with ``MFA_ENCRYPTION_KEY``; keys listed in
``MFA_ENCRYPTION_OLD_KEYS`` are still read, so a key can be replaced: set the new one,
keep the old one there, run ``manage.py mfa_encrypt``, then drop the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.crypto import salted_hmac


class UndecryptableSecret(ImproperlyConfigured):
    pass


def derived_key(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY, for the embedded and test set-ups only
    (production requires its own MFA_ENCRYPTION_KEY)."""
    import base64

    digest = salted_hmac("ldn-diary.mfa-encryption-key", "fernet", secret=secret_key, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()


def fernet_key(value: str, name: str) -> Fernet:
    try:
        return Fernet(value.encode())
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} is not a Fernet key (32 url-safe base64-encoded bytes): make one with "
            "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
        ) from exc


def _keys() -> tuple[Fernet, list[Fernet]]:
    """The current key, and the old ones that are still read. (Built on each use: the
    settings may change, as they do in the tests, and building one costs microseconds.)"""
    current = fernet_key(settings.MFA_ENCRYPTION_KEY, "MFA_ENCRYPTION_KEY")
    return current, [fernet_key(old, "MFA_ENCRYPTION_OLD_KEYS") for old in settings.MFA_ENCRYPTION_OLD_KEYS]


# Every Fernet token starts so (version byte 0x80, then a timestamp's zero high bytes);
# the clear values allauth stores (base32 secrets, hex seeds, digit codes) never do.
FERNET_PREFIX = "gAAAAA"


def secret_encrypt(text: str) -> str:
    current, _ = _keys()
    return current.encrypt(text.encode()).decode()


def secret_decrypt(token: str) -> str:
    current, old = _keys()
    try:
        return MultiFernet([current, *old]).decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableSecret(
            "An MFA secret cannot be decrypted with MFA_ENCRYPTION_KEY (nor MFA_ENCRYPTION_OLD_KEYS): "
            "was the key changed without keeping the old one in MFA_ENCRYPTION_OLD_KEYS?"
        ) from None


def secret_reencrypt(value: str) -> str:
    """``value`` under the current key: kept if it already is, re-encrypted if it is under an
    old key, encrypted if it is stored in clear (as before encryption was turned on)."""
    current, _ = _keys()
    if not value.startswith(FERNET_PREFIX):
        return secret_encrypt(value)
    try:
        current.decrypt(value.encode())
    except InvalidToken:
        return secret_encrypt(secret_decrypt(value))
    return value


def authenticator_data_map(data: dict[str, Any], change: Callable[[str], str]) -> dict[str, Any]:
    """``data`` with every secret allauth encrypts passed through ``change``: the TOTP
    ``secret``, the recovery codes' ``seed`` and ``migrated_codes``."""
    out = dict(data)
    for key in ("secret", "seed"):
        if isinstance(out.get(key), str):
            out[key] = change(out[key])
    if isinstance(out.get("migrated_codes"), list):
        out["migrated_codes"] = [change(code) for code in out["migrated_codes"]]
    return out


def authenticators_map(authenticators: Any, change: Callable[[str], str]) -> int:
    """Pass every secret of ``authenticators`` (a queryset of allauth's Authenticator, or
    of its historical model in a migration) through ``change``, in one transaction;
    the number of rows that changed."""
    changed = 0
    with transaction.atomic():
        for authenticator in authenticators.select_for_update().order_by("pk"):
            data = authenticator_data_map(authenticator.data, change)
            if data != authenticator.data:
                authenticator.data = data
                authenticator.save(update_fields=["data"])
                changed += 1
    return changed


def authenticators_encrypt(authenticators: Any) -> int:
    """Every secret under the current key (idempotent): the migration that turned
    encryption on, and ``manage.py mfa_encrypt`` after a key change."""
    return authenticators_map(authenticators, secret_reencrypt)


def authenticators_decrypt(authenticators: Any) -> int:
    """Every secret back in clear (the migration's way back)."""

    def clear(value: str) -> str:
        return secret_decrypt(value) if value.startswith(FERNET_PREFIX) else value

    return authenticators_map(authenticators, clear)
