"""The clinician's pages as issue 16 asks for them, in Chromium: never the previous
patient under a new patient's name (the network delayed), no internal codes or unrounded
numbers on any page or in the report, the plan editor's confirmation, triage as a
worklist at 1280×800 and as cards at 768 px."""

from __future__ import annotations

import io
import random
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from playwright.sync_api import Browser, Page, Route, expect
from pypdf import PdfReader

from diary.dates import local_today
from diary.demo.generate import history_build
from diary.demo.profiles import PROFILES
from diary.demo.seed import patient_seed
from diary.evidence import verdict_presented
from diary.models import Clinician, DosePlan, Flag, Patient, PatientInsight
from diary.services.insights import insights_sweep
from tests.e2e.axe import axe_check
from tests.e2e.test_clinician import clinician_sign_in, rows
from tests.factories import PASSWORD, TOTP_SECRET, ClinicianFactory, PatientFactory, link, plan_for

INTERNAL_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")  # snake_case: a code, not a word
OVER_PRECISE = re.compile(r"\d+\.\d{2,}(?!\d*\s?mg)|\d+\.\d+\s?%")  # > 1 decimal (doses apart), a decimal %


def readable_problems(text: str) -> list[str]:
    return INTERNAL_CODE.findall(text) + OVER_PRECISE.findall(text) + re.findall(r"\b1 days\b", text)


def shown_text(page: Page) -> str:
    """What the page says: its text with every <details> open, and its accessible labels."""
    return str(
        page.evaluate(
            """() => {
                document.querySelectorAll('main details').forEach((d) => { d.open = true; });
                const labels = [...document.querySelectorAll('main [aria-label], main title')]
                    .map((e) => e.getAttribute('aria-label') || e.textContent);
                return document.querySelector('main').innerText + '\\n' + labels.join('\\n');
            }"""
        )
    )


def desk_page(browser: Browser, width: int, height: int) -> Page:
    viewport = {"width": width, "height": height}
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="Europe/London")  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    page = desk_page(browser, 1280, 800)
    yield page
    page.context.close()


def seed(clinician: Clinician, keys: tuple[str, ...] | None = None) -> None:
    password_hash = make_password(PASSWORD)
    now = timezone.now()
    chosen = [p for p in PROFILES if keys is None or p.key in keys]
    for profile in chosen:
        patient_seed(history_build(profile, now, random.Random(f"42:{profile.key}")), clinician, password_hash)
    assert insights_sweep().stored == len(chosen)


@pytest.fixture
def doc(transactional_db: Any) -> Clinician:
    return ClinicianFactory.create(user__email="doc@example.org", user__display_name="Dr Okafor")


# --- item 1: never the wrong patient --------------------------------------------------------


def headline(patient: Patient) -> str:
    """The patient's verdict in the page's words (diary/evidence/), e.g. 'Responder: 78% fewer …'."""
    insight = PatientInsight.objects.get(patient=patient)
    return str(verdict_presented(insight.verdict, insight.data["verdict"]["evidence"])["headline"])


