"""plan_write's bounds hold for any caller, not only the API's serializer."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from diary.models import DosePlan
from diary.models.dosing import STEP_DAYS_AHEAD_MAX, STEPS_PER_PLAN_MAX
from diary.services.dosing import plan_write
from diary.services.errors import InvalidInput
from diary.services.inputs import StepData
from tests.factories import ClinicianFactory, PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)  # the patient's today at the frozen time (Berlin)


def steps(count: int, first: date = TODAY) -> list[StepData]:
    return [{"start_date": first + timedelta(days=7 * i), "mg": Decimal("1.5")} for i in range(count)]


def test_a_plan_has_a_bounded_number_of_steps_within_a_horizon():
    patient, clinician = PatientFactory.create(), ClinicianFactory.create()
    last_day = TODAY + timedelta(days=STEP_DAYS_AHEAD_MAX)
    plan_write(patient=patient, clinician=clinician, data={"steps": steps(1, last_day)})

    with pytest.raises(InvalidInput) as raised:
        plan_write(patient=patient, clinician=clinician, data={"steps": steps(1, last_day + timedelta(days=1))})
    assert list(raised.value.errors) == ["steps.0.start_date"]

    with pytest.raises(InvalidInput) as raised:
        plan_write(patient=patient, clinician=clinician, data={"steps": steps(STEPS_PER_PLAN_MAX + 1)})
    assert list(raised.value.errors) == ["steps"]
    assert [s.start_date for s in DosePlan.objects.get().steps.all()] == [last_day]
