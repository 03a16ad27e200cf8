"""The recompute requests (diary/fastpath/insights_outbox.py): gathered by a thread per
process with the fast paths on; with them off, each committed transaction publishes its
own message on the request's thread. Either way one message names every patient the
transaction wrote, through the real broker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction

from diary.fastpath.insights_outbox import RECOMPUTE_TASK
from diary.tasks import insights_recompute
from tests.diary.test_insights_jobs import record, today_of
from tests.factories import PatientFactory
from tests.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_off_each_transaction_publishes_its_own_message_before_the_commit_returns(queue_messages, settings):
    settings.FASTPATH = False
    alice, bob = PatientFactory.create_batch(2)
    with transaction.atomic():
        record(alice, today_of(alice))
        record(alice, today_of(alice) - timedelta(days=1))
        record(bob, today_of(bob))
    assert [m["headers"]["argsrepr"] for m in queue_messages()] == [repr((sorted([alice.pk, bob.pk]),))]
    with transaction.atomic():
        record(bob, today_of(bob) - timedelta(days=1))
    assert queue_messages()[-1]["headers"]["argsrepr"] == repr(([bob.pk],))


def test_on_the_same_request_arrives_from_the_sender_thread(queue_messages, settings):
    settings.FASTPATH = True
    alice, bob = PatientFactory.create_batch(2)
    with transaction.atomic():
        record(alice, today_of(alice))
        record(bob, today_of(bob))
    assert queue_messages() == []  # still gathering, off the request thread
    wait_for(queue_messages)
    assert [m["headers"]["argsrepr"] for m in queue_messages()] == [repr((sorted([alice.pk, bob.pk]),))]


def test_the_request_names_the_recompute_task():
    """Sent by name (no import of diary.tasks): the name is the task's."""
    assert insights_recompute.name == RECOMPUTE_TASK
