"""Thin Celery tasks: they take IDs (or nothing) and call services."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.db import OperationalError as DatabaseOperationalError

from diary.services import insights
from diary.services.care import invitations_expire
from diary.services.reminders import reminders_dispatch_due


@shared_task(name="diary.tasks.care_links_expire", ignore_result=True)
def care_links_expire() -> int:
    """Close invitations whose code has expired (periodic)."""
    return invitations_expire()


# Only these are worth a retry: the database went away or a lock wait timed out. Anything
# else is a bug that a retry would repeat; it is logged and the patient stays stale.
TRANSIENT_ERRORS = (DatabaseOperationalError,)
SWEEP_TIME_BUDGET = 45.0  # seconds; below the soft time limit and the beat interval


@shared_task(
    name="diary.tasks.insights_recompute",
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_jitter=True,
    max_retries=5,
)
def insights_recompute(patient_ids: list[int]) -> int:
    """Recompute these patients if they are still stale (asked for when a write commits)."""
    return insights.insights_recompute(patient_ids)


@shared_task(
    name="diary.tasks.insights_sweep",
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_jitter=True,
    max_retries=3,
)
def insights_sweep() -> int:
    """Recompute stale patients in batches (periodic, every minute).

    A run stops after SWEEP_TIME_BUDGET seconds, well inside the task time limit, and
    queues its own continuation when stale patients are left (a backlog after an outage,
    a rules upgrade), so a large recompute needs no beat tick per batch.
    """
    result = insights.insights_sweep(time_budget=SWEEP_TIME_BUDGET)
    if result.more:
        insights_sweep.delay()
    return result.stored


@shared_task(name="diary.tasks.insights_daily", ignore_result=True, autoretry_for=TRANSIENT_ERRORS, max_retries=3)
def insights_daily() -> int:
    """Mark stale each patient whose local date moved on since their last analysis (hourly)."""
    return insights.patients_mark_stale_for_new_day()


@shared_task(name="diary.tasks.reminders_dispatch", ignore_result=True)
def reminders_dispatch() -> dict[str, int]:
    """Claim and send the reminders due now (periodic, every minute)."""
    return asdict(reminders_dispatch_due())
