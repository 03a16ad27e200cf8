"""Tasks run through the real Redis broker and a real Celery worker."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from config.celery import app
from diary.models import CareLink
from diary.services.care import invitation_create
from diary.tasks import care_links_expire
from tests.factories import ClinicianFactory


@pytest.mark.django_db(transaction=True)
def test_expiry_task_through_the_broker():
    # the real broker of the run: Redis on loopback, or make run's filesystem broker
    assert app.conf.broker_url.startswith(("redis://127.0.0.1", "filesystem://"))
    clinician = ClinicianFactory.create()
    old = invitation_create(clinician=clinician, now=timezone.now() - timedelta(days=30))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        care_links_expire.delay()
        deadline = time.monotonic() + 20
        while CareLink.objects.get(pk=old.link.pk).status != "expired":
            assert time.monotonic() < deadline, "the worker did not run the task"
            time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_reminders_dispatch_through_the_broker():
    from diary.models import Reminder, ReminderDelivery
    from diary.services.reminders import push_subscription_save, reminder_update, vapid_keys
    from diary.tasks import reminders_dispatch
    from tests.factories import PatientFactory
    from tests.push_service import PushService

    patient = PatientFactory.create(time_zone="Europe/Berlin")
    with PushService(expected_key=vapid_keys()[1]) as push:
        sub = push.subscribe()
        push_subscription_save(
            patient, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"]
        )
        reminder = reminder_update(patient, "diary", {"enabled": True})
        Reminder.objects.filter(pk=reminder.pk).update(next_fire_at=timezone.now() - timedelta(seconds=30))
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            reminders_dispatch.delay()
            deadline = time.monotonic() + 20
            while not ReminderDelivery.objects.filter(status="sent").exists():
                assert time.monotonic() < deadline, "the worker did not send the reminder"
                time.sleep(0.05)
        assert len(push.texts(sub)) == 1
