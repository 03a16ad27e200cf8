"""The visit report: a print-styled HTML page and a one-page PDF (WeasyPrint) for a period,
from the engine's day types over the patient's real diary; audited; bad periods are 400s."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from diary.models import AcuteMedication, AuditEvent, DiaryEntry
from tests.cohort import Course, analyse_all, patient_with

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)


@pytest.fixture
def rita(cast):
    patient = patient_with(
        cast.bob,
        Course(pain=3, name="Rita Responder", side_effects={"vivid_dreams": 3, "nausea": 2}),
        TODAY,
    )
    analyse_all()
    return patient


@pytest.fixture
def busy(cast):
    """A migraine patient with every medicine class and many side effects: a long report."""
    patient = patient_with(
        cast.bob,
        Course(
            condition="migraine",
            baseline_headache_days=14,
            headache_days_per_28=9,
            name="Bartholomew Busy-Diarist",
            side_effects=dict.fromkeys(("vivid_dreams", "insomnia", "nausea", "fatigue", "dizziness", "anxiety"), 3),
        ),
        TODAY,
    )
    classes = ("non_opioid_analgesic", "triptan", "ergot", "gepant_ditan", "combination_analgesic", "antiemetic")
    for k, entry in enumerate(DiaryEntry.objects.filter(patient=patient, date__gt=TODAY - timedelta(days=28))):
        AcuteMedication.objects.create(entry=entry, med_class=classes[k % len(classes)], for_headache=True)
    analyse_all()
    return patient


def get(cast, patient, suffix: str = "", query: str = ""):
    return cast.client("bob").call("GET", f"/api/v1/patients/{patient.public_id}/report{suffix}{query}")


def test_html_report_has_the_period_numbers_verdict_plan_and_caveats(cast, rita):
    response = get(cast, rita)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Rita Responder" in text
    assert "Period 25 Oct 2026 – 21 Nov 2026 (28 days" in text  # the default: the last 28 days
    assert "Mean daily pain (0–10) 8.0 3.0 62.5%" in text  # baseline, this period, reduction
    assert "Strong responder" in text
    assert "rules version 2" in text
    assert "Doses taken on 28 of 28 days (100.0%)" in text
    assert "From 13 Aug 2026: 1.50 mg" in text
    assert "From 27 Aug 2026: 4.50 mg" in text
    assert "regression to the mean" in text.lower()
    # self-contained: no external stylesheet, script, image or font; no inline style attribute
    assert not re.search(r"<(link|script|img)\b", html)
    assert "url(" not in html
    assert " style=" not in html
    # the one <style> block is allowed by its hash, and only it
    css = re.search(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    assert css is not None
    digest = base64.b64encode(hashlib.sha256(css.group(1).encode()).digest()).decode()
    policy = response["Content-Security-Policy"]
    assert f"style-src 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy
    assert AuditEvent.objects.filter(action="report.read", patient=rita, actor=cast.bob.user).count() == 1


def test_a_chosen_period_covers_its_own_days(cast, rita):
    text = get(cast, rita, query="?start=2026-08-01&end=2026-08-31").content.decode()
    assert "1 Aug 2026 – 31 Aug 2026" in text
    # the first dose was on 13 Aug: nausea and vivid dreams on its first days
    assert "Vivid dreams" in text
    assert "Nausea" in text


def test_pdf_is_one_page_and_names_the_patient(cast, rita, busy):
    for patient, name in ((rita, "Rita Responder"), (busy, "Bartholomew Busy-Diarist")):
        response = get(cast, patient, ".pdf", "?start=2026-05-01&end=2026-11-21")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF-")
        reader = PdfReader(io.BytesIO(response.content))
        assert len(reader.pages) == 1
        text = reader.pages[0].extract_text()
        assert name in text
        assert "Verdict" in text
    assert AuditEvent.objects.filter(action="report.pdf", actor=cast.bob.user).count() == 2
    busy_text = PdfReader(io.BytesIO(get(cast, busy, ".pdf").content)).pages[0].extract_text()
    assert "Triptan" in busy_text
    assert "Headache days per 28 days" in busy_text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?start=2026-11-10&end=2026-11-01", "start"),
        ("?start=2025-11-01&end=2026-11-20", "end"),  # more than a year
        ("?end=2026-11-22", "end"),  # after the patient's today
        ("?start=yesterday", "start"),
        ("?end=0001-01-02", "end"),  # long before any diary (and before date.min + 27 days)
    ],
)
def test_bad_periods_are_400s_naming_the_field(cast, rita, query, field):
    for suffix in ("", ".pdf"):
        response = get(cast, rita, suffix, query)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert list(response.json_body["errors"]) == [field]
    assert not AuditEvent.objects.filter(action__startswith="report.").exists()


def test_strangers_get_404_and_no_report(cast, rita):
    for who in ("charlie", "dora", "alice"):
        response = cast.client(who).call("GET", f"/api/v1/patients/{rita.public_id}/report.pdf")
        assert response.status_code == 404
        assert b"Rita" not in response.content