class Held:
    """Requests for one patient held back for `delay` seconds before they go on (a slow
    network), released by `pump` while the test keeps reading the page."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.waiting: list[tuple[float, Route]] = []
        self.seen = 0

    def hold(self, route: Route) -> None:
        self.seen += 1
        self.waiting.append((time.monotonic(), route))

    def pump(self) -> None:
        now = time.monotonic()
        for entry in [w for w in self.waiting if now - w[0] >= self.delay]:
            self.waiting.remove(entry)
            entry[1].continue_()


def watch(page: Page, held: Held, forbidden: list[str], until: Any, seconds: float = 12) -> list[str]:
    """Read the page every ~40 ms while the held requests go on; every text seen that names
    something of `forbidden`. Stops once `until(page)` holds and nothing is held back."""
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        held.pump()
        text = str(page.evaluate("() => document.querySelector('main').innerText"))
        seen += [f"{word!r} in {text[:200]!r}" for word in forbidden if word in text]
        if not held.waiting and held.seen and until(page):
            return seen
        page.wait_for_timeout(40)
    pytest.fail(f"the page did not finish loading; held back: {len(held.waiting)}")


def test_going_from_one_patient_to_another_never_shows_the_first_under_the_seconds_name(
    desk: Page, live_server: Any, doc: Clinician
) -> None:
    seed(doc, ("nonresponder", "responder"))
    priya = Patient.objects.get(user__display_name="Priya Shah")
    lena = Patient.objects.get(user__display_name="Lena Hoffmann")
    priyas = ["Priya Shah", "nonresponder@", headline(priya), "Probable medication-overuse headache"]
    lenas = ["Lena Hoffmann", headline(lena)]
    assert headline(lena).startswith("Responder: ")
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    desk.goto(f"{live_server.url}/#/patients/{priya.public_id}")
    expect(desk.get_by_test_id("verdict-label")).to_have_text("No adequate response")
    expect(desk.get_by_test_id("patient-flag").first).to_be_visible()

    # A pasted link to Lena, on a network that takes 1.5 s for each of her requests.
    held = Held(1.5)
    desk.route(re.compile(rf".*/api/v1/patients/{lena.public_id}(/.*)?(\?.*)?$"), held.hold)
    desk.evaluate("(id) => { location.hash = '#/patients/' + id; }", str(lena.public_id))
    leaks = watch(
        desk,
        held,
        priyas,
        lambda p: p.get_by_test_id("verdict-label").filter(has_text="Responder").count() == 1,
    )
    assert leaks == [], leaks[:3]
    assert held.seen >= 2  # the patient and the analysis (and the diary days) were held back
    expect(desk.get_by_test_id("patient-name")).to_have_text("Lena Hoffmann")
    expect(desk.get_by_test_id("patient-flags")).to_have_count(0)

    # Back to Priya, her requests slow now: nothing of Lena while Priya's page loads.
    desk.unroute(re.compile(rf".*/api/v1/patients/{lena.public_id}(/.*)?(\?.*)?$"))
    back = Held(1.5)
    desk.route(re.compile(rf".*/api/v1/patients/{priya.public_id}(/.*)?(\?.*)?$"), back.hold)
    desk.go_back()
    leaks = watch(
        desk,
        back,
        lenas,
        lambda p: p.get_by_test_id("verdict-label").filter(has_text="No adequate response").count() == 1,
    )
    assert leaks == [], leaks[:3]
    expect(desk.get_by_test_id("patient-name")).to_have_text("Priya Shah")

    # The flag actions name the patient shown: acknowledging goes to Priya's own flag.
    desk.unroute(re.compile(rf".*/api/v1/patients/{priya.public_id}(/.*)?(\?.*)?$"))
    posted: list[str] = []
    desk.on("request", lambda r: posted.append(r.url) if r.method == "POST" else None)
    flag = desk.get_by_test_id("patient-flag").first
    flag.get_by_role("button", name=re.compile("^Acknowledge “.+” for Priya Shah$")).click()
    desk.get_by_role("dialog").get_by_role("button", name="Acknowledge").click()
    expect(desk.get_by_role("status").filter(has_text="Acknowledged")).to_be_visible()
    assert any(f"/api/v1/patients/{priya.public_id}/flags/" in url for url in posted), posted
    assert Flag.objects.filter(patient=priya, status="acknowledged").count() == 1


# --- item 2: the words and numbers of every page -----------------------------------------------


def test_every_clinician_page_and_report_reads_without_internal_codes_or_unrounded_numbers(
    browser: Browser, live_server: Any, doc: Clinician
) -> None:
    seed(doc)  # every demo patient: each verdict and most flags
    page = desk_page(browser, 1280, 900)
    problems: dict[str, list[str]] = {}

    def check(where: str, text: str) -> None:
        found = readable_problems(text)
        if found:
            problems[where] = sorted(set(found))

    try:
        clinician_sign_in(page, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
        expect(rows(page)).to_have_count(len(PROFILES))
        check("triage", shown_text(page))
        for patient in Patient.objects.select_related("user").order_by("pk"):
            name = patient.user.display_name
            page.goto(f"{live_server.url}/#/patients/{patient.public_id}")
            expect(page.get_by_test_id("verdict")).to_be_visible()
            expect(page.get_by_test_id("chart-pain")).to_be_visible()
            check(f"{name}: overview", shown_text(page))
            page.get_by_role("link", name="Plan and baseline").click()
            expect(page.get_by_test_id("current-steps")).to_be_visible()
            check(f"{name}: plan", shown_text(page))
            page.get_by_role("link", name="Questionnaires", exact=True).click()
            expect(page.get_by_test_id("questionnaire-entry")).to_be_visible()
            expect(page.get_by_test_id("questionnaires-counted")).to_be_visible()
            check(f"{name}: questionnaires", shown_text(page))
            page.get_by_role("link", name="Diary", exact=True).click()
            expect(page.get_by_test_id("diary")).to_be_visible()
            expect(page.get_by_test_id("diary-dose").first).to_be_visible()
            check(f"{name}: diary", shown_text(page))
            html = page.request.get(f"{live_server.url}/api/v1/patients/{patient.public_id}/report")
            assert html.status == 200
            body = re.sub(r"<style\b[^>]*>.*?</style>", " ", html.text(), flags=re.DOTALL)
            check(f"{name}: report", " ".join(re.sub(r"<[^>]+>", " ", body).split()))
            pdf = page.request.get(f"{live_server.url}/api/v1/patients/{patient.public_id}/report.pdf")
            reader = PdfReader(io.BytesIO(pdf.body()))
            check(f"{name}: PDF", " ".join(" ".join(p.extract_text() for p in reader.pages).split()))
        page.goto(f"{live_server.url}/#/outcomes")
        expect(page.get_by_test_id("outcomes-mapping")).to_be_visible()
        check("outcomes", shown_text(page))
        page.get_by_role("link", name="Clinic", exact=True).click()
        expect(page.get_by_test_id("hit6-status")).to_be_visible()
        check("clinic", shown_text(page))
    finally:
        page.context.close()
    assert problems == {}


# --- item 4: the plan editor asks before it saves --------------------------------------------


def test_the_plan_editor_checks_before_saving_and_saves_warnings_only_when_confirmed(
    desk: Page, live_server: Any, doc: Clinician
) -> None:
    rosa = PatientFactory.create(user__display_name="Rosa Example")
    link(rosa, doc)
    today = local_today(rosa.time_zone, rosa.day_boundary)
    plan_for(rosa, doc, [(today - timedelta(days=3), "1.5"), (today + timedelta(days=4), "3.0")], target_mg=3)
    stored = [(s.start_date, s.mg) for s in DosePlan.objects.get(patient=rosa).steps.order_by("start_date")]
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    desk.goto(f"{live_server.url}/#/patients/{rosa.public_id}/plan")
    expect(desk.get_by_label("Target dose (mg)")).to_have_value("3")

    # A step of 4.5 mg: within the usual range, but above this plan's own target.
    desk.get_by_role("button", name="Add a step").click()
    step = desk.get_by_test_id("plan-step").last
    step.get_by_label("Starts on").fill((today + timedelta(days=11)).isoformat())
    step.get_by_label("Dose (mg)").fill("")  # blank: "Check" names it, nothing is sent
    checks: list[str] = []
    desk.on("request", lambda r: checks.append(r.url) if r.url.endswith("/plan/check") else None)
    desk.get_by_role("button", name="Check", exact=True).click()
    expect(desk.get_by_test_id("plan-error")).to_have_text("Step 3: enter the dose in mg.")
    assert checks == []
    step.get_by_label("Dose (mg)").fill("4.5")
    desk.get_by_role("button", name="Save the plan").click()
    warnings = desk.get_by_test_id("plan-warnings")
    expect(warnings).to_contain_text("Save Rosa Example's plan with these warnings?")
    expect(warnings).to_contain_text("Step 3: 4.5 mg is above this plan's target (3.0 mg).")
    expect(desk.get_by_role("button", name="Save anyway")).to_be_visible()
    axe_check(desk, "Clinician: plan editor, save with warnings?", widths=(1280, 320))
    assert [(s.start_date, s.mg) for s in DosePlan.objects.get(patient=rosa).steps.order_by("start_date")] == stored

    # Back to editing saves nothing; an edit asks again.
    desk.get_by_role("button", name="Back to editing").click()
    expect(desk.get_by_role("button", name="Save anyway")).to_have_count(0)
    step.get_by_label("Dose (mg)").fill("6")
    desk.get_by_role("button", name="Save the plan").click()
    expect(warnings).to_contain_text("Step 3: 6.0 mg is above the usual LDN range (≤ 4.5 mg) and above this plan's")
    expect(warnings).to_contain_text("Step 3: a step up from 3.0 to 6.0 mg is more than 1.5 mg.")
    assert DosePlan.objects.get(patient=rosa).steps.count() == 2

    desk.get_by_role("button", name="Save anyway").click()
    expect(desk.get_by_test_id("plan-done")).to_have_text("Plan saved, with the warnings you confirmed.")
    expect(desk.get_by_test_id("plan-warnings")).to_have_count(0)  # said once, before saving
    expect(desk.get_by_test_id("current-steps")).to_contain_text("6.0 mg")
    steps = DosePlan.objects.get(patient=rosa).steps.order_by("start_date")
    assert [s.mg for s in steps] == [Decimal("1.5"), Decimal("3.0"), Decimal("6.0")]

    # A plan without warnings is saved at once (checked first all the same).
    checks.clear()
    desk.get_by_test_id("plan-step").last.get_by_label("Dose (mg)").fill("3")
    desk.get_by_role("button", name="Save the plan").click()
    expect(desk.get_by_test_id("plan-done")).to_have_text("Plan saved.")
    assert len(checks) == 1
    assert [s.mg for s in DosePlan.objects.get(patient=rosa).steps.order_by("start_date")][-1] == Decimal("3.0")


# --- item 6: triage as a worklist ------------------------------------------------------------


def test_triage_shows_ten_patients_at_1280_by_800_and_every_column_as_cards_at_768(
    desk: Page, browser: Browser, live_server: Any, doc: Clinician
) -> None:
    seed(doc, ("nonresponder", "opioid", "responder", "partial", "stopped"))
    for k in range(7):
        link(PatientFactory.create(user__display_name=f"Patient {k + 1:02d}"), doc)
    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    expect(rows(desk)).to_have_count(12)
    bottoms = desk.evaluate(
        "() => [...document.querySelectorAll('[data-testid=triage-row]')].map((r) => r.getBoundingClientRect().bottom)"
    )
    visible = [b for b in bottoms if b <= 800]
    assert len(visible) >= 10, bottoms  # whole rows in the first screen, nothing scrolled

    # The row menu: every open flag of the patient, acknowledged from the list.
    daniel = rows(desk).filter(has_text="Daniel Murphy")
    daniel.get_by_role("button", name=re.compile("^4 flags of Daniel Murphy")).click()
    menu = daniel.get_by_test_id("flag-menu")
    expect(menu.get_by_role("listitem")).to_have_count(4)
    axe_check(desk, "Clinician: triage, a row's flags menu open", widths=(1280, 320))
    menu.get_by_role("button", name="Acknowledge “Opioid logged while on LDN” for Daniel Murphy").click()
    desk.get_by_role("dialog").get_by_role("button", name="Acknowledge").click()
    expect(desk.get_by_role("status").filter(has_text="Acknowledged")).to_be_visible()
    assert Flag.objects.get(patient__user__display_name="Daniel Murphy", kind="opioid_interaction").status == (
        "acknowledged"
    )

    # 768 px: cards, every column there with its name, nothing cut off, no sideways scroll.
    # (the same signed-in page, resized: a second sign-in could not reuse the code)
    tablet = desk
    tablet.set_viewport_size({"width": 768, "height": 1024})
    tablet.reload()
    expect(rows(tablet)).to_have_count(12)
    assert tablet.evaluate("() => document.scrollingElement.scrollWidth") <= 768
    layout = tablet.evaluate(
        """() => [...document.querySelectorAll('[data-testid=triage-row]')].map((row) => ({
            cells: [...row.children].map((cell) => {
                const box = cell.getBoundingClientRect();
                const name = cell.querySelector('.cell-label');
                return {
                    left: box.left, right: box.right, width: box.width,
                    shown: getComputedStyle(cell).display !== 'none',
                    label: name ? name.innerText : 'patient',
                    labelShown: !name || name.getBoundingClientRect().width > 0,
                };
            }),
        }))"""
    )
    for row in layout:
        assert len(row["cells"]) == 9
        for cell in row["cells"]:
            assert cell["shown"], cell
            assert cell["width"] > 0, cell
            assert cell["left"] >= 0, cell
            assert cell["right"] <= 768, cell
            assert cell["labelShown"], cell
    assert [c["label"] for c in layout[0]["cells"]][1:] == [
        "Open flags",
        "Verdict",
        "Current dose",
        "Days on target",
        "Diary, last 28 days",
        "Last entry",
        "Last 12 weeks",
        "Flags",
    ]


def test_a_long_outcomes_list_names_its_first_patients_and_shows_all_on_request(
    desk: Page, live_server: Any, doc: Clinician, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list longer than the page names (here 2) says how many are shown and loads the rest
    in the page's order on request; a short list has no button."""
    from diary.dashboard import outcomes
    from diary.models import PatientOutcome

    monkeypatch.setattr(outcomes, "SHOWN_PER_LIST", 2)
    names = ["Ada", "Ben", "Cleo", "Dev", "Eve"]
    for name in names:
        patient = PatientFactory.create(user__display_name=name, primary_condition="chronic_pain")
        link(patient, doc)
        PatientOutcome.objects.create(patient=patient, verdict="non_responder", condition="chronic_pain")
    responder = PatientFactory.create(user__display_name="Fay", primary_condition="migraine")
    link(responder, doc)
    PatientOutcome.objects.create(patient=responder, verdict="responder", condition="migraine")

    clinician_sign_in(desk, live_server.url, "doc@example.org", PASSWORD, TOTP_SECRET)
    desk.get_by_role("link", name="Outcomes", exact=True).click()
    listed = desk.get_by_test_id("members-non_responders")
    expect(listed.get_by_role("link")).to_have_text(names[:2])
    expect(listed).to_contain_text("2 of 5 shown.")
    listed.get_by_role("button", name="Show all 5").click()
    expect(listed.get_by_role("link")).to_have_text(names)
    expect(listed.get_by_role("button")).to_have_count(0)
    responders = desk.get_by_test_id("members-responders")
    expect(responders.get_by_role("link")).to_have_text(["Fay"])
    expect(responders.get_by_role("button")).to_have_count(0)
    axe_check(desk, "clinic outcomes, a list shown whole")
