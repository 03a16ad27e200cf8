"""Thin Celery tasks: they take IDs (or nothing) and call services."""

from __future__ import annotations

from celery import shared_task

from diary.services.care import invitations_expire


@shared_task(name="diary.tasks.care_links_expire", ignore_result=True)
def care_links_expire() -> int:
    """Close invitations whose code has expired (periodic)."""
    return invitations_expire()
