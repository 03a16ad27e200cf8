"""Thin Celery tasks: they take IDs (or nothing) and call services."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task

from diary.services.care import invitations_expire
from diary.services.reminders import reminders_dispatch_due


@shared_task(name="diary.tasks.care_links_expire", ignore_result=True)
def care_links_expire() -> int:
    """Close invitations whose code has expired (periodic)."""
    return invitations_expire()


@shared_task(name="diary.tasks.reminders_dispatch", ignore_result=True)
def reminders_dispatch() -> dict[str, int]:
    """Claim and send the reminders due now (periodic, every minute)."""
    return asdict(reminders_dispatch_due())
