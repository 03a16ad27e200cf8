"""Reminders end to end: the real dispatcher, real PostgreSQL, and a real Web Push service
on loopback that checks the VAPID signature and decrypts what it receives."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection

from diary.choices import Occurrence
from diary.fastpath.reminder_ledger import SendRecorder
from diary.models import PushSubscription, Reminder, ReminderDelivery
from diary.services import reminders as service
from diary.services.dosing import dose_log_record
from diary.services.entries import entry_record
from diary.services.errors import Conflict
from diary.services.inputs import ReminderChange
from diary.services.patients import patient_profile_update
from diary.services.questionnaires import ResponseIn, questionnaire_submit
from diary.services.reminders.channels import _Outcome
from tests.factories import ClinicianFactory, PatientFactory, link, plan_for
from tests.push_service import PushService


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def push(transactional_db: Any):
    """The push service. The dispatcher's send threads record what they sent on connections
    of their own, so the test's rows must be committed (a transactional test)."""
    _, public_key = service.vapid_keys()
    with PushService(expected_key=public_key) as running:
        yield running


@pytest.fixture
def fast_retries(settings: Any) -> None:
    settings.REMINDER_BACKOFF_SECONDS = 0.01
    settings.REMINDER_PUSH_TIMEOUT = 1.0


def patient_with(
    push: PushService | None,
    tz: str = "Europe/Berlin",
    kind: str = "diary",
    local: str = "21:30",
    now: str = "2026-11-21T08:00:00+00:00",
    **data: Any,
) -> tuple[Any, Reminder, dict[str, Any] | None]:
    """A patient in `tz` with one reminder on, and (with `push`) one subscribed browser."""
    patient = PatientFactory.create(time_zone=tz)
    sub = None
    if push is not None:
        sub = push.subscribe()
        service.push_subscription_save(
            patient, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"]
        )
    with time_machine.travel(at(now), tick=False):
        values: ReminderChange = {"enabled": True, "local_time": time.fromisoformat(local), **data}  # type: ignore[typeddict-item]
        reminder = service.reminder_update(patient, kind, values)
    return patient, reminder, sub


def dispatch(when: str | datetime) -> service.DispatchReport:
    moment = at(when) if isinstance(when, str) else when
    with time_machine.travel(moment, tick=False):
        return service.reminders_dispatch_due()


def titles(push: PushService, sub: dict[str, Any] | None = None) -> list[str]:
    return [json.loads(text)["title"] for text in push.texts(sub)]


# --- when it fires ----------------------------------------------------------------------

# (zone, local date, local time, the UTC instant it must fire at)
INSTANTS = [
    ("Europe/Berlin", "2026-11-21", "21:30", "2026-11-21T20:30:00+00:00"),  # ordinary (CET)
    ("Europe/Berlin", "2026-03-29", "02:30", "2026-03-29T01:00:00+00:00"),  # spring forward: 03:00 CEST
    ("Europe/Berlin", "2026-10-25", "02:30", "2026-10-25T00:30:00+00:00"),  # fall back: first 02:30 (CEST)
    ("America/New_York", "2026-11-21", "21:30", "2026-11-22T02:30:00+00:00"),  # ordinary (EST)
    ("America/New_York", "2026-03-08", "02:30", "2026-03-08T07:00:00+00:00"),  # spring forward: 03:00 EDT
    ("America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00+00:00"),  # fall back: first 01:30 (EDT)
    ("Australia/Adelaide", "2026-11-21", "21:30", "2026-11-21T11:00:00+00:00"),  # ordinary (ACDT +10:30)
    ("Australia/Adelaide", "2026-10-04", "02:30", "2026-10-03T16:30:00+00:00"),  # spring forward: 03:00 ACDT
    ("Australia/Adelaide", "2026-04-05", "02:30", "2026-04-04T16:00:00+00:00"),  # fall back: first 02:30 (ACDT)
]


