"""Issue 13, the patient's journey without a dead end, in Chromium on a 390×844 phone against
`make run`'s own embedded set-up (SQLite, the filesystem broker, web, worker and beat,
the demo data; tests/e2e/embedded.py): one test per numbered item of the issue, each with
axe-core on the states it brings (light and dark, 390 and 320 px).

Each test uses its own demo patient or a newcomer, so their order does not matter."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from diary.demo.profiles import PROFILES
from tests.e2e.axe import axe_check
from tests.e2e.chromium import PHONE
from tests.e2e.conftest import chosen, outbox_size, pick
from tests.e2e.embedded import DEMO_PASSWORD, Embedded, body_of, mails_to, next_mail

pytestmark = pytest.mark.e2e

CODE = re.compile(r"^\s*([A-Z0-9]{3,5}(?:-[A-Z0-9]{3,5})?)\s*$", re.MULTILINE)
PROFILE = {p.key: p for p in PROFILES}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A phone of its own for each person (a browser context), closed after the test."""
    contexts: list[BrowserContext] = []

    def open_phone(time_zone: str = "Europe/Berlin", **extra: Any) -> Page:
        contexts.append(browser.new_context(**PHONE, timezone_id=time_zone, **extra))
        page = contexts[-1].new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_phone
    for context in contexts:
        context.close()


