"""Print the current TOTP code of a user (demo and development only).

The demo clinician signs in with a second factor; this saves installing an
authenticator app to try the demo. Refused in production.
"""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa import app_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import decrypt, format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Print a user's current TOTP code (not available in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("totp_code is for the demo and development; it is disabled in production.")
        authenticator = Authenticator.objects.filter(
            user__email__iexact=options["email"], type=Authenticator.Type.TOTP
        ).first()
        if authenticator is None:
            raise CommandError(f"{options['email']} has no TOTP authenticator.")
        secret = decrypt(authenticator.data["secret"])
        period = app_settings.TOTP_PERIOD
        now = time.time()
        code = format_hotp_value(hotp_value(secret, int(now) // period))
        self.stdout.write(f"{code}  (valid for {period - int(now) % period} more seconds)")
