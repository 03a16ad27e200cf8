"""Factories for tests (no JSON fixtures)."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from diary.choices import LinkStatus
from diary.models import CareLink, Clinic, Clinician, DiaryEntry, DoseLog, DosePlan, DoseStep, Patient, User

PASSWORD = "correct horse battery staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # test clinicians' authenticator


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The current code an authenticator app would show. Not one in the last second of its
    period: it could expire before the server checks it (allauth accepts the current
    period's code only). Under a frozen clock the wait changes nothing, and is not needed."""
    import time

    from diary.services.mfa import totp_now

    left = totp_now(secret).seconds_left - time.time() % 1
    if left < 1:
        time.sleep(left + 0.05)
    return totp_now(secret).code


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    display_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            from allauth.account.models import EmailAddress

            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ClinicFactory(factory.django.DjangoModelFactory[Clinic]):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Pain Clinic {n}")


class ClinicianFactory(factory.django.DjangoModelFactory[Clinician]):
    """A clinician with TOTP turned on (clinicians must have a second factor)."""

    class Meta:
        model = Clinician
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    clinic = factory.SubFactory(ClinicFactory)

    @factory.post_generation
    def totp(obj: Clinician, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            from diary.services.mfa import totp_activate

            totp_activate(obj.user, TOTP_SECRET)


class PatientFactory(factory.django.DjangoModelFactory[Patient]):
    class Meta:
        model = Patient

    user = factory.SubFactory(UserFactory)
    time_zone = "Europe/Berlin"
    day_boundary = time(4, 0)
    primary_condition = "migraine"
    preferred_dose_time = "bedtime"


def link(patient: Patient, clinician: Clinician) -> CareLink:
    """An active care link between the patient and the clinician's clinic."""
    now = timezone.now()
    return CareLink.objects.create(
        clinic=clinician.clinic,
        clinician=clinician,
        patient=patient,
        status=LinkStatus.ACTIVE,
        expires_at=now,
        consented_at=now,
    )


class EntryFactory(factory.django.DjangoModelFactory[DiaryEntry]):
    class Meta:
        model = DiaryEntry

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyFunction(lambda: timezone.now().date())
    pain_score = 3
    headache = 0


def plan_for(patient: Patient, clinician: Clinician, steps: list[tuple[date, str]], **fields: Any) -> DosePlan:
    plan = DosePlan.objects.create(patient=patient, created_by=clinician, **fields)
    for start, mg in steps:
        DoseStep.objects.create(plan=plan, start_date=start, mg=Decimal(mg))
    return plan


class DoseLogFactory(factory.django.DjangoModelFactory[DoseLog]):
    class Meta:
        model = DoseLog

    patient = factory.SubFactory(PatientFactory)
    date = factory.LazyFunction(lambda: timezone.now().date())
    taken = True
    mg = Decimal("1.5")
    client_id = factory.Faker("uuid4", cast_to=None)


def app_session_token(email: str, password: str = PASSWORD) -> str:
    """Sign in through allauth's app client (with the TOTP step when asked) → session token."""
    import json

    from django.test import Client

    client = Client()
    login = client.post(
        "/_allauth/app/v1/auth/login",
        data=json.dumps({"email": email, "password": password}),
        content_type="application/json",
    ).json()
    token: str = login["meta"]["session_token"]
    if login["status"] == 401:
        pending = [flow["id"] for flow in login["data"]["flows"] if flow.get("is_pending")]
        assert pending == ["mfa_authenticate"], login
        done = client.post(
            "/_allauth/app/v1/auth/2fa/authenticate",
            data=json.dumps({"code": totp_code()}),
            content_type="application/json",
            HTTP_X_SESSION_TOKEN=token,
        ).json()
        assert done["status"] == 200, done
        token = done["meta"]["session_token"]
    return token
