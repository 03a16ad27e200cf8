"""My data in a real browser: download JSON, CSV and FHIR, delete the account."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from diary.fhir.codes import system_url
from diary.models import CareLink, DiaryEntry, Patient, User
from tests.diary.fhir.reader import parse, read_back, resources
from tests.e2e.conftest import diary_day, sign_in
from tests.e2e.test_today import tap_typical_day
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

COUNT_LOCAL = """async () => {
  const db = await new Promise((resolve, reject) => {
    const req = indexedDB.open("ldn-diary");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const stores = ["meta", "entries", "doses", "outbox", "conflicts"];
  const tx = db.transaction(stores);
  const counts = await Promise.all(stores.map((s) => new Promise((resolve) => {
    const q = tx.objectStore(s).count();
    q.onsuccess = () => resolve(q.result);
  })));
  db.close();
  return counts.reduce((a, b) => a + b, 0);
}"""


def log_today_and_open_me(page: Page, live_server: Any) -> None:
    sign_in(page, live_server.url, "pat@example.org")
    tap_typical_day(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="Me").click()
    expect(page.get_by_role("heading", name="My data")).to_be_visible()


def test_download_json_and_csv_hold_todays_entry(page: Page, live_server: Any, patient: Patient) -> None:
    log_today_and_open_me(page, live_server)
    today = diary_day(patient).isoformat()
    calendar_day = DiaryEntry.objects.get(patient=patient).date

    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download everything (JSON)").click()
    assert json_download.value.suggested_filename.startswith("ldn-diary-")
    assert json_download.value.suggested_filename.endswith(".json")
    data = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    assert [(e["date"], e["pain_score"], e["headache"], e["sleep_quality"]) for e in data["entries"]] == [
        (today, 3, 0, 7)
    ]
    assert [(d["date"], d["mg"]) for d in data["dose_logs"]] == [(today, 1.5)]
    assert data["account"]["email"] == "pat@example.org"

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download my diary as a spreadsheet (CSV)").click()
    assert csv_download.value.suggested_filename.endswith(".csv")
    text = Path(csv_download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["date"], r["pain_score"], r["headache"], r["sleep_quality"], r["dose_mg"]) for r in rows] == [
        (calendar_day.isoformat(), "3", "none", "7", "1.5")  # words, not codes
    ]


def test_download_fhir_is_a_bundle_holding_todays_entry(page: Page, live_server: Any, patient: Patient) -> None:
    log_today_and_open_me(page, live_server)
    today = diary_day(patient)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download for a health record system (FHIR)").click()
    assert download.value.suggested_filename.startswith("ldn-diary-")
    assert download.value.suggested_filename.endswith(".fhir.json")
    bundle = parse(Path(download.value.path()).read_bytes())  # fhir.resources validates every resource
    assert {r.resource_type for r in resources(bundle)} >= {"Patient", "Observation", "MedicationAdministration"}
    back = read_back(bundle, system_url())
    day = back["days"][today]
    assert (day["pain_score"], day["headache"], day["sleep_quality"]) == (3, 0, 7)
    taken, mg, _, _ = back["doses"][today]
    assert (taken, mg) == (True, Decimal("1.5"))


def test_delete_account_with_wrong_then_right_password(page: Page, live_server: Any, patient: Patient) -> None:
    log_today_and_open_me(page, live_server)
    assert page.evaluate(COUNT_LOCAL) > 0  # the phone holds a copy of the diary
    page.get_by_role("button", name="Delete my account").click()
    form = page.get_by_test_id("delete-account")
    form.get_by_label("Your password").fill("not my password")
    form.get_by_label("To confirm, type your e-mail address (pat@example.org)").fill("pat@example.org")
    form.get_by_role("button", name="Delete my account for good").click()

    expect(form.get_by_role("alert")).to_have_text("That is not your password. Nothing was deleted.")
    assert User.objects.filter(email="pat@example.org").exists()
    assert DiaryEntry.objects.filter(patient=patient).count() == 1

    form.get_by_label("Your password").fill(PASSWORD)
    form.get_by_role("button", name="Delete my account for good").click()

    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Your account and all your data were deleted.")
    assert not User.objects.filter(email="pat@example.org").exists()
    assert not Patient.objects.filter(pk=patient.pk).exists()
    assert not CareLink.objects.filter(patient_id=patient.pk).exists()
    assert page.evaluate(COUNT_LOCAL) == 0  # nothing left on the phone

    page.get_by_label("E-mail").fill("pat@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_role("heading", name="Today")).to_have_count(0)
