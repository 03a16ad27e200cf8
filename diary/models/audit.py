from __future__ import annotations

from typing import ClassVar

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils import timezone

from diary.models.people import Patient


class AuditEvent(models.Model):
    """Append-only record of who saw or exported which patient's data.

    On PostgreSQL a trigger refuses UPDATE and DELETE, whatever the code path.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # No database constraint: the trail outlives the accounts it mentions.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    action = models.CharField(max_length=64)
    patient = models.ForeignKey(
        Patient, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", null=True, blank=True
    )
    object_type = models.CharField(max_length=64, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")
    request_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        indexes: ClassVar = [models.Index(fields=["patient", "at"]), models.Index(fields=["actor", "at"])]
        triggers: ClassVar = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.patient_id}"
