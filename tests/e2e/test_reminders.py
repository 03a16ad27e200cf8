"""Reminders in a real browser: the settings on the Me page, the notification permission
asked for only when a push reminder is turned on, a reminder pushed by the real Celery task
through a loopback push service into the real service worker, and the outbox sent by a
Background Sync event with no page of the app open."""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import BrowserContext, CDPSession, Page, expect

from diary.models import DiaryEntry, DoseLog, Patient, PushSubscription, Reminder
from diary.services import reminders as service
from diary.tasks import reminders_dispatch
from tests.e2e.conftest import diary_day, sign_in
from tests.e2e.test_today import tap_typical_day
from tests.push_service import PushService

pytestmark = pytest.mark.e2e

DIARY_AND_QUESTIONNAIRE = "Time to fill in your diary. 2 minutes: how has LDN changed things for you?"

T = TypeVar("T")

# Counts the page's permission requests (and still asks the browser).
COUNT_PERMISSION_REQUESTS = """
(() => {
  window.__permissionRequests = 0;
  if (!window.Notification) return;
  const original = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args) => {
    window.__permissionRequests += 1;
    return original(...args);
  };
})();
"""

# The real pushManager.subscribe() would register with a public push service (FCM): it is
# replaced by one that makes what a browser makes, a P-256 ECDH key pair and a 16-byte auth
# secret (WebCrypto), with an endpoint at the loopback push service. The private key is
# kept for the test, which hands it to the push service so it can decrypt what arrives.
STUB_SUBSCRIBE = """
((endpoint) => {
  if (!self.PushManager) return;
  const b64url = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  let current = null;
  PushManager.prototype.subscribe = async function (options) {
    const pair = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const p256dh = await crypto.subtle.exportKey("raw", pair.publicKey);
    const auth = crypto.getRandomValues(new Uint8Array(16)).buffer;
    const keys = { p256dh: b64url(p256dh), auth: b64url(auth) };
    window.__testPush = {
      privateJwk: await crypto.subtle.exportKey("jwk", pair.privateKey),
      keys,
      applicationServerKey: b64url(options.applicationServerKey),
      userVisibleOnly: options.userVisibleOnly,
    };
    current = {
      endpoint,
      expirationTime: null,
      options,
      getKey: (name) => (name === "p256dh" ? p256dh : name === "auth" ? auth : null),
      toJSON: () => ({ endpoint, expirationTime: null, keys }),
      unsubscribe: async () => ((current = null), true),
    };
    return current;
  };
  PushManager.prototype.getSubscription = async function () {
    return current;
  };
})(%s);
"""

NOTIFICATIONS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  const shown = await registration.getNotifications();
  return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data, timestamp: n.timestamp }));
}"""


# In the service worker: its notificationclick handler, run with the notification shown
# (waitUntil throws for an untrusted event after the handler has started its work).
TAP_NOTIFICATION = """async (action) => {
  const [notification] = await self.registration.getNotifications();
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification, action }));
}"""


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def poll(page: Page, check: Callable[[], T | None], what: str, seconds: float = 10.0) -> T:
    """Wait for `check` to give something (page.wait_for_timeout lets the browser's events run)."""
    deadline = time.monotonic() + seconds
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        page.wait_for_timeout(100)


def registration_id(page: Page, cdp: CDPSession, scope: str) -> str:
    """The service worker registration's id, from CDP ServiceWorker events."""
    seen: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: seen.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    found = poll(
        page,
        lambda: next((r["registrationId"] for r in seen if r["scopeURL"] == scope and not r["isDeleted"]), None),
        "the service worker registration",
    )
    return str(found)


def open_me(page: Page) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="Me", exact=True).click()
    expect(page.get_by_role("heading", name="Me", level=1)).to_be_visible()


@pytest.fixture
def push(transactional_db: Any) -> Iterator[PushService]:
    _, public_key = service.vapid_keys()
    with PushService(expected_key=public_key) as running:
        yield running


