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
    assert app.conf.broker_url.startswith("redis://127.0.0.1")
    clinician = ClinicianFactory.create()
    old = invitation_create(clinician=clinician, now=timezone.now() - timedelta(days=30))
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        care_links_expire.delay()
        deadline = time.monotonic() + 20
        while CareLink.objects.get(pk=old.link.pk).status != "expired":
            assert time.monotonic() < deadline, "the worker did not run the task"
            time.sleep(0.05)
