"""History, my plan and my trends in a real browser: the month calendar marks a logged
headache day in colour and words and opens it for editing; the plan reads in plain words;
the trends page shows a suggestion from a real insight and charts with their tables."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from diary.models import DiaryEntry, Patient
from diary.services.entries import entry_record
from tests.e2e.conftest import choice, diary_day, pick, sign_in
from tests.e2e.data import insight_with_data

pytestmark = pytest.mark.e2e


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def test_history_colours_and_labels_a_headache_day_and_opens_it_for_editing(
    page: Page, live_server: Any, patient: Patient
) -> None:
    day = diary_day(patient)
    entry_record(patient=patient, day=day, data={"pain_score": 6, "headache": 2}, actor=patient.user)
    sign_in(page, live_server.url, "pat@example.org")

    open_tab(page, "History")
    cell = page.locator(f'button.calday[data-date="{day.isoformat()}"]')
    expect(cell).to_have_attribute("data-kind", "headache")
    spoken = f"{day.day} H: {day.strftime('%A')} {day.day} {day.strftime('%B')}, Headache. Open to edit."
    expect(cell).to_have_attribute("aria-label", spoken)
    expect(cell.locator(".mark")).to_have_text("H")  # not colour alone
    background = cell.evaluate("el => getComputedStyle(el).backgroundColor")
    plain = page.locator("button.calday.k-empty").first.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background != plain
    expect(page.get_by_role("list", name="Key")).to_contain_text("Headache")
    expect(page.get_by_test_id("month-summary")).to_contain_text("1 days logged, 1 with headache")

    cell.click()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(choice(page, "Which day?", "Today")).to_have_attribute("aria-checked", "true")
    expect(page.get_by_test_id("day-name")).to_have_text(f"{day.strftime('%A')} {day.day} {day.strftime('%B')}")
    expect(choice(page, "Pain", "6")).to_have_attribute("aria-checked", "true")
    pick(page, "Pain", "4")
    page.get_by_role("button", name="Save", exact=True).click()
    # The day said "Synced" before the edit too: wait for the server to hold the new version.
    deadline = time.monotonic() + 10
    while DiaryEntry.objects.get(patient=patient, date=day).version < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    entry = DiaryEntry.objects.get(patient=patient, date=day)
    assert (entry.pain_score, entry.headache, entry.version) == (4, 2, 2)


def test_previous_month_is_one_tap_away(page: Page, live_server: Any, patient: Patient) -> None:
    day = diary_day(patient)
    earlier = day.replace(day=1) - timedelta(days=3)
    entry_record(
        patient=patient, day=earlier, data={"pain_score": 7, "headache": 3, "migraine": True}, actor=patient.user
    )
    sign_in(page, live_server.url, "pat@example.org")
    open_tab(page, "History")
    expect(page.get_by_role("button", name="Next month")).to_be_disabled()
    page.get_by_role("button", name="Previous month").click()
    expect(page.locator("#month-title")).to_have_text(earlier.strftime("%B %Y"))
    cell = page.locator(f'button.calday[data-date="{earlier.isoformat()}"]')
    expect(cell).to_have_attribute("data-kind", "migraine")
    expect(cell.locator(".mark")).to_have_text("M")


def test_my_plan_says_todays_dose_and_the_next_step(page: Page, live_server: Any, patient: Patient) -> None:
    plan = patient.plans.get()
    step_day = diary_day(patient) + timedelta(days=3)
    plan.steps.create(start_date=step_day, mg=Decimal("3.0"), time_of_day="bedtime")
    sign_in(page, live_server.url, "pat@example.org")
    expected = f"Today: 1.5 mg at bedtime; 3.0 mg from {step_day.strftime('%A')}"
    expect(page.get_by_test_id("plan-text")).to_have_text(expected)


def test_trends_show_a_suggestion_and_charts_with_their_tables(page: Page, live_server: Any, patient: Patient) -> None:
    insight_with_data(patient)
    sign_in(page, live_server.url, "pat@example.org")

    open_tab(page, "My trends")
    expect(page.get_by_test_id("suggestions")).to_contain_text("Taking your dose in the morning")
    expect(page.get_by_test_id("trends-pending")).to_have_count(0)
    pain = page.get_by_test_id("chart-pain")
    expect(pain.locator("canvas")).to_have_count(2)  # drawn by uPlot: the chart and its dose band
    plot = pain.get_by_role("img", name=re.compile("^Pain"))
    expect(plot).to_have_attribute("aria-label", re.compile(r"dose band .* dose in mg"))
    expect(pain.get_by_test_id("doseband-pain")).to_have_attribute("aria-label", "Dose (mg)")
    # the numbers week by week over the whole course, one tap away (a year is 52 rows a chart)
    for chart in ("chart-pain", "chart-headache", "chart-sleep"):
        page.get_by_test_id(chart).locator("summary").click()
    table = pain.get_by_role("table", name="Pain (7-day average), week by week")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").first).to_be_visible()
    expect(page.get_by_test_id("chart-headache").get_by_role("table")).to_be_visible()
    expect(page.get_by_test_id("chart-sleep").get_by_role("table")).to_contain_text("6.0")


# Mean brightness (0-255) of the pixels a chart's canvas has drawn (axes, labels, grid, lines).
CANVAS_BRIGHTNESS = """(canvas) => {
  const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
  let sum = 0, n = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 200) { sum += (data[i] + data[i + 1] + data[i + 2]) / 3; n++; }
  }
  return n ? sum / n : null;
}"""


def test_charts_are_drawn_again_when_the_phone_switches_to_dark(page: Page, live_server: Any, patient: Patient) -> None:
    insight_with_data(patient)
    page.emulate_media(color_scheme="light")
    sign_in(page, live_server.url, "pat@example.org")
    open_tab(page, "My trends")
    canvas = page.get_by_test_id("chart-pain").locator("canvas").first
    expect(canvas).to_have_count(1)
    light = canvas.evaluate(CANVAS_BRIGHTNESS)
    assert light is not None

    page.emulate_media(color_scheme="dark")  # the system setting changes while the page is open
    expect(page.get_by_test_id("chart-pain").locator("canvas")).to_have_count(2)
    deadline = time.monotonic() + 5
    dark = page.get_by_test_id("chart-pain").locator("canvas").first.evaluate(CANVAS_BRIGHTNESS)
    while dark is not None and dark < light + 30 and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        dark = page.get_by_test_id("chart-pain").locator("canvas").first.evaluate(CANVAS_BRIGHTNESS)
    assert dark is not None
    # Redrawn in the dark scheme's colours: light axes and labels (measured: 123 -> 181; a
    # chart that is not redrawn stays at the light value).
    assert dark >= light + 30, (light, dark)


def test_trends_say_the_numbers_come_later_when_pending(page: Page, live_server: Any, patient: Patient) -> None:
    sign_in(page, live_server.url, "pat@example.org")
    open_tab(page, "My trends")
    expect(page.get_by_test_id("trends-pending")).to_have_text(
        "Your numbers come after a few days of logging. Keep going!"
    )


def test_trends_say_they_are_being_recalculated_after_a_change(page: Page, live_server: Any, patient: Patient) -> None:
    """A write (or a failed recompute) left the stored numbers behind the diary: the page says
    so instead of showing them as current."""
    insight_with_data(patient)
    Patient.objects.filter(pk=patient.pk).update(insights_stale_since=timezone.now())
    sign_in(page, live_server.url, "pat@example.org")
    open_tab(page, "My trends")
    expect(page.get_by_test_id("trends-stale")).to_have_text(
        "Being recalculated: these numbers are from before your latest changes."
    )
    expect(page.get_by_test_id("suggestions")).to_be_visible()  # the last numbers, marked as such
