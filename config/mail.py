"""Mail in the embedded mode (``make run``): nothing is sent; every message is kept.

Each message is written as a file under ``var/mail/`` (Django's file backend: one file per
process and moment, readable with any text viewer), and the web process also prints it in
the terminal where ``make run`` runs, so a newcomer sees the sign-up code or the password
reset code at once. The worker's messages (reminder e-mails) are in the files too.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class EmbeddedEmailBackend(FileBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages)
        for message in email_messages:
            body = message.body if isinstance(message.body, str) else str(message.body)
            sys.stdout.write(
                f"\n----- e-mail (kept in {settings.EMAIL_FILE_PATH}/) -----\n"
                f"To: {', '.join(message.to)}\nSubject: {message.subject}\n\n{body.strip()}\n"
                "-----------------------------------------------\n"
            )
        sys.stdout.flush()
        return sent