def test_permission_is_asked_only_when_a_push_reminder_is_turned_on(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient
) -> None:
    context.add_init_script(COUNT_PERMISSION_REQUESTS)
    sign_in(page, live_server.url, "pat@example.org")
    open_me(page)

    dose, diary = page.get_by_test_id("reminder-dose"), page.get_by_test_id("reminder-diary")
    expect(dose.get_by_label("Remind me")).not_to_be_checked()
    expect(diary.get_by_label("Remind me")).not_to_be_checked()
    expect(diary.get_by_label("Time")).to_have_count(0)  # the details unfold when it is ticked on
    assert page.evaluate("window.__permissionRequests") == 0
    assert page.evaluate("Notification.permission") == "default"

    dose.get_by_label("Remind me").check()
    expect(dose.get_by_label("Time")).to_have_value("21:30")  # the patient's dose time: bedtime
    dose.get_by_label("Remind me").uncheck()
    diary.get_by_label("Remind me").check()
    expect(diary.get_by_label("Time")).to_have_value("20:00")
    expect(diary.get_by_label("Notification on this phone")).to_be_checked()
    diary.get_by_label("Time").fill("19:45")
    assert page.evaluate("window.__permissionRequests") == 0  # ticking alone asks nothing
    diary.get_by_role("button", name="Save diary reminder").click()

    # Not granted (nobody answers the prompt in a test): said plainly, e-mail offered.
    alert = diary.get_by_role("alert")
    expect(alert).to_contain_text("Notifications are turned off for this app")
    assert page.evaluate("window.__permissionRequests") == 1
    reminder = Reminder.objects.get(patient=patient, kind="diary")
    assert not reminder.enabled  # nothing saved with a channel that cannot work
    assert not PushSubscription.objects.filter(patient=patient).exists()

    alert.get_by_role("button", name="Use e-mail instead").click()
    expect(diary.get_by_test_id("reminder-diary-status")).to_contain_text("Saved. Next reminder:")
    expect(diary.get_by_label("E-mail")).to_be_checked()
    expect(diary.get_by_label("Notification on this phone")).not_to_be_checked()
    reminder.refresh_from_db()
    assert (reminder.enabled, reminder.push, reminder.email, reminder.local_time.isoformat()) == (
        True,
        False,
        True,
        "19:45:00",
    )
    assert page.evaluate("window.__permissionRequests") == 1

    # A field error from the API is shown at its field, and nothing changes.
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
        diary.get_by_role("button", name=day, exact=True).click()
    diary.get_by_role("button", name="Save diary reminder").click()
    expect(diary.get_by_text("Choose at least one day, or turn the reminder off.")).to_be_visible()
    expect(diary.get_by_test_id("reminder-diary-status")).to_have_text("Please check the highlighted fields.")
    reminder.refresh_from_db()
    assert reminder.days == 0b1111111


def test_without_the_push_api_the_app_says_so_and_offers_email(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient
) -> None:
    context.add_init_script(COUNT_PERMISSION_REQUESTS)
    context.add_init_script("delete window.PushManager;")  # a browser without the Push API
    sign_in(page, live_server.url, "pat@example.org")
    open_me(page)
    dose = page.get_by_test_id("reminder-dose")
    dose.get_by_label("Remind me").check()
    dose.get_by_role("button", name="Save dose reminder").click()
    expect(dose.get_by_role("alert")).to_contain_text("This browser cannot show notifications from the app.")
    assert page.evaluate("window.__permissionRequests") == 0
    assert not Reminder.objects.get(patient=patient, kind="dose").enabled

    dose.get_by_role("button", name="Use e-mail instead").click()
    expect(dose.get_by_test_id("reminder-dose-status")).to_contain_text("Saved. Next reminder:")
    reminder = Reminder.objects.get(patient=patient, kind="dose")
    assert (reminder.enabled, reminder.push, reminder.email) == (True, False, True)


