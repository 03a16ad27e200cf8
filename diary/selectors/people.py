"""Reads of care links, invitations, a clinician's patients and a patient's push subscriptions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from diary.access import visible_patients
from diary.choices import (
    LinkStatus,
)
from diary.models import (
    CareLink,
    Clinician,
    DiaryEntry,
    Patient,
    PushSubscription,
)


def push_subscriptions_of(patient: Patient) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(patient=patient).order_by("created_at", "pk")


def care_links_for_patient(patient: Patient) -> QuerySet[CareLink]:
    return (
        CareLink.objects.filter(patient=patient)
        .select_related("clinic", "clinician__user")
        .order_by("-consented_at", "-invited_at")
    )


def care_link_of(patient: Patient, public_id: uuid.UUID) -> CareLink | None:
    """One of the patient's own care links or invitations (None: not theirs)."""
    return care_links_for_patient(patient).filter(public_id=public_id).first()


def active_link_id(patient: Patient, clinic_id: int) -> uuid.UUID | None:
    """The public id of the patient's active care link with this clinic."""
    links = care_links_for_patient(patient).filter(clinic_id=clinic_id, status=LinkStatus.ACTIVE)
    return links.values_list("public_id", flat=True).first()


def invitations_for(clinician: Clinician, statuses: Sequence[str] = ()) -> QuerySet[CareLink]:
    """The clinic's invitations and links, newest first; only those in ``statuses`` when
    given. An invitation past its expiry counts as expired before the periodic task marks
    it so ("pending" is "invited" and not yet expired)."""
    links = (
        CareLink.objects.filter(clinic_id=clinician.clinic_id)
        .select_related("clinician__user", "patient__user")
        .order_by("-invited_at")
    )
    if not statuses:
        return links
    now = timezone.now()
    pending = Q(status=LinkStatus.INVITED, expires_at__gt=now)
    lapsed = Q(status=LinkStatus.EXPIRED) | Q(status=LinkStatus.INVITED, expires_at__lte=now)
    special: dict[str, Q] = {LinkStatus.INVITED: pending, "pending": pending, LinkStatus.EXPIRED: lapsed}
    match = Q(pk__in=[])
    for value in statuses:
        match |= special.get(value, Q(status=value))
    return links.filter(match)


def invitation_of(clinician: Clinician, public_id: uuid.UUID) -> CareLink | None:
    """One invitation or link of the clinician's clinic (None: not the clinic's)."""
    return invitations_for(clinician).filter(public_id=public_id).first()


def patients_for(clinician: Clinician) -> QuerySet[Patient]:
    """The clinician's linked patients with list columns, in a constant number of queries."""
    last_entry = DiaryEntry.objects.filter(patient=OuterRef("pk")).order_by("-date").values("date")[:1]
    linked_since = CareLink.objects.filter(
        patient=OuterRef("pk"), clinic_id=clinician.clinic_id, status=LinkStatus.ACTIVE
    ).values("consented_at")[:1]
    return (
        visible_patients(clinician)
        .select_related("user")
        .annotate(
            last_entry_date=Subquery(last_entry),
            linked_since=Subquery(linked_since),
        )
        .order_by("user__display_name", "pk")
    )
