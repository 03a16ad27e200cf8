"""Reminders: settings, DST-safe scheduling, push subscriptions, unsubscribe, dispatch
exactly once per local date, and the channels it sends through (one module each).

The names below are the package's public ones, so callers import them from here.
docs/architecture.md "Reminders".
"""

from diary.services.reminders.channels import (
    Channels,
)
from diary.services.reminders.dispatch import (
    MAX_CLAIMS,
    SUBSCRIPTIONS_BATCH,
    WHEN,
    DispatchReport,
    reminders_claim_due,
    reminders_dispatch_due,
    reminders_reclaim_stale,
)
from diary.services.reminders.schedule import (
    DIARY_TIME,
    DOSE_TIMES,
    next_fire_at,
    next_occurrence,
    occurrences,
)
from diary.services.reminders.settings import (
    DAY_NAMES,
    DIARY_TEXT,
    DOSE_TEXT,
    SNOOZE_WINDOW,
    days_to_mask,
    default_text,
    mask_to_days,
    reminder_get,
    reminder_snooze,
    reminder_text,
    reminder_update,
    reminders_ensure,
    reminders_reschedule,
)
from diary.services.reminders.subscriptions import (
    endpoint_check,
    push_subscription_delete,
    push_subscription_save,
    vapid_keys,
)
from diary.services.reminders.unsubscribe import (
    UNSUBSCRIBE_SALT,
    reminder_from_token,
    reminder_unsubscribe,
    unsubscribe_token,
    unsubscribe_url,
)

__all__ = [
    "DAY_NAMES",
    "DIARY_TEXT",
    "DIARY_TIME",
    "DOSE_TEXT",
    "DOSE_TIMES",
    "MAX_CLAIMS",
    "SNOOZE_WINDOW",
    "SUBSCRIPTIONS_BATCH",
    "UNSUBSCRIBE_SALT",
    "WHEN",
    "Channels",
    "DispatchReport",
    "days_to_mask",
    "default_text",
    "endpoint_check",
    "mask_to_days",
    "next_fire_at",
    "next_occurrence",
    "occurrences",
    "push_subscription_delete",
    "push_subscription_save",
    "reminder_from_token",
    "reminder_get",
    "reminder_snooze",
    "reminder_text",
    "reminder_unsubscribe",
    "reminder_update",
    "reminders_claim_due",
    "reminders_dispatch_due",
    "reminders_ensure",
    "reminders_reclaim_stale",
    "reminders_reschedule",
    "unsubscribe_token",
    "unsubscribe_url",
    "vapid_keys",
]
