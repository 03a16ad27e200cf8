"""Print the current TOTP code of a user (demo and development only).

The demo clinician signs in with a second factor; this saves installing an
authenticator app to try the demo. Refused in production.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from diary.models import User
from diary.services.mfa import totp_now, totp_secret_of


class Command(BaseCommand):
    help = "Print a user's current TOTP code (not available in production)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("totp_code is for the demo and development; it is disabled in production.")
        user = User.objects.filter(email__iexact=options["email"]).first()
        secret = None if user is None else totp_secret_of(user)
        if secret is None:
            raise CommandError(f"{options['email']} has no TOTP authenticator.")
        now = totp_now(secret)
        self.stdout.write(f"{now.code}  (valid for {now.seconds_left} more seconds)")
