"""seed_demo: the demo clinic and its patients, written through the real services.

Seeding takes many seconds on PostgreSQL, so the module seeds once (inside a
transaction rolled back at the end) and the tests read that; the one test that
reseeds runs inside it too.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from diary.choices import LinkStatus, SideEffectKind
from diary.dates import local_calendar_date
from diary.demo.generate import history_build
from diary.demo.profiles import (
    ADMIN_EMAIL,
    CLINIC_NAME,
    CLINICIAN_EMAIL,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    PROFILES,
    Profile,
)
from diary.demo.seed import patient_now
from diary.models import CareLink, Clinic, Clinician, DiaryEntry, DoseLog, DosePlan, Hit6Wording, Patient, User
from diary.selectors import entries_for, planned_dose_on
from diary.services.entries import entry_snapshot
from tests.diary.dashboard.oracle import assert_same_answer_both_ways
from tests.factories import totp_code

# The demo is seeded with the clock frozen here (no --today): 23:30 UTC is already the
# 16th in Berlin, Adelaide and Auckland and still the 15th in London and the Americas,
# so each patient's "today" is their own local date. The histories cross the autumn
# clock changes of both hemispheres.
NOW = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)
PROFILE = {profile.key: profile for profile in PROFILES}
MIGRAINE_SPECIFIC = {"triptan", "ergot", "gepant_ditan"}
SLEEP_EFFECTS = {SideEffectKind.VIVID_DREAMS, SideEffectKind.INSOMNIA}


@dataclass
class Seed:
    output: str
    digest: str


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def demo_patients() -> list[Patient]:
    return list(
        Patient.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}").select_related("user").order_by("user__email")
    )


def patient(key: str) -> Patient:
    return Patient.objects.select_related("user").get(user__email=PROFILE[key].email)


def demo_digest() -> str:
    """Everything the demo patients "typed", with the moments it was written."""
    rows: list[Any] = []
    for p in demo_patients():
        rows.append([p.user.email, p.time_zone, p.primary_condition, p.preferred_dose_time])
        rows += [[entry_snapshot(e), e.late, e.created_at.isoformat()] for e in entries_for(p)]
        rows += [
            [d.date, d.taken, d.mg, d.time_of_day, d.taken_at, d.client_id, d.created_at]
            for d in DoseLog.objects.filter(patient=p).order_by("date")
        ]
        for plan in DosePlan.objects.filter(patient=p).order_by("created_at"):
            rows.append([plan.created_at, plan.target_mg, plan.decision_weeks, plan.stopped_on, plan.stop_reason])
            rows += [[s.start_date, s.mg, s.time_of_day] for s in plan.steps.order_by("start_date")]
    return hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()


def seed_at_now(*args: str) -> str:
    with time_machine.travel(NOW, tick=False):
        return seed(*args)


@pytest.fixture(scope="module")
def seeded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Seed]:
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed_at_now()
        yield Seed(output=output, digest=demo_digest())
        transaction.set_rollback(True)


def today_of(p: Patient) -> date:
    return local_calendar_date(p.time_zone, NOW)


def first_dose(p: Patient) -> date:
    log = DoseLog.objects.filter(patient=p, taken=True).order_by("date").first()
    assert log is not None
    return log.date


def window(p: Patient, end: date, days: int = 28) -> list[DiaryEntry]:
    return list(entries_for(p, end - timedelta(days=days - 1), end))


def is_headache_day(entry: DiaryEntry) -> bool:
    """CLINICAL.md §11.1."""
    return (
        entry.headache >= 1
        or bool(entry.migraine)
        or any(m.for_headache or m.med_class in MIGRAINE_SPECIFIC for m in entry.acute_medications.all())
    )


def per_28(count: int, entries: list[DiaryEntry]) -> float:
    """Pro-rated as CLINICAL.md §4 says."""
    return count * 28 / len(entries)


def reduction(before: float, after: float) -> float:
    return (before - after) / before


def headache_reduction(p: Patient) -> tuple[float, float, list[DiaryEntry], list[DiaryEntry]]:
    """(reduction in headache days, in moderate/severe days, baseline, last 28 days)."""
    baseline = window(p, first_dose(p) - timedelta(days=1))
    last = window(p, today_of(p))
    hd = [per_28(sum(map(is_headache_day, w)), w) for w in (baseline, last)]
    ms = [per_28(sum(is_headache_day(e) and e.headache >= 2 for e in w), w) for w in (baseline, last)]
    return reduction(*hd), reduction(*ms), baseline, last


def pain_reduction(p: Patient) -> float:
    baseline = window(p, first_dose(p) - timedelta(days=1))
    last = window(p, today_of(p))
    means = [sum(e.pain_score for e in w) / len(w) for w in (baseline, last)]
    return reduction(*means)


# --- accounts and links ----------------------------------------------------------------


@pytest.mark.django_db
def test_creates_one_clinic_with_clinician_admin_and_linked_patients(seeded: Seed) -> None:
    clinic = Clinic.objects.get(name=CLINIC_NAME)
    clinician = Clinician.objects.select_related("user").get(user__email=CLINICIAN_EMAIL)
    assert clinician.clinic == clinic
    assert clinician.user.display_name.startswith("Dr ")
    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.is_superuser
    assert admin.is_staff

    patients = demo_patients()
    assert len(patients) >= 6
    assert {p.user.email for p in patients} == {profile.email for profile in PROFILES}
    for p in patients:
        links = CareLink.objects.filter(patient=p)
        assert [(link.clinic, link.clinician, link.status) for link in links] == [
            (clinic, clinician, LinkStatus.ACTIVE)
        ]
        link = links.get()
        # Made by invitation and redemption: the single-use code is gone.
        assert link.code_hash is None
        assert link.consented_at is not None
        assert link.consented_at <= DiaryEntry.objects.filter(patient=p).earliest("date").created_at
    assert CareLink.objects.filter(clinic=clinic).count() == len(patients)
    # Profiles differ in condition, time zone and dose time.
    assert {p.time_zone for p in patients} >= {
        "Europe/Berlin",
        "America/New_York",
        "Europe/London",
        "Australia/Adelaide",
    }
    assert {p.preferred_dose_time for p in patients} == {"bedtime", "morning"}


@pytest.mark.django_db
def test_the_demo_clinician_administers_the_clinic_which_holds_no_hit6_wording(seeded: Seed) -> None:
    """The Clinic page lets the demo clinician enter HIT-6 wording; none is shipped (§12.1)."""
    clinician = Clinician.objects.get(user__email=CLINICIAN_EMAIL)
    assert clinician.is_clinic_admin
    assert not Hit6Wording.objects.exists()


@pytest.mark.django_db
def test_every_demo_account_can_log_in(seeded: Seed, client: Any) -> None:
    emails = [CLINICIAN_EMAIL, ADMIN_EMAIL, *(profile.email for profile in PROFILES)]
    for email in emails:
        user = User.objects.get(email=email)
        assert user.is_active
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=user, email=email, verified=True, primary=True).exists()
    # And through allauth, which refuses unverified addresses (mandatory verification).
    for email in [CLINICIAN_EMAIL, PROFILE["responder"].email]:
        response = client.post(
            "/_allauth/browser/v1/auth/login",
            {"email": email, "password": DEMO_PASSWORD},
            content_type="application/json",
        )
        if email == CLINICIAN_EMAIL:  # clinicians sign in with a second factor
            assert response.status_code == 401, response.content
            response = client.post(
                "/_allauth/browser/v1/auth/2fa/authenticate",
                {"code": totp_code(DEMO_TOTP_SECRET)},
                content_type="application/json",
            )
        assert response.status_code == 200, response.content
        assert response.json()["data"]["user"]["email"] == email
        client.logout()


# --- history shape ---------------------------------------------------------------------


@pytest.mark.django_db
def test_each_patient_has_months_of_history_with_a_baseline_month_before_the_first_dose(seeded: Seed) -> None:
    for p in demo_patients():
        dates = list(DiaryEntry.objects.filter(patient=p).order_by("date").values_list("date", flat=True))
        today = today_of(p)
        span = (today - dates[0]).days + 1
        assert 120 <= span <= 184, (p, span)  # 4-6 months
        assert dates[-1] <= today
        if p.user.email != PROFILE["irregular"].email:
            assert dates[-1] == today
        start = first_dose(p)
        assert not DoseLog.objects.filter(patient=p, date__lt=start).exists()
        assert sum(d < start for d in dates) >= 28
        assert len(window(p, start - timedelta(days=1))) >= 23  # a valid baseline month
        # Written through the services: each write took a change number (and marked the
        # insights stale); the seed then analysed every patient up to their last change.
        p.refresh_from_db()
        writes = len(dates) + DoseLog.objects.filter(patient=p).count()
        assert p.change_seq > writes
        assert p.insights_stale_since is None
        assert p.insight.input_seq == p.change_seq


@pytest.mark.django_db
def test_plans_titrate_1_5_to_3_to_4_5_and_dose_logs_follow_them(seeded: Seed) -> None:
    clinician = Clinician.objects.get(user__email=CLINICIAN_EMAIL)
    missed = 0
    for p in demo_patients():
        plan = DosePlan.objects.get(patient=p)
        start = first_dose(p)
        steps = [(s.start_date, s.mg, s.time_of_day) for s in plan.steps.order_by("start_date")]
        assert steps == [
            (start, Decimal("1.5"), p.preferred_dose_time),
            (start + timedelta(days=7), Decimal("3.0"), p.preferred_dose_time),
            (start + timedelta(days=14), Decimal("4.5"), p.preferred_dose_time),
        ]
        assert (plan.target_mg, plan.decision_weeks, plan.created_by) == (Decimal("4.5"), 12, clinician)
        assert plan.created_at.date() < start

        logs = list(DoseLog.objects.filter(patient=p).order_by("date"))
        for log in logs:
            planned = planned_dose_on(p, log.date, [plan])
            assert planned is not None, (p, log.date)
            assert log.time_of_day == planned.time_of_day
            if log.taken:
                assert log.mg == planned.mg
        end = min(today_of(p), plan.stopped_on - timedelta(days=1)) if plan.stopped_on else today_of(p)
        planned_days = (end - start).days + 1
        taken = sum(log.taken for log in logs)
        missed += sum(not log.taken for log in logs)
        if p.user.email == PROFILE["irregular"].email:
            assert taken / planned_days < 0.8
        else:
            # A few planned days have no record at all (forgotten, or tonight's dose to come).
            assert planned_days - len(logs) <= 1 + planned_days * 0.05
            assert taken / planned_days >= 0.9
    assert missed > 0


@pytest.mark.django_db
def test_the_stopped_patient_stopped_for_side_effects_during_titration(seeded: Seed) -> None:
    p = patient("stopped")
    plan = DosePlan.objects.get(patient=p)
    assert plan.stopped_on == first_dose(p) + timedelta(days=PROFILE["stopped"].stop_after_days or 0)
    assert plan.stop_reason == "side_effects"
    assert not DoseLog.objects.filter(patient=p, date__gte=plan.stopped_on).exists()
    limiting = DiaryEntry.objects.filter(
        patient=p, date__lt=plan.stopped_on, side_effects__limited_activities=True
    ).distinct()
    assert limiting.count() >= 2
    # Headache-day counts to compare with, weeks after the stop.
    assert DiaryEntry.objects.filter(patient=p, date__gt=plan.stopped_on + timedelta(days=60)).count() >= 20


# --- the profiles ---------------------------------------------------------------------


@pytest.mark.django_db
def test_clear_responder_halves_headache_days(seeded: Seed) -> None:
    hd, ms, baseline, last = headache_reduction(patient("responder"))
    assert 10 <= sum(map(is_headache_day, baseline)) <= 12
    assert sum(map(is_headache_day, last)) <= 4
    assert hd >= 0.5
    assert ms >= 0.5
    assert pain_reduction(patient("responder")) > 0.3


@pytest.mark.django_db
def test_partial_responder_reduces_headache_days_by_30_to_50_percent(seeded: Seed) -> None:
    hd, ms, _, _ = headache_reduction(patient("partial"))
    assert 0.3 <= hd < 0.5
    assert max(hd, ms) < 0.5


@pytest.mark.django_db
def test_non_responder_has_chronic_migraine_no_change_and_12_weeks_at_target(seeded: Seed) -> None:
    p = patient("nonresponder")
    hd, ms, baseline, _ = headache_reduction(p)
    assert p.primary_condition == "chronic_migraine"
    assert sum(map(is_headache_day, baseline)) >= 15
    assert sum(bool(e.migraine) for e in baseline) >= 8
    assert hd < 0.3
    assert ms < 0.3
    at_target = DoseLog.objects.filter(patient=p, taken=True, mg=Decimal("4.5")).order_by("date").first()
    assert at_target is not None
    assert (today_of(p) - at_target.date).days >= 12 * 7


@pytest.mark.django_db
def test_pain_profiles_reduce_mean_pain_as_labelled(seeded: Seed) -> None:
    assert pain_reduction(patient("morning")) >= 0.5  # strong responder
    assert 0.3 <= pain_reduction(patient("dreams")) < 0.5  # responder
    assert 0 <= pain_reduction(patient("opioid")) < 0.1  # non-responder by pain (partial by PGIC)


@pytest.mark.django_db
def test_opioid_patient_logs_opioids_while_on_ldn(seeded: Seed) -> None:
    p = patient("opioid")
    start = first_dose(p)
    on_ldn = DiaryEntry.objects.filter(patient=p, date__gte=start)
    tramadol = on_ldn.filter(acute_medications__med_class="opioid", acute_medications__name="tramadol")
    cocodamol = on_ldn.filter(
        acute_medications__med_class="combination_analgesic",
        acute_medications__name="co-codamol",
        acute_medications__contains_opioid=True,
    )
    assert tramadol.count() >= 3
    assert cocodamol.count() >= 2
    assert not on_ldn.filter(acute_medications__med_class="opioid", acute_medications__contains_opioid=False).exists()


@pytest.mark.django_db
def test_vivid_dreams_patient_has_sleep_effects_on_most_recent_days_with_bedtime_dosing(seeded: Seed) -> None:
    p = patient("dreams")
    today = today_of(p)
    last_week = entries_for(p, today - timedelta(days=6), today)
    days = [e.date for e in last_week if SLEEP_EFFECTS & {se.kind for se in e.side_effects.all()}]
    assert len(days) >= 3
    recent = DoseLog.objects.filter(patient=p, taken=True, date__gte=today - timedelta(days=6)).order_by("-date")
    assert recent.exists()
    assert recent[0].time_of_day == "bedtime"
    assert set(recent.values_list("time_of_day", flat=True)) == {"bedtime"}


@pytest.mark.django_db
def test_irregular_logger_leaves_gaps_and_invalid_windows(seeded: Seed) -> None:
    p = patient("irregular")
    dates = set(DiaryEntry.objects.filter(patient=p).values_list("date", flat=True))
    first = min(dates)
    span = (today_of(p) - first).days + 1
    assert 0.55 <= len(dates) / span <= 0.70
    counts = [
        sum(start + timedelta(days=i) in dates for i in range(28))
        for start in (first + timedelta(days=k) for k in range(span - 27))
    ]
    assert min(counts) < 23
    longest = run = 0
    for k in range(span):
        run = 0 if first + timedelta(days=k) in dates else run + 1
        longest = max(longest, run)
    assert longest >= 5
    assert DiaryEntry.objects.filter(patient=p, late=True).exists()  # back-filled days later


@pytest.mark.django_db
def test_entries_are_realistic(seeded: Seed) -> None:
    for p in demo_patients():
        entries = list(entries_for(p))
        migraines = [e for e in entries if e.migraine]
        for e in migraines:
            # Leiden criterion 1 holds on the days the patient calls a migraine.
            assert e.headache >= 2
            assert e.headache_hours is not None
            assert e.headache_hours >= Decimal("0.5")
            assert e.one_sided or e.pulsating or e.worse_with_activity
            assert e.nausea_vomiting or (e.light_sensitivity and e.sound_sensitivity)
        for e in entries:
            if any(m.med_class == "triptan" for m in e.acute_medications.all()):
                assert e.migraine
            if e.headache == 0:
                assert e.migraine is None
                assert e.headache_hours is None
        if p.primary_condition in ("migraine", "chronic_migraine"):
            assert migraines
            mean_pain = {
                level: sum(e.pain_score for e in entries if e.headache == level)
                / max(1, sum(e.headache == level for e in entries))
                for level in (0, 2)
            }
            assert mean_pain[2] > mean_pain[0] + 2
        assert sum(e.sleep_quality is not None for e in entries) > 0.8 * len(entries)
        assert any(e.note for e in entries)


@pytest.mark.django_db
def test_side_effects_cluster_after_step_ups(seeded: Seed) -> None:
    early = early_days = late = late_days = 0
    for p in demo_patients():
        if p.user.email in (PROFILE["dreams"].email, PROFILE["stopped"].email):
            continue  # persistent or fixed courses
        start = first_dose(p)
        for e in entries_for(p, start):
            has = e.side_effects.exists()
            if (e.date - start).days < 28:
                early, early_days = early + has, early_days + 1
            else:
                late, late_days = late + has, late_days + 1
    assert early / early_days > 3 * late / late_days


# --- options ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_same_seed_and_today_give_identical_data(seeded: Seed) -> None:
    output = seed_at_now("--reset", "--seed", "42")
    assert f"Deleted the demo data ({len(PROFILES)} patients)" in output
    assert Clinic.objects.filter(name=CLINIC_NAME).count() == 1
    assert len(demo_patients()) == len(PROFILES)
    assert demo_digest() == seeded.digest


def test_another_seed_gives_other_diaries() -> None:
    profile = PROFILE["responder"]
    now = datetime(2026, 3, 15, 19, 0, tzinfo=UTC)

    def entries(key: str) -> list[Any]:
        return [record.entry for record in history_build(profile, now, random.Random(key)).days]

    assert entries("42:responder") == entries("42:responder")
    assert entries("42:responder") != entries("43:responder")


@pytest.mark.django_db
def test_if_empty_does_not_duplicate_and_a_plain_rerun_refuses(seeded: Seed) -> None:
    before = (User.objects.count(), DiaryEntry.objects.count(), DoseLog.objects.count(), CareLink.objects.count())
    assert "already present" in seed("--if-empty")
    with pytest.raises(CommandError, match="--reset"):
        seed()
    after = (User.objects.count(), DiaryEntry.objects.count(), DoseLog.objects.count(), CareLink.objects.count())
    assert after == before
    assert demo_digest() == seeded.digest


@pytest.mark.django_db
def test_today_defaults_to_each_patients_local_date(seeded: Seed) -> None:
    local_todays = set()
    for p in demo_patients():
        today = today_of(p)
        local_todays.add(today)
        last = DiaryEntry.objects.filter(patient=p).order_by("-date").first()
        assert last is not None
        assert last.date <= today
        if p.user.email != PROFILE["irregular"].email:
            assert last.date == today
        assert not DoseLog.objects.filter(patient=p, date__gt=today).exists()
        assert not DiaryEntry.objects.filter(patient=p, created_at__gt=NOW).exists()
        assert not DoseLog.objects.filter(patient=p, created_at__gt=NOW).exists()
    assert local_todays == {date(2026, 3, 15), date(2026, 3, 16)}
    # 19:30 in New York: tonight's bedtime dose is not logged yet. 12:30 in Auckland:
    # this morning's dose is.
    assert not DoseLog.objects.filter(patient=patient("partial"), date=date(2026, 3, 15)).exists()
    assert DoseLog.objects.filter(patient=patient("morning"), date=date(2026, 3, 16)).exists()


@pytest.mark.parametrize("profile", PROFILES, ids=lambda profile: profile.key)
def test_today_option_ends_every_history_on_that_date_in_the_evening(profile: Profile) -> None:
    now = patient_now(profile, date(2026, 3, 15), NOW)
    assert now.astimezone(ZoneInfo(profile.time_zone)).replace(tzinfo=None) == datetime(2026, 3, 15, 20, 0)
    history = history_build(profile, now, random.Random(f"42:{profile.key}"))
    assert history.today == date(2026, 3, 15)
    assert history.days[-1].day == date(2026, 3, 15)
    moments = [m for r in history.days for m in (r.entry_at, r.dose_at) if m is not None]
    assert max(moments) <= now
    assert patient_now(profile, None, NOW) == NOW


def test_print_logins_lists_every_account_without_touching_the_database() -> None:
    # No database fixture: any query here would fail the test.
    lines = seed("--print-logins").splitlines()
    assert all(line.startswith("    ") and not line.startswith("     ") for line in lines)
    assert any(
        line.split()
        == [CLINICIAN_EMAIL, "(clinician:", "Dr", "Maya", "Okafor;", "TOTP", "secret", f"{DEMO_TOTP_SECRET})"]
        for line in lines
    )
    assert any(line.split()[0] == ADMIN_EMAIL for line in lines)
    for profile in PROFILES:
        line = next(line for line in lines if line.split()[0] == profile.email)
        assert line.endswith(f"(patient: {profile.label}, {profile.condition}, {profile.time_zone})")
    assert len(lines) == 2 + len(PROFILES)


def test_a_bad_today_is_refused() -> None:
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        seed("--today", "15/03/2026")


def test_profiles_cover_the_cases_the_demo_promises() -> None:
    by_label: dict[str, Profile] = {profile.label: profile for profile in PROFILES}
    assert len(by_label) == len(PROFILES) >= 6
    assert all(profile.weeks_on_ldn % 4 == 0 and profile.baseline_days > 28 for profile in PROFILES)
    assert {profile.condition for profile in PROFILES} >= {
        "migraine",
        "chronic_migraine",
        "fibromyalgia",
        "chronic_pain",
    }


@pytest.mark.django_db
def test_totp_code_command_prints_the_demo_clinicians_code(seeded: Seed) -> None:
    # one instant for the command and the check: on the real clock they could straddle the
    # end of a 30-second period and disagree
    with time_machine.travel(datetime.now(UTC), tick=False):
        out = io.StringIO()
        call_command("totp_code", CLINICIAN_EMAIL, stdout=out)
        assert out.getvalue().split()[0] == totp_code(DEMO_TOTP_SECRET)
        admin = io.StringIO()
        call_command("totp_code", ADMIN_EMAIL, stdout=admin)  # the admin needs a second factor too
        assert admin.getvalue().split()[0] == totp_code(DEMO_TOTP_SECRET)
    with pytest.raises(CommandError, match="no TOTP"):
        call_command("totp_code", PROFILES[0].email)


# What the insights engine makes of the demo (CLINICAL.md §6-§7), read through the API as
# the demo clinician. Each profile was written to land in one verdict band:
EXPECTED_VERDICTS = {
    "responder": "responder",  # migraine, 11.5 → 2.5 headache days: -78 %
    "partial": "responder",  # migraine, 10 → 6: -40 % (partial), MIDAS 24 → 16 (§12.5): responder
    "nonresponder": "non_responder",  # chronic migraine, 18 → 17: -6 %
    "dreams": "responder",  # fibromyalgia, pain 6.2 → 4.0: -35 %
    "opioid": "partial",  # chronic pain, 7.0 → 6.6: -6 % (non-responder), PGIC 2 (§12.6): partial
    "morning": "strong_responder",  # fibromyalgia, 6.5 → 2.8: -57 %
    "stopped": "discontinued",  # stopped for side effects on day 11
}


@pytest.mark.django_db
def test_the_demo_gets_the_verdicts_and_flags_it_was_written_for(seeded: Seed) -> None:
    from tests.conftest import Api

    assert "insights for 8 patients" in seeded.output
    clinician = Clinician.objects.get(user__email=CLINICIAN_EMAIL)
    with time_machine.travel(NOW, tick=False):
        # Signed in as the demo clinician signs in: password and TOTP code.
        api = Api().as_user(clinician.user, DEMO_PASSWORD, DEMO_TOTP_SECRET)
        verdicts = {}
        effects = {}
        flags: dict[str, set[str]] = {}
        for key in PROFILE:
            body = api.call("GET", f"/api/v1/patients/{patient(key).public_id}/insights").json_body
            assert body["status"] == "current", key
            verdicts[key] = body["verdict"]["kind"]
            effects[key] = body["verdict"]["evidence"].get("questionnaire", {}).get("effect")
            flags[key] = {f["kind"] for f in body["flags"] if f["status"] != "resolved"}
        suggestions = {
            key: [
                s["kind"]
                for s in api.call("GET", f"/api/v1/patients/{patient(key).public_id}/insights").json_body["suggestions"]
            ]
            for key in ("dreams", "morning")
        }
        triage = api.call("GET", "/api/v1/flags").json_body["results"]
    for key, expected in EXPECTED_VERDICTS.items():
        assert verdicts[key] == expected, (key, verdicts)
    # the questionnaires decide two of them (CLINICAL.md §12.5, §12.6)
    assert effects["partial"] == "made_responder"
    assert effects["opioid"] == "made_partial"
    assert {key for key, effect in effects.items() if effect} == {"partial", "opioid"}
    # the irregular logger's window has too many gaps for any rule verdict
    assert verdicts["irregular"] == "insufficient_data"
    assert "insufficient_data" in flags["irregular"]
    assert "no_adequate_response" in flags["nonresponder"]
    assert "no_adequate_response" in flags["opioid"]  # partial by PGIC keeps it open (§12.10)
    assert "no_adequate_response" not in flags["responder"] | flags["partial"] | flags["morning"] | flags["dreams"]
    assert "opioid_interaction" in flags["opioid"]
    assert not any("opioid_interaction" in kinds for key, kinds in flags.items() if key != "opioid")
    assert "morning_dosing" in suggestions["dreams"]
    assert "morning_dosing" not in suggestions["morning"]
    # the triage list starts with the opioid flag (critical), then the high-severity ones
    assert (triage[0]["kind"], triage[0]["patient"]["display_name"]) == ("opioid_interaction", PROFILE["opioid"].name)
    assert triage[1]["severity"] == "high"


@pytest.mark.django_db
def test_the_demo_clinics_outcomes_from_the_outcome_rows_are_those_of_the_stored_summaries(seeded: Seed) -> None:
    """Issue 17's parity over the demo clinic: every demo patient analysed, one of each kind."""
    clinician = Clinician.objects.get(user__email=CLINICIAN_EMAIL)
    answer = assert_same_answer_both_ways(clinician)
    verdicts = {p["verdict"] for c in answer["categories"] for p in c["patients"]}
    assert verdicts == {"strong_responder", "responder", "partial", "non_responder", "discontinued"}
    assert answer["apart"]["insufficient_data"] == 1
    assert answer["starting_doses"]
    assert answer["stable_doses"]
    assert answer["side_effect_rates"]