@pytest.mark.parametrize(("tz", "day", "local", "instant"), INSTANTS, ids=[f"{i[0]} {i[1]}" for i in INSTANTS])
def test_fires_once_at_the_right_utc_instant(push, tz, day, local, instant):
    fire = at(instant)
    _patient, reminder, sub = patient_with(push, tz, local=local, now=(fire - timedelta(hours=12)).isoformat())
    reminder.refresh_from_db()
    assert reminder.next_fire_at == fire

    assert dispatch(fire - timedelta(seconds=1)).claimed == 0
    assert push.received == []
    assert dispatch(fire).sent == 1
    # every minute for the next three hours: covers the repeated hour of a fall-back night
    for minute in range(1, 180, 7):
        assert dispatch(fire + timedelta(minutes=minute)).claimed == 0

    assert titles(push, sub) == ["Time to fill in your diary"]
    (got,) = push.received
    assert got.error is None
    assert got.claims is not None
    assert got.claims["aud"] == push.origin
    assert got.headers["ttl"] == str(4 * 3600)
    payload = json.loads(got.text or "")
    assert payload["date"] == day
    assert payload["tag"] == f"ldn-diary-{day}"
    delivery = ReminderDelivery.objects.get()
    assert (delivery.local_date, delivery.status, delivery.scheduled_for) == (date.fromisoformat(day), "sent", fire)
    # next: the same local time on the following day
    reminder.refresh_from_db()
    assert reminder.next_fire_at is not None
    assert reminder.next_fire_at.astimezone(ZoneInfo(tz)).date() == date.fromisoformat(day) + timedelta(1)


def test_payload_carries_only_the_lock_screen_text(push):
    patient, _reminder, sub = patient_with(push, text="  Bedtime things  ")
    entry_record(patient=patient, day=date(2026, 11, 20), data={"pain_score": 7, "headache": 3}, actor=None)
    dispatch("2026-11-21T20:30:00+00:00")
    payload = json.loads(push.texts(sub)[0])
    assert payload == {
        "title": "Bedtime things",
        "tag": "ldn-diary-2026-11-21",
        "kind": "diary",
        "date": "2026-11-21",
        "snooze": "/api/v1/me/reminders/diary/snooze",
    }


# --- exactly once -----------------------------------------------------------------------


