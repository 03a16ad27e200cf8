"""axe-core (WCAG 2.0/2.1/2.2 A and AA) on every patient page and state, light and dark,
at 390 and 320 px wide with no sideways scroll (tests/e2e/axe.py), and no motion when
the phone asks for reduced motion."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from diary.models import Patient
from diary.services.entries import entry_record
from diary.services.inputs import EntryData
from tests.e2e.axe import axe_check
from tests.e2e.conftest import diary_day, sign_in
from tests.e2e.data import insight_with_data
from tests.e2e.test_history_trends import open_tab
from tests.e2e.test_today import save_against_another_devices_edit, tap_typical_day

pytestmark = pytest.mark.e2e


def test_sign_in_and_sign_up(page: Page, live_server: Any, patient: Patient) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    axe_check(page, "Sign in")

    page.get_by_label("E-mail").fill("pat@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    axe_check(page, "Sign in with an error")

    page.get_by_role("button", name="New here? Create an account").click()
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    axe_check(page, "Sign up")


def test_today_empty_saved_with_details_and_the_opioid_warning_then_offline(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient
) -> None:
    sign_in(page, live_server.url, "pat@example.org")
    axe_check(page, "Today (empty)")

    tap_typical_day(page)
    page.get_by_role("button", name="Vivid dreams").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    axe_check(page, "Today (saved, a side effect chosen)")

    page.get_by_role("button", name="More details").click()
    page.get_by_role("button", name="Add a medicine").click()
    axe_check(page, "Today with the details unfolded")

    page.get_by_label("Kind of medicine").select_option("opioid")
    expect(page.get_by_test_id("opioid-warning")).to_be_visible()
    axe_check(page, "Today with the opioid warning")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("connection")).to_contain_text("Offline")
    expect(page.get_by_role("radiogroup", name=re.compile("^Pain today"))).to_be_visible()
    axe_check(page, "Today offline (banner)")

    open_tab(page, "History")
    expect(page.get_by_text("Offline: showing what is saved on this phone.")).to_be_visible()
    axe_check(page, "History offline (banner)")
    open_tab(page, "My trends")
    expect(page.locator("p.banner.warn").last).to_be_visible()
    axe_check(page, "My trends offline, never loaded")


def test_today_conflict_screen(page: Page, live_server: Any, patient: Patient) -> None:
    save_against_another_devices_edit(page, live_server.url, patient)
    expect(page.get_by_test_id("conflict-mine")).to_be_visible()
    axe_check(page, "Today with the conflict screen (412)")


def test_history_month_and_a_day_opened_for_edit(page: Page, live_server: Any, patient: Patient) -> None:
    today = diary_day(patient)
    first = today.replace(day=1)
    for i, (headache, migraine) in enumerate([(0, False), (2, False), (3, True)]):
        day = first + timedelta(days=i)
        if day <= today:
            data: EntryData = {"pain_score": 2 + i, "headache": headache, "migraine": migraine or None}
            entry_record(patient=patient, day=day, data=data, actor=patient.user)
    sign_in(page, live_server.url, "pat@example.org")
    open_tab(page, "History")
    expect(page.locator(f'button.calday[data-date="{first.isoformat()}"]')).to_have_attribute("data-kind", "none")
    axe_check(page, "History (month view)")

    page.locator(f'button.calday[data-date="{first.isoformat()}"]').click()
    expect(page.get_by_test_id("day-name")).to_have_text(f"{first.strftime('%A')} {first.day} {first.strftime('%B')}")
    axe_check(page, "History: a day opened for editing")


def test_my_trends_with_data(page: Page, live_server: Any, patient: Patient) -> None:
    insight_with_data(patient)
    sign_in(page, live_server.url, "pat@example.org")
    open_tab(page, "My trends")
    expect(page.get_by_test_id("chart-pain").locator("canvas")).to_have_count(2)  # the chart and its dose band
    expect(page.get_by_test_id("suggestions")).to_be_visible()
    axe_check(page, "My trends (with data)")


MOTION = """() => [...document.querySelectorAll('*')].flatMap((el) => {
    const s = getComputedStyle(el);
    const moving = s.animationName !== 'none' || s.transitionDuration.split(',').some((d) => parseFloat(d) > 0)
        || s.scrollBehavior === 'smooth';
    return moving ? [el.tagName.toLowerCase() + '.' + String(el.className)] : [];
})"""


def test_reduced_motion_means_no_transition_or_animation(page: Page, live_server: Any, patient: Patient) -> None:
    insight_with_data(patient)
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, live_server.url, "pat@example.org")
    assert page.evaluate(MOTION) == []
    open_tab(page, "History")
    assert page.evaluate(MOTION) == []
    open_tab(page, "My trends")
    expect(page.get_by_test_id("chart-pain").locator("canvas")).to_have_count(2)  # the chart and its dose band
    assert page.evaluate(MOTION) == []


def test_axe_check_itself_finds_dark_only_contrast_and_sideways_scroll(page: Page) -> None:
    page.set_content(
        """<!doctype html><html lang="en"><head><title>t</title>
        <meta name="viewport" content="width=device-width, initial-scale=1"><style>
        body { background: #fff; color: #000; }
        @media (prefers-color-scheme: dark) { body { background: #000; } .low { color: #222; } }
        .wide { width: 360px; }
        </style></head><body><main><p class="low">Only dark mode is too faint.</p>
        <p class="wide">Wider than 320 px.</p></main></body></html>"""
    )
    with pytest.raises(pytest.fail.Exception) as failed:
        axe_check(page, "a page made to fail")
    report = str(failed.value)
    assert "color-contrast (serious)" in report
    assert '"a page made to fail" [dark, 390 px]' in report
    assert "[light, 390 px]" not in report
    assert "sideways scroll on" in report
    assert "scrollWidth 3" in report
    assert "['p.wide']" in report


def test_me_page(page: Page, live_server: Any, patient: Patient) -> None:
    sign_in(page, live_server.url, "pat@example.org")
    open_tab(page, "Me")
    expect(page.get_by_role("heading", name="Who can see my diary")).to_be_visible()
    expect(page.get_by_role("heading", name="My data")).to_be_visible()
    expect(page.get_by_text("Dose reminder").first).to_be_visible()
    axe_check(page, "Me (reminders, who can see my diary, my data)")
