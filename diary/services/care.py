"""Care links: invitation → consent → revocation (DESIGN.md §3)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from diary.choices import LinkStatus, RevokedBy
from diary.models import CareLink, Clinician, Patient
from diary.services.errors import Conflict, InvalidInput
from diary.services.patients import patient_lock

# Crockford base32 without look-alikes: easy to read out over the phone.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12


def _normalise_code(code: str) -> str:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    return cleaned.replace("O", "0").replace("I", "1").replace("L", "1")


def code_hash(code: str) -> str:
    return hashlib.sha256(_normalise_code(code).encode()).hexdigest()


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@dataclass(frozen=True)
class Invitation:
    link: CareLink
    code: str  # shown once; only its hash is stored


def invitation_create(*, clinician: Clinician, note: str = "", now: datetime | None = None) -> Invitation:
    """A single-use, expiring code the clinician hands to a patient."""
    now = now or timezone.now()
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    link = CareLink.objects.create(
        clinic_id=clinician.clinic_id,
        clinician=clinician,
        status=LinkStatus.INVITED,
        code_hash=code_hash(raw),
        invited_at=now,
        expires_at=now + settings.INVITATION_TTL,
        invitee_note=note,
    )
    return Invitation(link=link, code=format_code(raw))


def _open_invitation(code: str, now: datetime, *, lock: bool) -> CareLink:
    if not _normalise_code(code):
        raise InvalidInput({"code": "Enter the invitation code."})
    qs = CareLink.objects.select_related("clinic", "clinician__user")
    if lock:
        qs = qs.select_for_update(of=("self",))
    link = qs.filter(code_hash=code_hash(code)).first()
    # One message for unknown, used and revoked codes: a code reveals nothing.
    if link is None or link.status != LinkStatus.INVITED:
        raise InvalidInput({"code": "This invitation code is not valid. Ask your clinic for a new one."})
    if link.expires_at <= now:
        raise InvalidInput({"code": "This invitation code has expired. Ask your clinic for a new one."})
    return link


def invitation_preview(code: str, now: datetime | None = None) -> CareLink:
    """Who is inviting (clinic and clinician), without using the code up."""
    return _open_invitation(code, now or timezone.now(), lock=False)


@transaction.atomic
def invitation_redeem(*, patient: Patient, code: str, consent: bool, now: datetime | None = None) -> CareLink:
    """The patient accepts an invitation and consents to share their diary with the clinic."""
    now = now or timezone.now()
    if consent is not True:
        raise InvalidInput({"consent": "Sharing your diary needs your explicit consent (consent: true)."})
    # One redemption per patient at a time: two codes of one clinic redeemed at once would
    # both pass the check below, and the second would break the one-active-link rule.
    patient_lock(patient.pk)
    link = _open_invitation(code, now, lock=True)
    if CareLink.objects.filter(patient=patient, clinic_id=link.clinic_id, status=LinkStatus.ACTIVE).exists():
        raise Conflict(f"You already share your diary with {link.clinic.name}.")
    link.patient = patient
    link.status = LinkStatus.ACTIVE
    link.consented_at = now
    link.code_hash = None  # single use: the code is gone
    link.save(update_fields=["patient", "status", "consented_at", "code_hash"])
    return link


@transaction.atomic
def care_link_revoke(*, link: CareLink, by: str, now: datetime | None = None) -> CareLink:
    """End a link (or withdraw an invitation). Access ends with this commit."""
    link = CareLink.objects.select_for_update().get(pk=link.pk)
    if link.status in (LinkStatus.REVOKED, LinkStatus.EXPIRED):
        return link
    if by not in RevokedBy.values:
        raise InvalidInput({"by": "Unknown revoking party."})
    link.status = LinkStatus.REVOKED
    link.revoked_at = now or timezone.now()
    link.revoked_by = by
    link.code_hash = None
    link.save(update_fields=["status", "revoked_at", "revoked_by", "code_hash"])
    return link


def invitations_expire(now: datetime | None = None) -> int:
    """Mark invitations past their expiry as expired. Safe to run twice or concurrently."""
    now = now or timezone.now()
    return CareLink.objects.filter(status=LinkStatus.INVITED, expires_at__lte=now).update(
        status=LinkStatus.EXPIRED, code_hash=None
    )
