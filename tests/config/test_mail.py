"""make run's mail: kept as files under var/mail/ and printed in its terminal (config/mail.py)."""

from __future__ import annotations

from django.core.mail import EmailMessage

from config.mail import EmbeddedEmailBackend


def test_a_message_is_kept_as_a_file_and_printed(tmp_path, settings, capsys):
    settings.EMAIL_FILE_PATH = str(tmp_path)
    backend = EmbeddedEmailBackend(file_path=str(tmp_path))
    message = EmailMessage(
        "Your code", "Your code is\n\n  ABC-123\n", "LDN Diary <no-reply@localhost>", ["p@example.org"]
    )

    assert backend.send_messages([message]) == 1

    printed = capsys.readouterr().out
    assert "To: p@example.org" in printed
    assert "Subject: Your code" in printed
    assert "ABC-123" in printed
    assert str(tmp_path) in printed
    kept = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert b"ABC-123" in kept
    assert b"To: p@example.org" in kept
