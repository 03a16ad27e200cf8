"""Today in a real browser: the four-tap day, offline saving, the offline app shell,
the conflict screen and the opioid warning."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from playwright.sync_api import BrowserContext, Page, Route, expect

from diary.models import CareLink, DiaryEntry, DoseLog, EntryRevision, Patient
from diary.services.care import invitation_create
from diary.services.entries import entry_record
from tests.e2e.conftest import choice, diary_day, pick, sign_in
from tests.factories import ClinicianFactory

pytestmark = pytest.mark.e2e


def tap_typical_day(page: Page) -> int:
    """No headache, pain 3, slept 7, took my dose: returns the number of taps."""
    taps = [
        choice(page, "Pain today", "3"),
        choice(page, "Headache", "None"),
        choice(page, "Sleep last night", "7"),
        page.get_by_role("button", name="Took my dose: 1.5 mg at bedtime"),
    ]
    for target in taps:
        target.click()
    return len(taps)


def test_a_typical_day_is_four_taps_and_save(page: Page, live_server: Any, patient: Patient) -> None:
    sign_in(page, live_server.url, "pat@example.org")

    assert tap_typical_day(page) <= 4
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    expect(page.get_by_test_id("dose-logged")).to_have_text("Dose logged: 1.5 mg")
    entry = DiaryEntry.objects.get(patient=patient)
    assert (entry.date, entry.pain_score, entry.headache, entry.sleep_quality, entry.version) == (
        diary_day(patient),
        3,
        0,
        7,
        1,
    )
    dose = DoseLog.objects.get(patient=patient)
    assert (dose.date, dose.taken, dose.mg, dose.time_of_day) == (diary_day(patient), True, Decimal("1.5"), "bedtime")


def test_today_names_the_day_and_change_day_logs_an_earlier_one(page: Page, live_server: Any, patient: Patient) -> None:
    today = diary_day(patient)
    sign_in(page, live_server.url, "pat@example.org")
    expect(page.get_by_test_id("day-name")).to_have_text(f"{today.strftime('%A')} {today.day} {today.strftime('%B')}")
    expect(page.get_by_label("Day", exact=True)).to_have_count(0)  # no date input until the patient asks for one

    pick(page, "Which day?", "Another day")
    field = page.get_by_label("Day", exact=True)
    expect(field).to_be_focused()
    expect(field).to_have_value(today.isoformat())
    # no future days: the latest is the calendar date in the patient's zone, which is a day
    # after the diary day between midnight and the patient's day boundary
    calendar = datetime.now(ZoneInfo(patient.time_zone)).date()
    expect(field).to_have_attribute("max", calendar.isoformat())
    expect(field).to_have_attribute("min", (calendar - timedelta(days=365)).isoformat())

    earlier = today - timedelta(days=2)
    field.fill(earlier.isoformat())
    expect(page.get_by_test_id("day-name")).to_have_text(
        f"{earlier.strftime('%A')} {earlier.day} {earlier.strftime('%B')}"
    )
    pick(page, "Pain", "4")
    pick(page, "Headache", "Mild")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    entry = DiaryEntry.objects.get(patient=patient)
    assert (entry.date, entry.pain_score, entry.headache) == (earlier, 4, 1)

    pick(page, "Which day?", "Today")
    expect(page.get_by_test_id("day-name")).to_have_text(f"{today.strftime('%A')} {today.day} {today.strftime('%B')}")
    expect(page.get_by_label("Day", exact=True)).to_have_count(0)
    # today's form, not the earlier day's
    expect(choice(page, "Pain today", "4")).to_have_attribute("aria-checked", "false")


def test_offline_save_stays_on_the_phone_and_syncs_once_online(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient
) -> None:
    sign_in(page, live_server.url, "pat@example.org")

    context.set_offline(True)
    tap_typical_day(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Saved on this phone. It will sync when you are online.")
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    assert not DiaryEntry.objects.filter(patient=patient).exists()

    context.set_offline(False)
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    entries = list(DiaryEntry.objects.filter(patient=patient))
    assert [(e.date, e.pain_score, e.headache, e.sleep_quality, e.version) for e in entries] == [
        (diary_day(patient), 3, 0, 7, 1)
    ]
    assert DoseLog.objects.filter(patient=patient).count() == 1


def test_after_one_visit_the_app_opens_offline(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient
) -> None:
    sign_in(page, live_server.url, "pat@example.org")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()  # the service worker controls the page

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    expect(page.get_by_role("radiogroup", name=re.compile("^Pain today"))).to_be_visible()


SNAPSHOT = re.compile(r'<script type="application/json" id="ldn-snapshot">(.*?)</script>', re.S)


def shell_on_reload(page: Page, url: str) -> str:
    """The app shell the page was answered with on a reload (from the service worker)."""
    with page.expect_response(lambda r: r.url == f"{url}/" and r.request.is_navigation_request()) as answer:
        page.reload()
    assert answer.value.from_service_worker
    return answer.value.text()


def test_offline_the_service_worker_answers_with_the_stored_day_in_the_shell(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient
) -> None:
    """Today is drawn from the phone's copy that the service worker put into the shell
    (sw.ts), not from an IndexedDB read of the page's own; the copy does not stay in the
    page."""
    sign_in(page, live_server.url, "pat@example.org")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()  # the service worker controls the page
    pick(page, "Pain today", "6")
    pick(page, "Headache", "Mild")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")

    context.set_offline(True)
    block = SNAPSHOT.search(shell_on_reload(page, live_server.url))
    assert block is not None
    snapshot = json.loads(block.group(1))
    assert snapshot["who"]["email"] == "pat@example.org"
    day = diary_day(patient).isoformat()
    assert [(e["date"], e["data"]["pain_score"], e["data"]["headache"]) for e in snapshot["entries"]] == [(day, 6, 1)]
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    expect(choice(page, "Pain today", "6")).to_have_attribute("aria-checked", "true")
    expect(choice(page, "Headache", "Mild")).to_have_attribute("aria-checked", "true")
    expect(page.locator("#ldn-snapshot")).to_have_count(0)


def test_offline_today_is_drawn_before_the_page_reads_local_storage(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient
) -> None:
    """Which page to load and whether the phone's clock gives the diary day come with the
    copy in the shell (app.tsx, PatientApp.tsx): a page's first use of localStorage waits
    for the browser process, which Today does not."""
    sign_in(page, live_server.url, "pat@example.org")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()
    page.add_init_script(
        """(() => {
          const getItem = Storage.prototype.getItem;
          const before = (window.__readBeforeToday = []);
          Storage.prototype.getItem = function (key) {
            if (!document.querySelector('form button[type="submit"]')) before.push(key);
            return getItem.call(this, key);
          };
        })();"""
    )
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    assert page.evaluate("window.__readBeforeToday") == []


def test_offline_today_needs_two_scripts(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient
) -> None:
    """What Today needs beyond the patient chunk travels in the entry chunk (vite.config.ts):
    each script is one more request through the service worker before Today."""
    sign_in(page, live_server.url, "pat@example.org")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[-1]) if r.resource_type == "script" else None)
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
    assert sorted(name.split("-")[0] for name in scripts) == ["PatientApp", "index"], scripts


def test_a_signed_out_phone_gets_the_shell_without_a_copy(page: Page, live_server: Any, patient: Patient) -> None:
    sign_in(page, live_server.url, "pat@example.org")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="Me", exact=True).click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()

    assert SNAPSHOT.search(shell_on_reload(page, live_server.url)) is None
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()


def test_a_phone_that_waits_for_the_session_check_says_loading(page: Page, live_server: Any, patient: Patient) -> None:
    """The first render waits for who is signed in (main.tsx): when the server is slow to
    say, the page says "Loading…" meanwhile, not nothing."""
    held: list[Route] = []

    def hold_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r".*/_allauth/browser/v1/auth/session$"), hold_first)
    page.goto(live_server.url + "/")
    expect(page.get_by_text("Loading…")).to_be_visible()
    held[0].continue_()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_text("Loading…")).to_have_count(0)


def save_against_another_devices_edit(page: Page, url: str, patient: Patient) -> None:
    """Day at pain 3; the page shows it; another device saves pain 5 and a moderate
    headache; then the page saves pain 6 on top of the version it had (a 412)."""
    day = diary_day(patient)
    entry_record(patient=patient, day=day, data={"pain_score": 3, "headache": 0}, actor=patient.user)
    sign_in(page, url, "pat@example.org")
    expect(choice(page, "Pain today", "3")).to_have_attribute("aria-checked", "true")

    # Meanwhile another device changes the same day.
    entry_record(patient=patient, day=day, data={"pain_score": 5, "headache": 2}, actor=patient.user)

    pick(page, "Pain today", "6")
    page.get_by_role("button", name="Save", exact=True).click()


def test_a_conflict_shows_both_versions_and_keeping_mine_wins(page: Page, live_server: Any, patient: Patient) -> None:
    save_against_another_devices_edit(page, live_server.url, patient)

    mine, theirs = page.get_by_test_id("conflict-mine"), page.get_by_test_id("conflict-theirs")
    expect(mine).to_contain_text("Pain 6")
    expect(mine).to_contain_text("Headache: none")
    expect(theirs).to_contain_text("Pain 5")
    expect(theirs).to_contain_text("Headache: moderate")
    assert DiaryEntry.objects.get(patient=patient).pain_score == 5  # nothing overwritten yet

    mine.get_by_role("button", name="Keep mine").click()
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    expect(mine).to_have_count(0)
    entry = DiaryEntry.objects.get(patient=patient)
    assert (entry.pain_score, entry.headache, entry.version) == (6, 0, 3)
    kept = EntryRevision.objects.get(entry=entry, version=2)  # the other version is in the history
    assert (kept.snapshot["pain_score"], kept.snapshot["headache"]) == (5, 2)


def test_choosing_an_opioid_shows_the_warning_at_once(page: Page, live_server: Any, patient: Patient) -> None:
    sign_in(page, live_server.url, "pat@example.org")
    page.get_by_role("button", name="More details").click()
    page.get_by_role("button", name="Add a medicine").click()
    warning = page.get_by_test_id("opioid-warning")
    expect(warning).to_have_count(0)

    page.get_by_label("Kind of medicine").select_option("opioid")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Opioids and naltrexone work against each other")

    # A combination painkiller whose name contains codeine is ticked as opioid-containing.
    page.get_by_label("Kind of medicine").select_option("combination_analgesic")
    expect(warning).to_have_count(0)
    page.get_by_label("Name (optional)").fill("co-codamol")
    expect(page.get_by_label("It contains an opioid")).to_be_checked()
    expect(warning).to_be_visible()

    pick(page, "Pain today", "4")
    pick(page, "Headache", "Mild")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    med = DiaryEntry.objects.get(patient=patient).acute_medications.get()
    assert (med.med_class, med.name, med.contains_opioid) == ("combination_analgesic", "co-codamol", True)


def test_sign_up_with_an_invitation_code_and_the_emailed_code(page: Page, live_server: Any) -> None:
    invitation = invitation_create(clinician=ClinicianFactory.create())
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("E-mail").fill("new.patient@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    pick(page, "What do you take LDN for?", "Migraine")
    page.get_by_label("Invitation code").fill(invitation.code)
    page.get_by_role("button", name="Check the code").click()
    page.get_by_label(re.compile("I agree that .* can see my diary")).check()
    page.get_by_role("button", name="Create an account").click()

    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    code = re.search(r"^\s*([A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5})?)\s*$", str(mail.outbox[-1].body), re.MULTILINE)
    assert code, mail.outbox[-1].body
    page.get_by_label("Code from the e-mail").fill(code.group(1))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Today")).to_be_visible()
    patient = Patient.objects.get(user__email="new.patient@example.org")
    assert patient.time_zone == "Europe/Berlin"  # from the browser (Intl)
    assert CareLink.objects.get(patient=patient).status == "active"
