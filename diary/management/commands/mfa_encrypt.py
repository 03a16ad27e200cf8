"""Re-encrypt every MFA secret with the current MFA_ENCRYPTION_KEY (after a key change:
docs/operations.md). Safe to run any time: what is already under the current key stays."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand

from diary.mfa_secrets import authenticators_encrypt


class Command(BaseCommand):
    help = "Encrypt every TOTP secret and recovery seed with the current MFA_ENCRYPTION_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = authenticators_encrypt(Authenticator.objects.all())
        self.stdout.write(f"{changed} authenticator(s) re-encrypted with the current key.")
