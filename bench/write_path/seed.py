"""Create the bench patients and their signed-in sessions (runs under the production settings).

    python -m bench.write_path.seed --patients 32 --out seed.json

Every patient is what signup + e-mail verification + login leave behind: a user with a
verified primary allauth EmailAddress, a Patient profile (Europe/Berlin, migraine) and a
session (in the configured SESSION_ENGINE) carrying Django's auth keys, as
`django.contrib.auth.login` writes them after an allauth login. Hashing a
production-strength password per patient would cost about a second of CPU each, so these
users get an unusable password; one extra user gets a real password and `run.py` signs it
in through allauth headless to prove the real path.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import string
import sys
from importlib import import_module
from pathlib import Path
from typing import Any

TIME_ZONE = "Europe/Berlin"


def login_backend() -> str:
    """The backend an allauth e-mail login records in the session: the first configured
    backend that is allauth's (or derives from it), as allauth's own login prefers it."""
    from allauth.account.auth_backends import AuthenticationBackend
    from django.contrib.auth import get_backends

    backends = get_backends()
    chosen = next((b for b in backends if isinstance(b, AuthenticationBackend)), backends[0])
    return f"{type(chosen).__module__}.{type(chosen).__qualname__}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection, transaction
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.utils.crypto import get_random_string

    from diary.models import Patient, User

    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = login_backend()

    def patient_user(email: str, password: str | None) -> User:
        user = User(email=email, display_name=email.split("@")[0])
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        Patient.objects.create(user=user, time_zone=TIME_ZONE, primary_condition="migraine")
        return user

    patients: list[dict[str, Any]] = []
    with transaction.atomic():
        for index in range(args.patients):
            user = patient_user(f"bench-patient-{index}@example.org", None)
            session = session_store()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = backend
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            patients.append(
                {
                    "patient_id": user.patient.pk,
                    "email": user.email,
                    "session": session.session_key,
                    # What the CSRF cookie holds (an unmasked secret); the PWA echoes it in X-CSRFToken.
                    "csrf": get_random_string(32, CSRF_ALLOWED_CHARS),
                }
            )
        password = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))
        login_user = patient_user("bench-login@example.org", password)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out = {
        "patients": patients,
        "login": {"email": login_user.email, "password": password},
        "cookies": {"session": settings.SESSION_COOKIE_NAME, "csrf": settings.CSRF_COOKIE_NAME},
        "password_hasher": settings.PASSWORD_HASHERS[0],
        "session": {"engine": settings.SESSION_ENGINE, "backend": backend},
    }
    args.out.write_text(json.dumps(out))
    print(
        f"seeded {len(patients)} patients (+1 for the login check); sessions: {settings.SESSION_ENGINE}, "
        f"auth backend {backend}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