def run_together(count: int, target: Any) -> list[Any]:
    """Run `target()` in `count` threads (own database connections), released at once."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = target()
        except Exception as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_send_each_reminder_once():
    _, public_key = service.vapid_keys()
    with PushService(expected_key=public_key) as push:
        subs = [sub for _, _, sub in (patient_with(push) for _ in range(40)) if sub is not None]
        fire = at("2026-11-21T20:30:00+00:00")

        with time_machine.travel(fire + timedelta(seconds=5), tick=False):
            reports = run_together(2, lambda: service.reminders_dispatch_due(chunk=7))

        assert not [r for r in reports if isinstance(r, Exception)], reports
        assert sum(r.sent for r in reports) == 40
        assert all(push.texts(sub) for sub in subs)
        assert sorted(r.path for r in push.received) == sorted(s["endpoint"].removeprefix(push.origin) for s in subs)
        assert ReminderDelivery.objects.filter(status="sent").count() == 40
        assert ReminderDelivery.objects.count() == 40


@pytest.mark.django_db(transaction=True)
def test_a_crash_between_claim_and_send_is_recovered_once():
    _, public_key = service.vapid_keys()
    with PushService(expected_key=public_key) as push:
        _, _reminder, sub = patient_with(push)
        fire = at("2026-11-21T20:30:00+00:00")
        with time_machine.travel(fire, tick=False):
            claimed, _, _ = service.reminders_claim_due(fire, uuid.uuid4(), 100)  # ... and the worker dies
        assert len(claimed) == 1
        assert push.received == []

        # later runs do not send it again while the claim may still be alive ...
        assert dispatch(fire + timedelta(seconds=30)).claimed == 0
        assert dispatch(fire + timedelta(seconds=59)).reclaimed == 0
        assert push.received == []
        # ... and once it is stale (not renewed for a minute), two recovering runs at once send it exactly once
        later = fire + timedelta(seconds=61)
        with time_machine.travel(later, tick=False):
            reports = run_together(2, service.reminders_dispatch_due)
        assert sorted(r.reclaimed for r in reports) == [0, 1]
        assert titles(push, sub) == ["Time to fill in your diary"]
        delivery = ReminderDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("sent", 2)
        assert dispatch(later + timedelta(minutes=10)).reclaimed == 0
        assert len(push.received) == 1


def test_a_stale_claim_from_yesterday_is_not_sent_today(push):
    _, _reminder, _sub = patient_with(push)
    fire = at("2026-11-21T20:30:00+00:00")
    service.reminders_claim_due(fire, uuid.uuid4(), 100)
    report = dispatch("2026-11-22T09:00:00+00:00")
    assert report.reclaimed == 1
    assert push.received == []
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.reason.startswith("expired")


def test_a_missed_window_sends_todays_reminder_late_and_once(push):
    _, _reminder, sub = patient_with(push)
    # the worker is down from 21:25 to 21:35 local time (20:25–20:35 UTC)
    assert dispatch("2026-11-21T20:24:00+00:00").claimed == 0
    report = dispatch("2026-11-21T20:36:00+00:00")
    assert (report.claimed, report.sent) == (1, 1)
    assert dispatch("2026-11-21T20:37:00+00:00").claimed == 0
    assert titles(push, sub) == ["Time to fill in your diary"]
    delivery = ReminderDelivery.objects.get()
    assert delivery.scheduled_for == at("2026-11-21T20:30:00+00:00")


def test_after_a_long_outage_yesterdays_reminder_is_not_sent(push):
    _, reminder, _sub = patient_with(push, now="2026-11-20T08:00:00+00:00")
    assert reminder.next_fire_at == at("2026-11-20T20:30:00+00:00")
    # down from yesterday evening until this morning: yesterday's is not sent
    report = dispatch("2026-11-21T09:00:00+00:00")
    assert (report.missed, report.sent) == (1, 0)
    assert push.received == []
    missed = ReminderDelivery.objects.get()
    assert (missed.local_date, missed.status, missed.reason) == (date(2026, 11, 20), "skipped", "missed")
    reminder.refresh_from_db()
    assert reminder.next_fire_at == at("2026-11-21T20:30:00+00:00")
    assert dispatch("2026-11-21T20:30:00+00:00").sent == 1


def test_after_an_outage_past_todays_time_only_todays_is_sent(push):
    _, reminder, sub = patient_with(push, now="2026-11-20T08:00:00+00:00")
    report = dispatch("2026-11-21T20:45:00+00:00")  # down since yesterday 21:00 local
    assert (report.missed, report.sent) == (1, 1)
    sent = ReminderDelivery.objects.get(status="sent")
    assert sent.local_date == date(2026, 11, 21)
    assert json.loads(push.texts(sub)[0])["date"] == "2026-11-21"
    reminder.refresh_from_db()
    assert reminder.next_fire_at == at("2026-11-22T20:30:00+00:00")


def test_moving_the_time_later_after_it_fired_does_not_fire_again_that_day(push):
    patient, reminder, _sub = patient_with(push)
    dispatch("2026-11-21T20:30:00+00:00")
    with time_machine.travel(at("2026-11-21T20:40:00+00:00"), tick=False):
        reminder = service.reminder_update(patient, "diary", {"local_time": time(22, 0)})
    assert reminder.next_fire_at == at("2026-11-22T21:00:00+00:00")
    assert dispatch("2026-11-21T21:00:00+00:00").claimed == 0
    assert len(push.received) == 1


def test_changing_time_zone_or_dose_time_reschedules(push):
    patient, reminder, _ = patient_with(push, kind="dose", local="21:30")
    with time_machine.travel(at("2026-11-21T08:00:00+00:00"), tick=False):
        patient_profile_update(patient, {"time_zone": "America/New_York"})
    reminder.refresh_from_db()
    assert reminder.next_fire_at == at("2026-11-22T02:30:00+00:00")
    with time_machine.travel(at("2026-11-21T08:00:00+00:00"), tick=False):
        patient_profile_update(patient, {"preferred_dose_time": "morning"})
    reminder.refresh_from_db()
    assert reminder.local_time == time(8, 0)  # it was at the bedtime default: it follows
    assert reminder.next_fire_at == at("2026-11-21T13:00:00+00:00")


def test_disabled_days_are_passed_over(push):
    # 2026-11-21 is a Saturday
    _, reminder, _sub = patient_with(push, days=["mon", "tue", "wed", "thu", "fri"])
    assert reminder.next_fire_at == at("2026-11-23T20:30:00+00:00")
    assert dispatch("2026-11-21T20:31:00+00:00").claimed == 0
    assert dispatch("2026-11-22T20:31:00+00:00").claimed == 0
    assert dispatch("2026-11-23T20:31:00+00:00").sent == 1
    assert push.received[0].text is not None
    assert json.loads(push.received[0].text)["date"] == "2026-11-23"


# --- skips and the plan ----------------------------------------------------------------


def test_a_logged_day_gets_no_diary_reminder(push):
    patient, _, _ = patient_with(push)
    with time_machine.travel(at("2026-11-21T18:00:00+00:00"), tick=False):
        entry_record(patient=patient, day=date(2026, 11, 21), data={"pain_score": 2, "headache": 0}, actor=None)
    dispatch("2026-11-21T20:30:00+00:00")
    assert push.received == []
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.reason) == ("skipped", "diary day already logged")
    assert dispatch("2026-11-22T20:30:00+00:00").sent == 1  # the next day is not logged


def dose_patient(push: PushService, steps: list[tuple[date, str]], **data: Any):
    patient, reminder, sub = patient_with(push, kind="dose", **data)
    plan_for(patient, ClinicianFactory.create(), steps)
    return patient, reminder, sub


def test_a_logged_dose_gets_no_dose_reminder(push):
    patient, _, sub = dose_patient(push, [(date(2026, 11, 1), "1.5")])
    with time_machine.travel(at("2026-11-21T19:00:00+00:00"), tick=False):
        dose_log_record(patient=patient, data={"date": date(2026, 11, 21), "taken": True, "client_id": uuid.uuid4()})
    dispatch("2026-11-21T20:30:00+00:00")
    assert push.received == []
    assert ReminderDelivery.objects.get().reason == "dose already logged"
    dispatch("2026-11-22T20:30:00+00:00")
    assert titles(push, sub) == ["Time for your evening dose"]


def test_the_dose_reminder_follows_the_plan(push):
    _patient, _, sub = dose_patient(push, [(date(2026, 11, 22), "1.5"), (date(2026, 11, 24), "3.0")], show_dose=True)
    for day in (21, 22, 23, 24, 25):
        dispatch(f"2026-11-{day}T20:30:00+00:00")
    assert titles(push, sub) == [
        "Tonight: your first 1.5 mg dose",
        "Time for your evening dose",
        "Tonight: your first 3.0 mg dose",
        "Time for your evening dose",
    ]
    first = ReminderDelivery.objects.get(local_date=date(2026, 11, 21))
    assert (first.status, first.reason) == ("skipped", "no planned dose")


def test_the_dose_stays_off_the_lock_screen_unless_chosen(push):
    _, _, sub = dose_patient(push, [(date(2026, 11, 21), "3.0")])
    dispatch("2026-11-21T20:30:00+00:00")
    assert titles(push, sub) == ["Tonight: the first dose of your new step"]


# --- snooze -------------------------------------------------------------------------


def test_snooze_once_a_day(push):
    patient, _, sub = dose_patient(push, [(date(2026, 11, 1), "1.5")])
    dispatch("2026-11-21T20:30:00+00:00")
    with time_machine.travel(at("2026-11-21T20:32:00+00:00"), tick=False):
        snoozed = service.reminder_snooze(patient, "dose")
        assert snoozed.snoozed_until == at("2026-11-21T21:02:00+00:00")
        with pytest.raises(Conflict, match="already snoozed"):
            service.reminder_snooze(patient, "dose")
    assert dispatch("2026-11-21T21:01:00+00:00").claimed == 0
    assert dispatch("2026-11-21T21:02:00+00:00").sent == 1
    assert dispatch("2026-11-21T21:10:00+00:00").claimed == 0
    texts = [json.loads(t) for t in push.texts(sub)]
    assert [t["title"] for t in texts] == ["Time for your evening dose"] * 2
    assert "snooze" in texts[0]
    assert "snooze" not in texts[1]  # no second snooze offered
    rows = ReminderDelivery.objects.order_by("pk")
    assert [(r.occurrence, r.status) for r in rows] == [("scheduled", "sent"), ("snooze", "sent")]
    # the next day it can be snoozed again
    dispatch("2026-11-22T20:30:00+00:00")
    with time_machine.travel(at("2026-11-22T20:31:00+00:00"), tick=False):
        service.reminder_snooze(patient, "dose")


def test_a_snoozed_dose_reminder_is_skipped_once_the_dose_is_logged(push):
    patient, _, _sub = dose_patient(push, [(date(2026, 11, 1), "1.5")])
    dispatch("2026-11-21T20:30:00+00:00")
    with time_machine.travel(at("2026-11-21T20:32:00+00:00"), tick=False):
        service.reminder_snooze(patient, "dose")
        dose_log_record(patient=patient, data={"date": date(2026, 11, 21), "taken": True, "client_id": uuid.uuid4()})
    dispatch("2026-11-21T21:03:00+00:00")
    assert len(push.received) == 1
    assert ReminderDelivery.objects.get(occurrence=Occurrence.SNOOZE).reason == "dose already logged"


def test_nothing_to_snooze_before_the_reminder_was_sent(push):
    patient, _, _ = patient_with(push)
    with time_machine.travel(at("2026-11-21T12:00:00+00:00"), tick=False), pytest.raises(Conflict):
        service.reminder_snooze(patient, "diary")


# --- the push service's answers ---------------------------------------------------


def test_gone_subscriptions_are_deleted(push):
    patient, _, sub = patient_with(push)
    push.script(sub, [410])
    report = dispatch("2026-11-21T20:30:00+00:00")
    assert (report.failed, report.subscriptions_removed) == (1, 1)
    assert not PushSubscription.objects.filter(patient=patient).exists()
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.reason) == ("failed", "push: HTTP 410, subscription gone")


def test_transient_errors_are_retried(push, fast_retries):
    _patient, _, sub = patient_with(push)
    push.script(sub, [503, 429, 201])
    assert dispatch("2026-11-21T20:30:00+00:00").sent == 1
    assert [r.status for r in push.received] == [503, 429, 201]
    assert titles(push, sub) == ["Time to fill in your diary"]
    assert PushSubscription.objects.get().last_success_at is not None


def test_a_timeout_is_retried(push, fast_retries):
    _, _, sub = patient_with(push)
    push.script(sub, [(201, 1.5)])  # answers after the 1 s timeout
    assert dispatch("2026-11-21T20:30:00+00:00").sent == 1
    assert len(push.received) == 2


def test_a_delivery_that_keeps_failing_is_recorded_with_its_reason(push, fast_retries):
    _, _, sub = patient_with(push)
    push.script(sub, [500, 502, 500])
    assert dispatch("2026-11-21T20:30:00+00:00").failed == 1
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.reason) == ("failed", "push: HTTP 500 (after 3 attempts)")
    subscription = PushSubscription.objects.get()
    assert (subscription.failure_count, subscription.last_failure) == (1, "push: HTTP 500 (after 3 attempts)")
    assert dispatch("2026-11-21T20:35:00+00:00").claimed == 0  # recorded, not retried every minute


def test_one_dead_device_does_not_stop_the_others(push):
    patient, _, first = patient_with(push)
    second = push.subscribe()
    service.push_subscription_save(
        patient, endpoint=second["endpoint"], p256dh=second["keys"]["p256dh"], auth=second["keys"]["auth"]
    )
    push.script(first, [404])
    assert dispatch("2026-11-21T20:30:00+00:00").sent == 1
    assert titles(push, second) == ["Time to fill in your diary"]
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [second["endpoint"]]


# --- e-mail --------------------------------------------------------------------------


def test_email_reminder_with_one_click_unsubscribe(push, settings, api):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://diary.example.org"
    patient, reminder, _ = patient_with(None, channels=["email"])
    assert dispatch("2026-11-21T20:30:00+00:00").sent == 1
    (message,) = mail.outbox
    assert message.to == [patient.user.email]
    assert message.subject == "Time to fill in your diary"
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.startswith("https://diary.example.org/api/v1/reminders/unsubscribe/")
    assert link in message.body
    path = link.removeprefix("https://diary.example.org")

    # a mail scanner following the link changes nothing
    assert api.get(path, HTTP_ACCEPT="text/html").status_code == 200
    reminder.refresh_from_db()
    assert reminder.email is True
    # the mail client's one-click POST (RFC 8058) does
    response = api.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    reminder.refresh_from_db()
    assert (reminder.email, reminder.next_fire_at) == (False, None)
    assert dispatch("2026-11-22T20:30:00+00:00").claimed == 0
    assert len(mail.outbox) == 1
    # a forged or cut-short token is refused
    assert api.post(path[:-3] + "abc").status_code == 400


@pytest.mark.postgres_only("fast_paths")
def test_a_sends_record_is_the_same_by_the_hand_built_update_as_by_the_orm(push, settings):
    """`SendRecorder` (diary/fastpath/reminder_ledger.py) writes each sent delivery with a
    statement built once on PostgreSQL; the ORM's update with the fast paths off. Both write
    the same columns, and only rows the run holds."""
    token, other = uuid.uuid4(), uuid.uuid4()
    fire = at("2026-11-21T20:30:00+00:00")
    rows = []
    for _ in range(4):
        _, reminder, _ = patient_with(push)
        rows.append(
            ReminderDelivery.objects.create(
                reminder=reminder, local_date=date(2026, 11, 21), scheduled_for=fire, claim_token=token, claimed_at=fire
            )
        )
    ReminderDelivery.objects.filter(pk__in=[rows[1].pk, rows[3].pk]).update(claim_token=other)  # taken over
    finished = fire + timedelta(seconds=3)

    def record(recorder: Any, delivery: ReminderDelivery) -> None:
        recorder.write(_Outcome(delivery.pk, "failed", "push: HTTP 500 (after 3 attempts)"), finished)
        recorder.close()

    settings.FASTPATH = True
    assert SendRecorder(token).cursor is not None  # the hand-built statement
    record(SendRecorder(token), rows[0])
    record(SendRecorder(token), rows[1])
    settings.FASTPATH = False
    assert SendRecorder(token).cursor is None  # the ORM's update
    record(SendRecorder(token), rows[2])
    record(SendRecorder(token), rows[3])

    got = {d.pk: (d.status, d.reason, d.finished_at, d.claim_token) for d in ReminderDelivery.objects.all()}
    assert got[rows[0].pk] == got[rows[2].pk] == ("failed", "push: HTTP 500 (after 3 attempts)", finished, token)
    assert got[rows[1].pk] == got[rows[3].pk] == ("claimed", "", None, other)


def test_a_due_questionnaire_comes_with_the_diary_reminder_even_on_a_logged_day(push):
    """§12.9: a due questionnaire reaches the patient through their reminder channel. A
    migraine patient with a plan and no dose yet has the MIDAS baseline due (HIT-6 too, but
    the clinic entered no wording, so the app cannot ask it)."""
    patient, _, sub = patient_with(push)
    with time_machine.travel(at("2026-11-20T10:00:00+00:00"), tick=False):
        plan_for(patient, ClinicianFactory.create(), [(date(2026, 11, 25), "1.5")])
    dispatch("2026-11-21T20:30:00+00:00")  # the day not logged: the diary's words, then the questionnaire
    assert titles(push, sub) == ["Time to fill in your diary. 2 minutes: how has LDN changed things for you?"]
    assert json.loads(push.texts(sub)[0])["questionnaire"] is True
    with time_machine.travel(at("2026-11-22T18:00:00+00:00"), tick=False):
        entry_record(patient=patient, day=date(2026, 11, 22), data={"pain_score": 2, "headache": 0}, actor=None)
    dispatch("2026-11-22T20:30:00+00:00")  # logged, but the questionnaire is still due
    assert titles(push, sub)[1:] == ["2 minutes: how has LDN changed things for you?"]
    with time_machine.travel(at("2026-11-23T18:00:00+00:00"), tick=False):
        entry_record(patient=patient, day=date(2026, 11, 23), data={"pain_score": 2, "headache": 0}, actor=None)
        answers = {"items": [1, 0, 2, 0, 1]}
        questionnaire_submit(
            patient=patient, data=ResponseIn(instrument="midas", answers=answers), by="patient", actor=patient.user
        )
    dispatch("2026-11-23T20:30:00+00:00")  # answered and logged: nothing to remind of
    assert len(push.texts(sub)) == 2
    last = ReminderDelivery.objects.order_by("-pk").first()
    assert last is not None
    assert (last.status, last.reason) == ("skipped", "diary day already logged")


def test_deciding_diary_reminders_with_questionnaires_due_reads_a_constant_number_of_times(push):
    """Whether a questionnaire is due is read for the whole claimed batch at once (the
    responses, plans, stored clocks, first doses and HIT-6 wordings of every patient in
    it), not per delivery: dispatching 2 or 6 such reminders makes the same queries."""
    from django.test.utils import CaptureQueriesContext

    from diary.models import Hit6Wording

    def clinic_of(count: int, local: str) -> None:
        clinician = ClinicianFactory.create()
        Hit6Wording.objects.create(clinic=clinician.clinic, items=[f"Item {i}" for i in range(1, 7)])
        for _ in range(count):
            patient, _, _ = patient_with(push, local=local)
            link(patient, clinician)
            with time_machine.travel(at("2026-11-20T10:00:00+00:00"), tick=False):
                plan_for(patient, clinician, [(date(2026, 11, 25), "1.5")])

    clinic_of(2, "21:00")
    clinic_of(6, "22:00")
    counts = []
    for count, instant in ((2, "2026-11-21T20:00:00+00:00"), (6, "2026-11-21T21:00:00+00:00")):
        with CaptureQueriesContext(connection) as queries:
            report = dispatch(instant)
        assert report.sent == count
        counts.append(len(queries))
    questionnaire = [json.loads(text).get("questionnaire") for text in push.texts()]
    assert questionnaire == [True] * 8
    assert counts[0] == counts[1], counts
