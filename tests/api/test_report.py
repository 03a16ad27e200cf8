"""The visit report: a print-styled HTML page and a one-page PDF (WeasyPrint) for a period,
from the engine's day types over the patient's real diary; audited; bad periods are 400s."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

import pytest
from csp.utils import build_policy
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


def policy_directives(policy: str) -> dict[str, list[str]]:
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


def get(cast, patient, suffix: str = "", query: str = ""):
    return cast.client("bob").call("GET", f"/api/v1/patients/{patient.public_id}/report{suffix}{query}")


def test_html_report_has_the_period_numbers_verdict_plan_and_caveats(cast, rita):
    response = get(cast, rita)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Rita Responder" in text
    # the default: the verdict's evaluation window, the last 28 days (as on the patient page)
    assert "Period 25 Oct 2026 – 21 Nov 2026 (28 days" in text
    # baseline, the window, the reduction (whole percent) and the points, as the page says
    assert "Mean daily pain (0–10) 8.0 3.0 62%, 5.0 points less" in text
    assert "Strong responder: 62% less pain (5.0 points)" in text
    assert "rules version 2" in text
    assert "Doses taken on 28 of 28 days (100%)" in text
    assert "From 13 Aug 2026: 1.5 mg" in text
    assert "From 27 Aug 2026: 4.5 mg" in text
    assert "regression to the mean" in text.lower()
    assert not re.search(r"\{[#%]", html)  # no template text leaks into the page
    # self-contained: no external stylesheet, script, image or font; no inline style attribute
    assert not re.search(r"<(link|script|img)\b", html)
    assert "url(" not in html
    assert " style=" not in html
    # the one <style> block is allowed by the response's nonce, and nothing else is
    [style] = re.findall(r"<style\b([^>]*)>", html)
    nonce = re.fullmatch(r' nonce="([A-Za-z0-9+/]{22}==)"', style)
    assert nonce is not None, style
    policy = response["Content-Security-Policy"]
    assert policy_directives(policy) == {**policy_directives(build_policy()), "style-src": [f"'nonce-{nonce[1]}'"]}
    assert "unsafe-inline" not in policy
    assert AuditEvent.objects.filter(action="report.read", patient=rita, actor=cast.bob.user).count() == 1
    again = get(cast, rita)
    assert f"'nonce-{nonce[1]}'" not in again["Content-Security-Policy"]  # a fresh nonce per answer


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


INTERNAL_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case: a code, not a word
OVER_PRECISE = re.compile(r"\d+\.\d{2,}(?!\d*\s?mg)|\d+\.\d+\s?%")  # > 1 decimal (doses apart), or a decimal %


def readable_problems(text: str) -> list[str]:
    """Internal codes, over-precise numbers and '1 days' in a text a clinician reads."""
    return INTERNAL_CODE.findall(text) + OVER_PRECISE.findall(text) + re.findall(r"\b1 days\b", text)


@pytest.fixture
def overuser(cast):
    """A migraine patient taking a triptan and paracetamol on each of 10 headache days in the
    last 28 (14 per 28 at baseline): no adequate response, overuse risk, frequent acute
    medication; and a 45 mg dose logged by mistake yesterday, since corrected to 4.5 mg."""
    from diary.models import DoseLog
    from diary.services.dosing import dose_log_update

    patient = patient_with(
        cast.bob,
        Course(condition="migraine", baseline_headache_days=14, headache_days_per_28=10, name="Olga Overuse"),
        TODAY,
    )
    for entry in DiaryEntry.objects.filter(patient=patient, date__gt=TODAY - timedelta(days=28), headache__gt=0):
        AcuteMedication.objects.create(entry=entry, med_class="triptan", for_headache=True)
        AcuteMedication.objects.create(entry=entry, med_class="non_opioid_analgesic", for_headache=True)
    log = DoseLog.objects.get(patient=patient, date=TODAY - timedelta(days=1))
    DoseLog.objects.filter(pk=log.pk).update(mg=45)
    type(patient).objects.filter(pk=patient.pk).update(insights_stale_since=TODAY.isoformat() + "T10:00Z")
    analyse_all()
    dose_log_update(log=DoseLog.objects.get(pk=log.pk), data={"mg": Decimal("4.5")})
    analyse_all()
    return patient


def flat(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_has_the_pages_verdict_and_open_flags_in_the_same_words_and_numbers(cast, overuser):
    page = cast.client("bob").call("GET", f"/api/v1/patients/{overuser.public_id}/insights").json_body
    verdict = page["verdict"]["presented"]
    assert verdict["headline"] == "No adequate response: 28% fewer headache days"
    headlines = [f["headline"] for f in page["flags"] if f["status"] != "resolved"]
    assert headlines == [
        "Decision point reached: no adequate response (28%) — decide on continuation",
        "Risk of medication overuse: triptan on 10 days (threshold 10), and 1 more",
        "Frequent acute medication: acute medicines on 10 of the last 28 days",
        "Dose outside the usual LDN range: dose taken of 45.0 mg on 20 Nov 2026 (now 4.5 mg)",
    ]

    response = get(cast, overuser, ".pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = flat(reader.pages[0].extract_text())
    assert verdict["headline"] in text
    for measure in verdict["measures"]:  # the page's table, row by row, in the PDF
        assert f"{measure['label']} {measure['baseline']} {measure['now']} {measure['change']}" in text
    assert "Headache days per 28 days 14.0 10.0 28%" in text
    for headline in headlines:
        assert headline in text
    assert "45.0 mg when the flag was raised, 4.5 mg now (changed 21 Nov 2026, 13:00)" in text
    assert "Evaluation window 25 Oct – 21 Nov 2026: 28 of 28 days logged" in text
    assert "Dose held, mg (right axis)" in text  # the chart's legend
    assert readable_problems(text) == []

    html = get(cast, overuser).content.decode()
    assert re.search(r"<svg[^>]*role=\"img\"", html)
    assert html.count("<polyline") >= 2  # the outcome and the dose steps
    html_text = flat(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.DOTALL))
    assert readable_problems(html_text) == []
    assert "This period is the verdict's evaluation window" not in html_text  # said in other words:
    assert "The verdict's evaluation window (its numbers are above)" in html_text


def test_a_named_period_says_that_the_verdict_rests_on_its_own_window(cast, overuser):
    text = flat(re.sub(r"<[^>]+>", " ", get(cast, overuser, query="?start=2026-09-01&end=2026-11-21").content.decode()))
    assert "The verdict rests on its own evaluation window (25 Oct – 21 Nov 2026)" in text
    assert "Headache days per 28 days 14.0" in text
    assert readable_problems(text.split("</style>")[-1]) == []


@pytest.fixture
def scored(cast):
    """A migraine patient partial by the diary (12 → 8 headache days) who is a responder by
    MIDAS (24 → 16, at most 0.7 × 24), with HIT-6 62 → 60 (not met) and no follow-up PGIC."""
    from diary.models import QuestionnaireResponse

    patient = patient_with(
        cast.bob,
        Course(condition="migraine", baseline_headache_days=12, headache_days_per_28=8, name="Sam Scored"),
        TODAY,
    )
    first = TODAY - timedelta(days=100)
    for instrument, day, total, by in (
        ("midas", first - timedelta(days=3), 24, "patient"),
        ("hit6", first - timedelta(days=3), 62, "clinician"),
        ("midas", TODAY - timedelta(days=4), 16, "patient"),
        ("hit6", TODAY - timedelta(days=4), 60, "clinician"),
    ):
        QuestionnaireResponse.objects.create(
            patient=patient, instrument=instrument, completed_on=day, total=total, entered_by=by
        )
    analyse_all()
    return patient


def test_the_report_shows_the_questionnaire_scores_in_a_table_and_the_missing_pgic_beside_the_verdict(cast, scored):
    html = get(cast, scored).content.decode()
    table = re.search(r'<table class="small questionnaires">(.*?)</table>', html, flags=re.DOTALL)
    assert table is not None, html
    cells = [
        [flat(re.sub(r"<[^>]+>", " ", cell)) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), flags=re.DOTALL)
    ]
    assert cells == [
        ["Questionnaire", "Baseline", "Follow-up", "Criterion"],
        [
            "MIDAS",
            "24 (grade IV) on 10 Aug 2026",
            "16 (grade III) on 17 Nov 2026",
            "met (baseline 21 or more: at most 0.7 × baseline)",
        ],
        [
            "HIT-6",
            "62 (severe impact) on 10 Aug 2026, entered by a clinician",
            "60 (severe impact) on 17 Nov 2026, entered by a clinician",
            "not met (at most baseline − 5)",
        ],
        ["PGIC", "–", "none (counts from 22 Oct 2026)", "reported only: it does not change the verdict"],
    ]
    text = unescape(flat(re.sub(r"<style>.*?</style>|<[^>]+>", " ", html, flags=re.DOTALL)))
    assert "Responder by MIDAS 24 → 16; 33% fewer headache days" in text
    # §12.9: the missing PGIC beside the verdict, said once
    headline = text.index("Responder by MIDAS")
    missing = "No follow-up PGIC yet: ask how the patient's condition has changed overall since starting LDN."
    assert text.index(missing) - headline < 80
    assert text.count(missing) == 1
    assert readable_problems(text) == []

    reader = PdfReader(io.BytesIO(get(cast, scored, ".pdf").content))
    assert len(reader.pages) == 1
    pdf = flat(reader.pages[0].extract_text())
    assert "MIDAS 24 (grade IV) on 10 Aug 2026 16 (grade III) on 17 Nov 2026 met" in pdf
    assert "HIT-6 62 (severe impact) on 10 Aug 2026, entered by a clinician 60 (severe impact)" in pdf
    assert missing in pdf
