"""A clinician acting on a flag: acknowledge it (with a note) or resolve it (CLINICAL.md §7)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from diary.choices import FlagStatus
from diary.models import Clinician, Flag
from diary.services.errors import Conflict


def _move(flag: Flag, to: FlagStatus, clinician: Clinician, note: str, now: datetime | None) -> Flag:
    """Lock the flag and move it to `to`, stamping who, when and the note (`acknowledged_*`
    or `resolved_*`). Already there: unchanged, so a repeated request is harmless."""
    locked = Flag.objects.select_for_update().get(pk=flag.pk)
    if locked.status == to:
        return locked
    if locked.status == FlagStatus.RESOLVED:
        raise Conflict("This flag is already resolved.", current=locked)
    prefix = "acknowledge" if to == FlagStatus.ACKNOWLEDGED else "resolve"
    now = now or timezone.now()
    locked.status = to
    setattr(locked, f"{prefix}d_at", now)
    setattr(locked, f"{prefix}d_by", clinician)
    setattr(locked, f"{prefix}_note", note)
    locked.updated_at = now
    locked.save(update_fields=["status", f"{prefix}d_at", f"{prefix}d_by", f"{prefix}_note", "updated_at"])
    return locked


@transaction.atomic
def flag_acknowledge(*, flag: Flag, clinician: Clinician, note: str = "", now: datetime | None = None) -> Flag:
    """open → acknowledged. A resolved flag cannot be acknowledged (409)."""
    return _move(flag, FlagStatus.ACKNOWLEDGED, clinician, note, now)


@transaction.atomic
def flag_resolve(*, flag: Flag, clinician: Clinician, note: str = "", now: datetime | None = None) -> Flag:
    """open or acknowledged → resolved by a clinician.

    A state flag whose condition still holds opens again on the next recompute; an event
    flag opens again only for an occurrence dated after today (CLINICAL.md §11.8).
    """
    return _move(flag, FlagStatus.RESOLVED, clinician, note, now)