def test_a_reminder_pushed_by_the_celery_task_is_shown_by_the_service_worker(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient, push: PushService
) -> None:
    endpoint = f"{push.origin}/push/browser-{secrets.token_hex(6)}"
    context.add_init_script(COUNT_PERMISSION_REQUESTS)
    context.add_init_script(STUB_SUBSCRIBE % json.dumps(endpoint))
    context.grant_permissions(["notifications"], origin=live_server.url)
    sign_in(page, live_server.url, "pat@example.org")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()  # the service worker controls the page
    open_me(page)

    diary = page.get_by_test_id("reminder-diary")
    diary.get_by_label("Remind me").check()
    diary.get_by_role("button", name="Save diary reminder").click()
    expect(diary.get_by_test_id("reminder-diary-status")).to_contain_text("Saved. Next reminder:")

    # The app subscribed with the server's VAPID key and registered the subscription.
    made = page.evaluate("window.__testPush")
    assert made["applicationServerKey"] == service.vapid_keys()[1]
    assert made["userVisibleOnly"] is True
    sub = PushSubscription.objects.get(patient=patient)
    assert (sub.endpoint, sub.p256dh, sub.auth) == (endpoint, made["keys"]["p256dh"], made["keys"]["auth"])
    private = ec.derive_private_key(int.from_bytes(unb64url(made["privateJwk"]["d"]), "big"), ec.SECP256R1())
    push.add_subscriber(endpoint, private, unb64url(made["keys"]["auth"]))

    # The real task, at the moment the reminder is due: the push service checks the VAPID
    # signature and decrypts the body with the browser's private key.
    reminder = Reminder.objects.get(patient=patient, kind="diary")
    assert (reminder.enabled, reminder.push, reminder.email) == (True, True, False)
    assert reminder.next_fire_at is not None
    with time_machine.travel(reminder.next_fire_at + timedelta(seconds=5), tick=False):
        report = reminders_dispatch.apply().get()
    assert report["sent"] == 1, report
    (got,) = push.received
    assert got.error is None, got.error
    assert got.path == endpoint.removeprefix(push.origin)
    payload = json.loads(got.text or "")
    # this patient has a plan and no dose yet: the MIDAS baseline is due, and the diary
    # reminder asks for it too (CLINICAL.md §12.9)
    assert payload["title"] == DIARY_AND_QUESTIONNAIRE

    # Into the service worker, as the browser's push service would deliver it.
    cdp = context.new_cdp_session(page)
    sw_id = registration_id(page, cdp, live_server.url + "/")
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": sw_id, "data": got.text},
    )
    shown = poll(page, lambda: page.evaluate(NOTIFICATIONS), "the notification")
    first_shown_at = shown[0].pop("timestamp")
    assert shown == [
        {
            "title": DIARY_AND_QUESTIONNAIRE,
            "body": "Open your diary to log today.",
            "tag": payload["tag"],
            "data": {
                "kind": "diary",
                "date": payload["date"],
                "snooze": "/api/v1/me/reminders/diary/snooze",
                "url": "/?tab=today",
            },
        }
    ]
    assert page.evaluate("window.__permissionRequests") == 0  # granted beforehand: no prompt needed

    # The same push again (a repeat) replaces the notification, never doubles it.
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": sw_id, "data": got.text},
    )
    again = poll(
        page,
        lambda: [n for n in page.evaluate(NOTIFICATIONS) if n["timestamp"] != first_shown_at],
        "the repeated notification",
    )
    assert len(again) == 1
    assert len(page.evaluate(NOTIFICATIONS)) == 1

    # A tap, through the service worker's own handler. (CDP cannot click a notification;
    # this is the handler run with the shown notification, as the tap would run it. A
    # synthetic event has no user activation, so only the open-app path can run here:
    # the app switches to Today in place, without a reload.)
    (worker,) = context.service_workers
    page.evaluate("window.__sameDocument = true")
    expect(page.get_by_role("heading", name="Me", level=1)).to_be_visible()
    worker.evaluate(TAP_NOTIFICATION, "")
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    assert page.evaluate("window.__sameDocument") is True
    poll(page, lambda: page.evaluate(NOTIFICATIONS) == [], "the tap to close the notification")

    # "Remind me in 30 minutes" (the notification's action) reaches the server.
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": sw_id, "data": got.text},
    )
    poll(page, lambda: page.evaluate(NOTIFICATIONS), "the notification again")
    worker.evaluate(TAP_NOTIFICATION, "snooze")
    poll(page, lambda: Reminder.objects.get(pk=reminder.pk).snoozed_until, "the snooze on the server")

    # Without an open app the tap opens this address, which the app turns into Today.
    page.goto(live_server.url + "/?tab=me")
    expect(page.get_by_role("heading", name="Me", level=1)).to_be_visible()
    page.goto(live_server.url + shown[0]["data"]["url"])
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect(page).to_have_url(live_server.url + "/")  # the app replaces the address after its first render


