"""Push subscriptions and the server's VAPID keys."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction

from diary.models import (
    Patient,
    PushSubscription,
    VapidKey,
)
from diary.notifications.webpush import (
    b64url_decode,
    vapid_generate,
    vapid_public_key,
)
from diary.services.errors import InvalidInput, NotFound


def vapid_keys() -> tuple[str, str]:
    """(private key PEM, applicationServerKey): from settings, else generated once and stored."""
    configured = settings.VAPID_PRIVATE_KEY.strip()
    if configured:
        if not configured.startswith("-----"):
            from py_vapid import Vapid02

            vapid = Vapid02.from_raw(configured.encode())
            configured = vapid.private_pem().decode()
        return configured, vapid_public_key(configured)
    stored = VapidKey.objects.filter(pk=1).first()
    if stored is None:
        pem, public = vapid_generate()
        try:
            with transaction.atomic():
                stored = VapidKey.objects.create(pk=1, private_pem=pem, public_key=public)
        except IntegrityError:  # another process stored one first: use theirs
            stored = VapidKey.objects.get(pk=1)
    return stored.private_pem, stored.public_key


def _key_check(value: str, field: str, length: int) -> None:
    try:
        raw = b64url_decode(value)
    except (ValueError, TypeError):
        raise InvalidInput({field: "Not base64url."}) from None
    if len(raw) != length:
        raise InvalidInput({field: f"Must decode to {length} bytes, not {len(raw)}."})
    if field.endswith("p256dh"):
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise InvalidInput({field: "Not a P-256 public key."}) from None


def endpoint_check(endpoint: str) -> None:
    """A push endpoint we are willing to POST to (settings.PUSH_REQUIRE_HTTPS / PUSH_SERVICE_HOSTS)."""
    schemes = ["https"] if settings.PUSH_REQUIRE_HTTPS else ["http", "https"]
    try:
        URLValidator(schemes=schemes)(endpoint)
    except ValidationError:
        need = "an https URL" if settings.PUSH_REQUIRE_HTTPS else "an http(s) URL"
        raise InvalidInput({"endpoint": f"Must be {need} from the browser's push service."}) from None
    host = (urlsplit(endpoint).hostname or "").lower()
    allowed = [h.lower() for h in settings.PUSH_SERVICE_HOSTS]
    if allowed and not any(host == h or host.endswith("." + h) for h in allowed):
        raise InvalidInput({"endpoint": f"'{host}' is not a known browser push service."})


@transaction.atomic
def push_subscription_save(
    patient: Patient, *, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Store the browser's subscription (idempotent on the endpoint). Returns (it, created).

    An endpoint already stored for another account moves to this one: the browser that
    subscribes now is the one that receives.
    """
    endpoint_check(endpoint)
    _key_check(p256dh, "keys.p256dh", 65)
    _key_check(auth, "keys.auth", 16)
    existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if existing is None:
        count = PushSubscription.objects.filter(patient=patient).count()
        if count >= settings.PUSH_SUBSCRIPTIONS_PER_PATIENT:
            raise InvalidInput(
                {"endpoint": f"At most {settings.PUSH_SUBSCRIPTIONS_PER_PATIENT} devices; remove one first."}
            )
        try:
            with transaction.atomic():
                sub = PushSubscription.objects.create(
                    patient=patient, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent[:300]
                )
            return sub, True
        except IntegrityError:  # the same browser subscribed at the same moment: update that one
            existing = PushSubscription.objects.select_for_update().get(endpoint=endpoint)
    existing.patient = patient
    existing.p256dh = p256dh
    existing.auth = auth
    existing.user_agent = user_agent[:300] or existing.user_agent
    existing.failure_count = 0
    existing.last_failure = ""
    existing.save()
    return existing, False


def push_subscription_delete(patient: Patient, public_id: uuid.UUID) -> None:
    deleted, _ = PushSubscription.objects.filter(patient=patient, public_id=public_id).delete()
    if not deleted:
        raise NotFound()
