"""Writing the demo: every thing a patient "typed" goes through the real services
(entry_record, dose_log_record, plan_write, plan_stop, invitation_create/redeem), so the
demo exercises the same rules, defaults and bookkeeping as the app.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from diary.choices import StopReason
from diary.demo.generate import History, _local, history_build
from diary.demo.profiles import (
    ADMIN_EMAIL,
    ADMIN_NAME,
    CLINIC_NAME,
    CLINICIAN_EMAIL,
    CLINICIAN_NAME,
    DEMO_DOMAIN,
    DEMO_EVENING,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    PROFILES,
    Profile,
)
from diary.demo.questionnaires import questionnaires_seed
from diary.models import CareLink, Clinic, Clinician, DosePlan, User
from diary.services.care import invitation_create, invitation_redeem
from diary.services.dosing import dose_log_record, plan_stop, plan_write
from diary.services.entries import entry_record
from diary.services.mfa import totp_activate
from diary.services.patients import patient_create


@dataclass(frozen=True)
class Seeded:
    profile: Profile
    entries: int
    late_entries: int
    doses_taken: int
    doses_missed: int
    first_day: date
    first_dose: date
    today: date


def _account(email: str, name: str, password_hash: str, joined: datetime, **flags: bool) -> User:
    # The hash is made once for all demo accounts: the password is public, and hashing
    # it per account would cost seconds with the production hasher.
    user = User.objects.create(
        email=email, display_name=name, password=password_hash, date_joined=joined, is_active=True, **flags
    )
    # Allauth requires a verified address (mandatory verification): mark it so.
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def patient_seed(history: History, clinician: Clinician, password_hash: str) -> Seeded:
    """Write one patient's account, care link, plan, diary and doses (one transaction)."""
    profile = history.profile
    with transaction.atomic():
        user = _account(profile.email, profile.name, password_hash, history.joined_at)
        patient = patient_create(
            user,
            time_zone=profile.time_zone,
            primary_condition=profile.condition,
            preferred_dose_time=profile.dose_time,
            created_at=history.joined_at,
        )
        invitation = invitation_create(clinician=clinician, note=profile.name, now=history.joined_at)
        invitation_redeem(
            patient=patient, code=invitation.code, consent=True, now=history.joined_at + timedelta(hours=2)
        )
        plan: DosePlan | None = None
        late = taken = missed = 0
        for record in history.days:
            if plan is None and record.day >= history.plan_written_at.date():
                written = plan_write(
                    patient=patient, clinician=clinician, data=history.plan, now=history.plan_written_at
                )
                plan = written.obj
            if history.stop is not None and record.day == history.stop[0] and plan is not None:
                plan_stop(
                    plan=plan,
                    clinician=clinician,
                    stopped_on=history.stop[0],
                    reason=StopReason.SIDE_EFFECTS,
                    note="Nausea and dizziness limiting work at 3 mg; patient prefers to stop.",
                    now=history.stop[1],
                )
            if record.entry is not None and record.entry_at is not None:
                result = entry_record(
                    patient=patient, day=record.day, data=record.entry, actor=None, now=record.entry_at
                )
                late += result.entry.late
            if record.dose is not None and record.dose_at is not None:
                dose_log_record(patient=patient, data=record.dose, now=record.dose_at)
                taken += record.dose["taken"]
                missed += not record.dose["taken"]
        questionnaires_seed(
            patient,
            clinician,
            profile_key=profile.key,
            visit=history.plan_written_at.date(),
            today=history.today,
            time_zone=profile.time_zone,
        )
    return Seeded(
        profile=profile,
        entries=sum(record.entry is not None for record in history.days),
        late_entries=late,
        doses_taken=taken,
        doses_missed=missed,
        first_day=history.days[0].day,
        first_dose=history.first_dose,
        today=history.today,
    )


def patient_now(profile: Profile, today: date | None, now: datetime) -> datetime:
    """The moment the demo is "now" for this patient: the real now, or the evening of --today."""
    if today is None:
        return now
    return _local(today, DEMO_EVENING, ZoneInfo(profile.time_zone))


def demo_seed(
    *, seed: int, today: date | None, now: datetime | None = None, progress: Callable[[Seeded], None] | None = None
) -> list[Seeded]:
    """Create the clinic, its clinician, the admin and every profile's patient."""
    now = now or timezone.now()
    password_hash = make_password(DEMO_PASSWORD)
    nows = {profile.key: patient_now(profile, today, now) for profile in PROFILES}
    # Each patient has their own generator, so adding a profile changes no one else.
    histories = [
        history_build(profile, nows[profile.key], random.Random(f"{seed}:{profile.key}")) for profile in PROFILES
    ]
    opened = min(history.joined_at for history in histories) - timedelta(days=30)
    with transaction.atomic():
        clinic = Clinic.objects.create(name=CLINIC_NAME, created_at=opened)
        clinician_user = _account(CLINICIAN_EMAIL, CLINICIAN_NAME, password_hash, opened)
        # The demo clinician runs the clinic: the Clinic page lets them enter HIT-6 wording.
        clinician = Clinician.objects.create(
            user=clinician_user, clinic=clinic, created_at=opened, is_clinic_admin=True
        )
        totp_activate(clinician_user, DEMO_TOTP_SECRET)
        admin_user = _account(ADMIN_EMAIL, ADMIN_NAME, password_hash, opened, is_staff=True, is_superuser=True)
        totp_activate(admin_user, DEMO_TOTP_SECRET)
    seeded = []
    for history in histories:
        result = patient_seed(history, clinician, password_hash)
        seeded.append(result)
        if progress is not None:
            progress(result)
    return seeded


def demo_present() -> bool:
    return (
        Clinic.objects.filter(name=CLINIC_NAME).exists()
        or User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").exists()
    )


def demo_delete() -> int:
    """Delete the demo clinic, its links and every demo account with all their data.

    Patients go first: their plans protect the clinician who wrote them.
    """
    demo_users = User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}")
    clinics = Clinic.objects.filter(name=CLINIC_NAME)
    deleted = demo_users.filter(patient__isnull=False).count()
    try:
        demo_users.filter(patient__isnull=False).delete()
        CareLink.objects.filter(clinic__in=clinics).delete()
        demo_users.delete()
        clinics.delete()
    except ProtectedError as exc:
        raise CommandError(
            "Demo data is referenced by other data (e.g. a plan written by the demo clinician for a "
            f"non-demo patient); delete that first. {exc.args[0]}"
        ) from exc
    return deleted


def logins() -> list[str]:
    """The demo accounts, one per line, indented for the `make run` banner."""
    rows = [
        (CLINICIAN_EMAIL, f"clinician: {CLINICIAN_NAME}; TOTP secret {DEMO_TOTP_SECRET}"),
        (ADMIN_EMAIL, f"admin (/admin/); TOTP secret {DEMO_TOTP_SECRET}"),
    ]
    rows += [
        (profile.email, f"patient: {profile.label}, {profile.condition}, {profile.time_zone}") for profile in PROFILES
    ]
    width = max(len(email) for email, _ in rows)
    return [f"    {email.ljust(width)}   ({role})" for email, role in rows]