def demo_sign_in(page: Page, embedded: Embedded, key: str) -> None:
    page.goto(embedded.url + "/")
    page.get_by_label("E-mail").fill(PROFILE[key].email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")


def sign_up(page: Page, embedded: Embedded, email: str, condition: str = "Migraine") -> None:
    """A newcomer: sign-up with the condition, then the code from the kept e-mail."""
    page.goto(embedded.url + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("a long enough passphrase")
    pick(page, "What do you take LDN for?", condition)
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    code = CODE.search(body_of(next_mail(embedded.var, email, 0)))
    assert code
    page.get_by_label("Code from the e-mail").fill(code.group(1))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")


def api(page: Page, embedded: Embedded, path: str) -> Any:
    """GET an API path as the signed-in person (their cookie), as JSON."""
    reply = page.request.get(embedded.url + path)
    assert reply.status == 200, (path, reply.status, reply.text()[:300])
    return reply.json()


def eventually(read: Callable[[], Any], done: Callable[[Any], bool], seconds: float = 10) -> Any:
    """What `read` returns once `done` says so (a save reaches the server a moment later)."""
    deadline = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    assert done(value), value
    return value


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("button", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1, name=name)).to_be_visible()


def day_name(day: date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B')}"


# What the app before issue 13 queued for "Took my dose" with no plan and no amount: the
# server refuses it (400: mg), and that app held it for good. A phone that updates still
# has it in its outbox.
WEDGED_DOSE = """([date, clientId]) => new Promise((resolve, reject) => {
  const open = indexedDB.open("ldn-diary");
  open.onsuccess = () => {
    const tx = open.result.transaction(["outbox", "doses"], "readwrite");
    const data = { client_id: clientId, date, taken: true, mg: null, time_of_day: null };
    tx.objectStore("doses").put({ ...data, synced: false });
    tx.objectStore("outbox").put({ key: `dose:${date}`, kind: "dose", date, data, seq: Date.now() });
    tx.oncomplete = () => resolve(null);
    tx.onerror = () => reject(tx.error);
  };
})"""


# --- 1. The condition is asked at sign-up, and changed in Me ---------------------------------


def test_1_the_condition_is_chosen_at_sign_up_in_plain_words_and_changed_in_me(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone()
    page.goto(embedded.url + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    group = page.get_by_role("radiogroup", name="What do you take LDN for?")
    expect(group.get_by_role("radio")).to_have_count(6)
    expect(group.get_by_role("radio", name="Not sure: my clinician will set it")).to_be_visible()
    # nothing is chosen for the patient: a guess would choose the wrong verdict rule
    page.get_by_label("E-mail").fill("fiona@example.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("alert")).to_have_text('Choose what you take LDN for, or "Not sure".')
    assert mails_to(embedded.var, "fiona@example.org") == []
    pick(page, "What do you take LDN for?", "Fibromyalgia")
    axe_check(page, "Sign-up: the condition chosen")
    page.get_by_role("button", name="Create an account").click()
    code = CODE.search(body_of(next_mail(embedded.var, "fiona@example.org", 0)))
    assert code
    page.get_by_label("Code from the e-mail").fill(code.group(1))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    assert api(page, embedded, "/api/v1/me/profile")["primary_condition"] == "fibromyalgia"

    open_tab(page, "Me")
    mine = page.get_by_test_id("my-condition")
    expect(chosen(page, "What do you take LDN for?")).to_contain_text("Fibromyalgia")
    expect(mine.get_by_test_id("condition-set-by")).to_contain_text("Set by you on")
    pick(page, "What do you take LDN for?", "Chronic pain")
    mine.get_by_role("button", name="Save").click()
    expect(mine.get_by_role("status")).to_have_text("Saved: Chronic pain. Your trends are being recalculated.")
    axe_check(page, "Me: what I take LDN for")
    assert api(page, embedded, "/api/v1/me/profile")["primary_condition"] == "chronic_pain"


# --- 2. The outbox never blocks ----------------------------------------------------------


def test_2_what_the_server_would_refuse_is_asked_first_and_a_refused_change_is_fixed_or_discarded(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone()
    refused: list[str] = []
    page.on("response", lambda r: refused.append(f"{r.request.method} {r.url}") if r.status == 400 else None)
    sign_up(page, embedded, "no.plan@example.org")  # a newcomer has no plan yet
    today = date.fromisoformat(api(page, embedded, "/api/v1/me/today")["date"])

    # "Took my dose" with no plan and no amount: the app asks before anything is queued.
    pick(page, "Pain", "3")
    pick(page, "Headache", "None")
    page.get_by_role("button", name="Took my dose", exact=True).click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("How many mg did you take? There is no planned dose for this day.")).to_be_visible()
    expect(page.get_by_label("Amount (mg)")).to_be_focused()
    assert outbox_size(page) == 0
    page.get_by_label("Amount (mg)").fill("1.5")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    doses = eventually(lambda: api(page, embedded, "/api/v1/me/doses")["results"], lambda found: len(found) == 1)
    assert [d["mg"] for d in doses] == [1.5]
    assert refused == []  # nothing the app sent was refused

    # A change the app of before still holds: refused on its day, in words, Fix and Discard.
    yesterday, before = today - timedelta(days=1), today - timedelta(days=2)
    for day in (yesterday, before):
        page.evaluate(WEDGED_DOSE, [day.isoformat(), str(uuid.uuid4())])
    page.reload()
    expect(page.get_by_test_id("connection")).to_have_text("2 changes need your attention")
    other_days = page.get_by_test_id("refused-other-day")
    expect(other_days).to_have_count(2)
    expect(other_days.first).to_contain_text(f"Your dose of {day_name(before)} was not saved")
    other_days.filter(has_text=day_name(yesterday)).get_by_role("button", name="Open that day").click()
    card = page.get_by_test_id("refused")
    expect(card).to_contain_text(f"Your dose of {day_name(yesterday)} was not saved")
    expect(card).to_contain_text("Amount (mg): There is no planned dose on this date: say how many mg were taken.")
    axe_check(page, "Today: a change the server refused")
    card.get_by_role("button", name="Fix it").click()
    editor = page.get_by_test_id("dose-editor")
    editor.get_by_label("Amount (mg)").fill("1.5")
    editor.get_by_role("button", name="Save the dose").click()
    expect(page.get_by_test_id("refused")).to_have_count(0)
    expect(page.get_by_test_id("connection")).to_have_text("1 change needs your attention")

    page.get_by_test_id("refused-other-day").get_by_role("button", name="Open that day").click()
    page.get_by_test_id("refused").get_by_role("button", name="Discard the change").click()
    dialog = page.get_by_test_id("confirm")
    expect(dialog).to_contain_text(f"Discard the change of {day_name(before)}?")
    dialog.get_by_role("button", name="Discard", exact=True).click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    stored = eventually(lambda: api(page, embedded, "/api/v1/me/doses")["results"], lambda found: len(found) == 2)
    assert {d["date"]: d["mg"] for d in stored} == {today.isoformat(): 1.5, yesterday.isoformat(): 1.5}
    assert outbox_size(page) == 0

    # Signing out with a change only on this phone: warned, and the patient chooses.
    page.context.set_offline(True)
    pick(page, "Which day?", "Today")
    pick(page, "Pain", "6")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Saved on this phone. It will sync when you are online.")
    open_tab(page, "Me")
    page.get_by_role("button", name="Sign out").click()
    dialog = page.get_by_test_id("confirm")
    expect(dialog).to_contain_text("1 day has changes that are not on the server yet")
    expect(dialog).to_contain_text(day_name(today))
    axe_check(page, "Me: sign out with a change not synced")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(page.get_by_role("heading", level=1, name="Me")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_test_id("confirm").get_by_role("button", name="Sign out and lose them").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()


# --- 3. A logged dose can be corrected and deleted, and nothing is lost ----------------------


def test_3_a_dose_is_corrected_after_did_you_mean_changed_and_deleted_from_history(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone()
    sign_up(page, embedded, "dose.typo@example.org")
    pick(page, "Pain", "2")
    pick(page, "Headache", "None")
    page.get_by_role("button", name="Took my dose", exact=True).click()
    page.get_by_label("Amount (mg)").fill("15")  # meant 1.5
    page.get_by_role("button", name="Save", exact=True).click()
    question = page.get_by_test_id("did-you-mean")
    expect(question).to_contain_text("Did you mean 1.5 mg?")
    axe_check(page, "Today: Did you mean …?")
    question.get_by_role("button", name="Yes, 1.5 mg").click()
    expect(page.get_by_test_id("dose-logged")).to_have_text("Dose logged: 1.5 mg")
    [dose] = eventually(lambda: api(page, embedded, "/api/v1/me/doses")["results"], lambda found: len(found) == 1)
    assert dose["mg"] == 1.5

    page.get_by_role("button", name="Change the dose").click()
    page.get_by_test_id("dose-editor").get_by_label("Amount (mg)").fill("3")
    axe_check(page, "Today: changing the logged dose")
    page.get_by_role("button", name="Save the dose").click()
    expect(page.get_by_test_id("dose-logged")).to_have_text("Dose logged: 3.0 mg")
    eventually(lambda: api(page, embedded, f"/api/v1/me/doses/{dose['id']}"), lambda d: d["mg"] == 3.0)

    # From History: the day opens in Today, and the dose is deleted there.
    open_tab(page, "History")
    page.locator(f'button.calday[data-date="{dose["date"]}"]').click()
    page.get_by_role("button", name="Delete the dose").click()
    dialog = page.get_by_test_id("confirm")
    expect(dialog).to_contain_text("Delete the 3.0 mg dose logged today?")
    axe_check(page, "Today: delete the dose?")
    dialog.get_by_role("button", name="Delete the dose").click()
    expect(page.get_by_test_id("dose-logged")).to_have_count(0)
    expect(page.get_by_role("button", name="Took my dose", exact=True)).to_be_visible()  # the day can be logged again
    eventually(lambda: api(page, embedded, "/api/v1/me/doses")["results"], lambda found: found == [])
    history = api(page, embedded, f"/api/v1/me/doses/{dose['id']}/revisions")
    assert [(r["deleted"], r["snapshot"]["mg"]) for r in history] == [(True, "3.00"), (False, "1.50")]


# --- 4. Account basics ------------------------------------------------------------------


def test_4_a_forgotten_password_is_reset_with_an_e_mailed_code_in_our_words(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone()
    email = PROFILE["irregular"].email
    seen = len(mails_to(embedded.var, email))
    page.goto(embedded.url + "/")
    page.get_by_role("button", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    axe_check(page, "Forgot password: the address")
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="E-mail me a code").click()
    expect(page.get_by_test_id("code-sent-to")).to_contain_text(email)
    message = next_mail(embedded.var, email, seen)
    assert message["Subject"] == "Your code to reset your LDN Diary password"
    body = body_of(message)
    assert body.startswith(f"Hello {PROFILE['irregular'].name},")
    assert 'on the screen "Reset your password"' in body
    assert "Hello from" not in body
    axe_check(page, "Forgot password: the code and a new password")
    code = CODE.search(body)
    assert code
    page.get_by_label("Code from the e-mail").fill(code.group(1))
    page.get_by_label("New password").fill("a brand new passphrase")
    page.get_by_role("button", name="Set the new password and sign in").click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()


def test_4_the_code_screen_shows_the_address_and_a_mistyped_one_is_changed_there(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone()
    page.goto(embedded.url + "/")
    page.get_by_role("button", name="New here? Create an account").click()
    page.get_by_label("E-mail").fill("typo@exmaple.org")
    page.get_by_label("Password").fill("a long enough passphrase")
    pick(page, "What do you take LDN for?", "Migraine")
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_test_id("code-sent-to")).to_contain_text("typo@exmaple.org")
    expect(page.get_by_role("button", name=re.compile(r"^Send a new code \(in \d+ s\)$"))).to_be_disabled()
    page.get_by_role("button", name="Change the address").click()
    page.get_by_label("Your e-mail address").fill("typo@example.org")
    axe_check(page, "The code screen: changing the address")
    page.get_by_role("button", name="Send the code to this address").click()
    expect(page.get_by_role("status")).to_have_text("A code is on its way to typo@example.org.")
    expect(page.get_by_test_id("code-sent-to")).to_contain_text("typo@example.org")
    message = next_mail(embedded.var, "typo@example.org", 0)
    assert message["Subject"] == "Your code to confirm your e-mail for LDN Diary"
    assert message["To"] == "typo@example.org"
    code = CODE.search(body_of(message))
    assert code
    page.get_by_label("Code from the e-mail").fill(code.group(1))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    assert api(page, embedded, "/api/v1/whoami")["email"] == "typo@example.org"
    # and "Start again" leaves a pending code screen for the sign-in screen
    other = phone()
    other.goto(embedded.url + "/")
    other.get_by_role("button", name="New here? Create an account").click()
    other.get_by_label("E-mail").fill("changed.mind@example.org")
    other.get_by_label("Password").fill("a long enough passphrase")
    pick(other, "What do you take LDN for?", "Not sure: my clinician will set it")
    other.get_by_role("button", name="Create an account").click()
    other.get_by_role("button", name="Start again").click()
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()


# --- 5. What was typed survives a tab switch and a reload; tabs are history entries --------


def test_5_unsaved_answers_survive_a_tab_switch_back_and_a_reload(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone(PROFILE["dreams"].time_zone)
    demo_sign_in(page, embedded, "dreams")
    stored = chosen(page, "Pain").inner_text() if chosen(page, "Pain").count() else None
    new = "9" if stored != "9" else "8"
    pick(page, "Pain", new)
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    axe_check(page, "Today: unsaved changes kept")

    open_tab(page, "History")
    open_tab(page, "My trends")
    page.go_back()  # Back goes to the previous tab, not out of the app
    expect(page.get_by_role("heading", level=1, name="History")).to_be_visible()
    page.go_back()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(chosen(page, "Pain")).to_have_text(new)
    page.go_forward()
    expect(page.get_by_role("heading", level=1, name="History")).to_be_visible()
    page.go_back()

    page.reload()
    expect(page.get_by_role("heading", level=1, name="Today")).to_be_visible()
    expect(chosen(page, "Pain")).to_have_text(new)
    expect(page.get_by_test_id("draft-notice")).to_be_visible()
    page.get_by_role("button", name="Discard changes").click()
    expect(page.get_by_test_id("draft-notice")).to_have_count(0)
    if stored is None:
        expect(chosen(page, "Pain")).to_have_count(0)
    else:
        expect(chosen(page, "Pain")).to_have_text(stored)


# --- 6. The opioid warning is seen above the fixed Save bar ---------------------------------


def clear_of_the_bars(page: Page) -> dict[str, float]:
    """The warning's box against the Save bar's top and the screen's height."""
    box: dict[str, float] = page.evaluate(
        """() => {
            const w = document.querySelector('[data-testid="opioid-warning"]').getBoundingClientRect();
            const bar = document.querySelector('.savebar').getBoundingClientRect();
            return { top: w.top, bottom: w.bottom, bar: bar.top };
        }"""
    )
    return box


def test_6_the_opioid_warning_is_in_view_above_the_save_bar_when_chosen_and_after_save(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone(PROFILE["morning"].time_zone)
    demo_sign_in(page, embedded, "morning")
    pick(page, "Which day?", "Yesterday")  # the demo's today may be logged already; a day with no opioid
    pick(page, "Pain", "4")
    pick(page, "Headache", "Mild")
    page.get_by_role("button", name="More details").click()
    page.get_by_role("button", name="Add a medicine").click()
    page.get_by_label("Kind of medicine").last.select_option("opioid")
    warning = page.get_by_test_id("opioid-warning")
    expect(warning).to_be_visible()
    page.wait_for_timeout(300)  # the scroll into view
    box = clear_of_the_bars(page)
    assert box["top"] >= 0, box
    assert box["bottom"] <= box["bar"], box  # not under the fixed Save bar
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-confirmation")).to_contain_text("Please read the note about opioids above.")
    page.wait_for_timeout(300)
    box = clear_of_the_bars(page)
    assert box["top"] >= 0, box
    assert box["bottom"] <= box["bar"], box
    axe_check(page, "Today: saved with an opioid")


# --- 7. Push set-up never hangs on "Saving…" ---------------------------------------------

# A push service that never answers (no route to it, a stuck service worker).
SILENT_PUSH = """
PushManager.prototype.getSubscription = function () { return Promise.resolve(null); };
PushManager.prototype.subscribe = function () { return new Promise(() => {}); };
"""


def test_7_a_push_service_that_never_answers_ends_in_a_clear_message_and_e_mail_is_offered(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone(PROFILE["stopped"].time_zone)
    page.context.grant_permissions(["notifications"], origin=embedded.url)
    page.context.add_init_script(SILENT_PUSH)
    page.clock.install()
    demo_sign_in(page, embedded, "stopped")
    open_tab(page, "Me")
    dose = page.get_by_test_id("reminder-dose")
    dose.get_by_label("Remind me").check()
    dose.get_by_role("button", name="Save dose reminder").click()
    status = dose.get_by_test_id("reminder-dose-status")
    expect(status).to_have_text("Saving…")
    alert = dose.get_by_role("alert")
    for _ in range(10):  # each jump is longer than the app waits for an answer
        if alert.count():
            break
        page.clock.fast_forward(16_000)
        page.wait_for_timeout(300)
    expect(alert).to_contain_text("notification service did not answer")
    expect(status).not_to_have_text("Saving…")
    expect(dose.get_by_role("button", name="Save dose reminder")).to_be_enabled()
    axe_check(page, "Me: the push service did not answer")
    alert.get_by_role("button", name="Use e-mail instead").click()
    expect(status).to_contain_text("Saved. Next reminder:")
    reminder = next(r for r in api(page, embedded, "/api/v1/me/reminders") if r["kind"] == "dose")
    assert (reminder["enabled"], reminder["channels"]) == (True, ["email"])


# --- 8. Yesterday is one tap, and the questions name the day --------------------------------


def test_8_yesterday_is_one_tap_and_every_question_names_the_day(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone(PROFILE["partial"].time_zone)
    demo_sign_in(page, embedded, "partial")
    today = date.fromisoformat(api(page, embedded, "/api/v1/me/today")["date"])
    expect(page.get_by_role("radiogroup", name=re.compile(r"^Pain today \("))).to_be_visible()

    pick(page, "Which day?", "Yesterday")
    expect(page.get_by_role("heading", level=1)).to_have_text("Yesterday")
    expect(page.get_by_role("radiogroup", name=re.compile(r"^Pain yesterday \("))).to_be_visible()
    expect(page.get_by_role("radiogroup", name=re.compile(r"^Headache \(the worst yesterday\)"))).to_be_visible()
    expect(page.get_by_role("radiogroup", name=re.compile("today"))).to_have_count(0)
    axe_check(page, "Today: yesterday chosen")
    pick(page, "Pain", "5")
    pick(page, "Headache", "Moderate")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("save-confirmation")).to_have_text("✓ Saved. Yesterday is in your diary.")
    yesterday = (today - timedelta(days=1)).isoformat()
    entry = eventually(lambda: api(page, embedded, f"/api/v1/me/entries/{yesterday}"), lambda e: e["pain_score"] == 5)
    assert entry["headache"] == 2

    earlier = today - timedelta(days=4)
    pick(page, "Which day?", "Another day")
    page.get_by_label("Day", exact=True).fill(earlier.isoformat())
    expect(page.get_by_role("heading", level=1)).to_have_text(day_name(earlier))
    expect(page.get_by_role("radiogroup", name=re.compile(f"^Pain on {day_name(earlier)} \\("))).to_be_visible()
    page.go_back()  # each day chosen is a place in the app's history too
    expect(page.get_by_role("heading", level=1)).to_have_text("Yesterday")
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")


# --- 9. My trends answers "is LDN working for me?" ----------------------------------------

EVIDENCE = """
import json
from diary.models import PatientInsight
data = PatientInsight.objects.get(patient__user__email="{email}").data
print(json.dumps(data["verdict"]["evidence"]))
"""


def days_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def test_9_my_trends_compares_with_before_ldn_in_the_verdicts_numbers_over_the_whole_course(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone(PROFILE["responder"].time_zone)
    demo_sign_in(page, embedded, "responder")
    printed = embedded.manage("shell", "-c", EVIDENCE.format(email=PROFILE["responder"].email))
    evidence = json.loads(printed.splitlines()[-1])
    open_tab(page, "My trends")
    since = page.get_by_test_id("since-start")
    expect(since).to_contain_text("Since you started LDN")
    before, latest = evidence["baseline"]["headache_days_per_28"], evidence["window"]["headache_days_per_28"]
    expect(page.get_by_test_id("since-before")).to_have_text(f"{days_text(before)} headache days")
    expect(page.get_by_test_id("since-latest")).to_have_text(f"{days_text(latest)} headache days")
    pct = round(evidence["headache_days_reduction_pct"])
    expect(page.get_by_test_id("since-change")).to_have_text(f"{pct}% fewer headache days than before LDN.")

    # The whole course, with the dose on its own band and axis under the chart.
    pain = page.get_by_test_id("chart-pain")
    expect(pain.get_by_test_id("doseband-pain")).to_have_attribute("aria-label", "Dose (mg)")
    expect(pain.get_by_test_id("doseband-pain").locator("canvas")).to_have_count(1)
    pain.locator("summary").click()
    first_week = pain.locator("tbody th").first.get_attribute("data-date")
    assert first_week is not None
    assert first_week <= evidence["clock"]["first_dose"], first_week  # the weeks before LDN are there too
    axe_check(page, "My trends: since you started LDN, the whole course")

    # A patient whose clinician sees medication overuse reads it in plain words, never a flag.
    other = phone(PROFILE["nonresponder"].time_zone)
    demo_sign_in(other, embedded, "nonresponder")
    open_tab(other, "My trends")
    notice = other.get_by_test_id("notice-medicine_overuse")
    expect(notice).to_contain_text("can itself make headaches more frequent (medication-overuse headache)")
    expect(notice).to_contain_text("Please talk to your clinician about it soon.")
    text = other.locator("main").inner_text().lower()
    for word in ("overuse_risk", "probable_medication", "non_responder", "no adequate response", "responder"):
        assert word not in text, word
    axe_check(other, "My trends: a safety notice")


# --- 10. A day by keyboard, a clear save, words in the CSV, "not for a headache" -----------


def test_10_a_day_by_keyboard_a_clear_save_not_for_a_headache_and_a_csv_in_words(
    embedded: Embedded, phone: Callable[..., Page]
) -> None:
    page = phone()
    sign_up(page, embedded, "keys@example.org", condition="Migraine")
    page.locator("body").focus()
    presses = 0

    def press(key: str, times: int = 1) -> None:
        nonlocal presses
        for _ in range(times):
            page.keyboard.press(key)
            presses += 1

    press("Tab")  # Which day? (one stop: Today)
    press("Tab")  # Pain: one stop; the arrows choose
    press("ArrowRight", 3)
    press("Tab")  # Headache
    press("Space")  # None
    press("Tab")  # Sleep
    press("ArrowRight", 7)
    expect(chosen(page, "Pain")).to_have_text("3")
    expect(chosen(page, "Headache")).to_have_text("None")
    expect(chosen(page, "Sleep")).to_have_text("7")
    while page.evaluate("document.activeElement.textContent") != "Save":
        press("Tab")
        assert presses < 30, page.evaluate("document.activeElement.outerHTML")
    press("Enter")
    assert presses <= 20, presses  # was 58: one tab stop for each option
    confirmation = page.get_by_test_id("save-confirmation")
    expect(confirmation).to_have_text("✓ Saved. Today is in your diary.")
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    axe_check(page, "Today: saved, with the confirmation")
    today = api(page, embedded, "/api/v1/me/today")["date"]
    entry = api(page, embedded, f"/api/v1/me/entries/{today}")
    assert (entry["pain_score"], entry["headache"], entry["sleep_quality"]) == (3, 0, 7)

    # Ibuprofen for a bad back: not a headache medicine today.
    page.get_by_role("button", name="More details").click()
    page.get_by_role("button", name="Add a medicine").click()
    page.get_by_label("Name (optional)").fill("ibuprofen")
    group = page.get_by_role("radiogroup", name="Was it for a headache?")
    expect(group.get_by_role("radio", name="Yes")).to_have_attribute("aria-checked", "true")  # a migraine patient
    group.get_by_role("radio", name="No, for something else").click()
    axe_check(page, "Today: a medicine not for a headache")
    page.get_by_role("button", name="Save", exact=True).click()
    entry = eventually(lambda: api(page, embedded, f"/api/v1/me/entries/{today}"), lambda e: e["version"] == 2)
    [med] = entry["acute_medications"]
    assert (med["name"], med["for_headache"]) == ("ibuprofen", False)

    reply = page.request.get(embedded.url + "/api/v1/me/export?format=csv")
    rows = list(csv.DictReader(io.StringIO(reply.text().removeprefix("\ufeff"))))
    row = next(r for r in rows if r["date"] == today)
    assert row["headache"] == "none"
    assert row["acute_medications"] == "Paracetamol, aspirin or NSAID: ibuprofen (not for a headache)"
    assert "non_opioid_analgesic" not in reply.text()
