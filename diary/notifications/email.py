"""E-mail reminders through Django's configured e-mail backend.

Each message carries a signed one-click unsubscribe link in the body and in the
List-Unsubscribe / List-Unsubscribe-Post headers (RFC 2369, RFC 8058).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from diary.notifications.retry import Transient


class EmailError(Exception):
    """Base: the message was not handed to the mail server."""

    reason: str

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class EmailRetryable(EmailError, Transient):
    """The server was unreachable, disconnected, or answered with a temporary (4xx) error."""


class EmailRejected(EmailError):
    """A permanent refusal (5xx, bad recipient): retrying will not help."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    unsubscribe_url: str


def email_send(mail: Mail) -> None:
    """Send one message now. Raises an EmailError."""
    message = EmailMessage(
        subject=mail.subject,
        body=f"{mail.body}\n\n—\nStop these e-mails with one click: {mail.unsubscribe_url}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[mail.to],
        headers={
            "List-Unsubscribe": f"<{mail.unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
        connection=get_connection(fail_silently=False, timeout=settings.REMINDER_EMAIL_TIMEOUT),
    )
    try:
        message.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        raise EmailRejected(f"e-mail: recipient refused ({_codes(exc.recipients)})") from None
    except smtplib.SMTPResponseException as exc:
        kind = EmailRetryable if 400 <= exc.smtp_code < 500 else EmailRejected
        raise kind(f"e-mail: SMTP {exc.smtp_code}") from None
    except OSError as exc:  # disconnected, refused, timed out (SMTPException is an OSError too)
        raise EmailRetryable(f"e-mail: {type(exc).__name__}") from None


def _codes(recipients: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(str(code) for code, _ in recipients.values())