def test_a_phone_stops_receiving_pushes_when_push_is_turned_off_and_when_signed_out(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient, push: PushService
) -> None:
    endpoint = f"{push.origin}/push/browser-{secrets.token_hex(6)}"
    context.add_init_script(STUB_SUBSCRIBE % json.dumps(endpoint))
    context.grant_permissions(["notifications"], origin=live_server.url)
    subscription = (
        "async () => (await (await navigator.serviceWorker.getRegistration())"
        ".pushManager.getSubscription())?.endpoint ?? null"
    )

    def push_on() -> None:
        diary = page.get_by_test_id("reminder-diary")
        diary.get_by_label("Remind me").check()
        diary.get_by_label("Notification on this phone").check()
        diary.get_by_role("button", name="Save diary reminder").click()
        expect(diary.get_by_test_id("reminder-diary-status")).to_contain_text("Saved. Next reminder:")
        assert list(PushSubscription.objects.filter(patient=patient).values_list("endpoint", flat=True)) == [endpoint]
        assert page.evaluate(subscription) == endpoint

    sign_in(page, live_server.url, "pat@example.org")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()  # the service worker controls the page
    open_me(page)
    push_on()

    # Push off (e-mail instead): no reminder pushes any more, so the phone is forgotten.
    diary = page.get_by_test_id("reminder-diary")
    diary.get_by_label("E-mail").check()
    diary.get_by_label("Notification on this phone").uncheck()
    diary.get_by_role("button", name="Save diary reminder").click()
    expect(diary.get_by_test_id("reminder-diary-status")).to_contain_text("Saved. Next reminder:")
    poll(page, lambda: not PushSubscription.objects.filter(patient=patient).exists(), "the server to forget the phone")
    assert page.evaluate(subscription) is None

    # On again, then signing out forgets the phone too.
    push_on()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    assert not PushSubscription.objects.filter(patient=patient).exists()
    assert page.evaluate(subscription) is None
    reminder = Reminder.objects.get(patient=patient, kind="diary")
    assert (reminder.enabled, reminder.push) == (True, True)  # the account's settings are kept


def test_background_sync_sends_the_outbox_with_no_app_page_open(
    page: Page, context: BrowserContext, live_server: Any, patient: Patient
) -> None:
    sign_in(page, live_server.url, "pat@example.org")
    expect(page.get_by_test_id("offline-ready")).to_be_visible()

    context.set_offline(True)
    tap_typical_day(page)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("day-status")).to_have_text("Saved on this phone. It will sync when you are online.")
    tags = page.evaluate("async () => (await navigator.serviceWorker.ready).sync.getTags()")
    assert "ldn-outbox" in tags  # the app asked for a Background Sync
    open_me(page)
    expect(page.get_by_text("Reminder settings need a connection.")).to_be_visible()
    assert not DiaryEntry.objects.filter(patient=patient).exists()

    # Leave the app (no page of it runs to replay the outbox), then the connection returns
    # and the browser fires the sync event in the service worker.
    page.goto("about:blank")
    context.set_offline(False)
    cdp = context.new_cdp_session(page)
    sw_id = registration_id(page, cdp, live_server.url + "/")
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": live_server.url, "registrationId": sw_id, "tag": "ldn-outbox", "lastChance": False},
    )
    entry = poll(page, lambda: DiaryEntry.objects.filter(patient=patient).first(), "the entry on the server")
    assert (entry.date, entry.pain_score, entry.headache, entry.sleep_quality, entry.version) == (
        diary_day(patient),
        3,
        0,
        7,
        1,
    )
    dose = poll(page, lambda: DoseLog.objects.filter(patient=patient).first(), "the dose on the server")
    assert (dose.date, dose.mg) == (diary_day(patient), Decimal("1.5"))

    page.goto(live_server.url + "/")
    expect(page.get_by_test_id("connection")).to_have_text("Everything is synced")
    expect(page.get_by_test_id("day-status")).to_have_text("Synced")
    assert DiaryEntry.objects.filter(patient=patient).count() == 1
    assert DoseLog.objects.filter(patient=patient).count() == 1
