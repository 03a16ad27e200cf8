"""/api/v1/me/reminders, /me/push-subscriptions, /me/vapid-public-key and the unsubscribe link."""

from __future__ import annotations

import base64

import pytest
import time_machine
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from diary.models import PushSubscription, Reminder
from diary.services.reminders import unsubscribe_token

NOW = "2026-11-21T12:00:00+00:00"  # 13:00 in Berlin (alice)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser_subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc123") -> dict:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    raw = key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64(raw), "auth": b64(b"0123456789abcdef")},
    }


@pytest.fixture
def alice(cast):
    return cast.client("alice")


@time_machine.travel(NOW, tick=False)
def test_reminders_start_off_with_defaults_from_the_dose_time(cast, alice):
    response = alice.call("GET", "/api/v1/me/reminders")
    assert response.status_code == 200
    assert response.json_body == [
        {
            "kind": "dose",
            "enabled": False,
            "local_time": "21:30",
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "channels": ["push"],
            "text": "Time for your evening dose",
            "default_text": "Time for your evening dose",
            "show_dose": False,
            "next_fire_at": None,
            "snoozed_until": None,
        },
        {
            "kind": "diary",
            "enabled": False,
            "local_time": "20:00",
            "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
            "channels": ["push"],
            "text": "Time to fill in your diary",
            "default_text": "Time to fill in your diary",
            "show_dose": False,
            "next_fire_at": None,
            "snoozed_until": None,
        },
    ]


@time_machine.travel(NOW, tick=False)
def test_turning_a_reminder_on_schedules_it(cast, alice):
    body = {"enabled": True, "local_time": "22:15", "days": ["sat", "sun"], "channels": ["push", "email"]}
    response = alice.call("PATCH", "/api/v1/me/reminders/dose", body)
    assert response.status_code == 200, response.json_body
    assert response.json_body["next_fire_at"] == "2026-11-21T21:15:00Z"
    assert response.json_body["channels"] == ["push", "email"]
    off = alice.call("PATCH", "/api/v1/me/reminders/dose", {"enabled": False})
    assert off.json_body["next_fire_at"] is None
    text = alice.call("PATCH", "/api/v1/me/reminders/diary", {"text": "  Evening  check-in "})
    assert text.json_body["text"] == "Evening check-in"
    assert alice.call("PATCH", "/api/v1/me/reminders/diary", {"text": ""}).json_body["text"] == (
        "Time to fill in your diary"
    )


BAD = [
    ({"local_time": "25:00"}, "local_time"),
    ({"days": ["someday"]}, "days.0"),
    ({"channels": ["pigeon"]}, "channels.0"),
    ({"enabled": True, "channels": []}, "channels"),
    ({"enabled": True, "days": []}, "days"),
    ({"text": "x" * 81}, "text"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("body", "field"), BAD, ids=[f for _, f in BAD])
@time_machine.travel(NOW, tick=False)
def test_bad_reminder_input_is_a_clear_400_and_changes_nothing(cast, alice, body, field):
    response = alice.call("PATCH", "/api/v1/me/reminders/dose", body)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json_body["errors"], response.json_body
    assert not Reminder.objects.filter(enabled=True).exists()


def test_unknown_reminder_kind_is_404(cast, alice):
    assert alice.call("GET", "/api/v1/me/reminders/lunch").status_code == 404
    assert alice.call("POST", "/api/v1/me/reminders/lunch/snooze").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_snooze_without_a_sent_reminder_is_a_409(cast, alice):
    response = alice.call("POST", "/api/v1/me/reminders/dose/snooze")
    assert response.status_code == 409
    assert response.json_body["detail"] == "There is no reminder to snooze right now."


def test_subscribe_list_and_delete(cast, alice):
    sub = browser_subscription()
    created = alice.call("POST", "/api/v1/me/push-subscriptions", sub, HTTP_USER_AGENT="Firefox 150")
    assert created.status_code == 201, created.json_body
    again = alice.call("POST", "/api/v1/me/push-subscriptions", sub)
    assert again.status_code == 200
    assert again.json_body["id"] == created.json_body["id"]
    listed = alice.call("GET", "/api/v1/me/push-subscriptions").json_body
    assert [(s["endpoint"], s["user_agent"]) for s in listed] == [(sub["endpoint"], "Firefox 150")]
    # dora cannot see or remove it
    dora = cast.client("dora")
    assert dora.call("GET", "/api/v1/me/push-subscriptions").json_body == []
    assert dora.call("DELETE", f"/api/v1/me/push-subscriptions/{created.json_body['id']}").status_code == 404
    assert alice.call("DELETE", f"/api/v1/me/push-subscriptions/{created.json_body['id']}").status_code == 204
    assert not PushSubscription.objects.exists()


BAD_SUBSCRIPTIONS = [
    ({"endpoint": "not a url"}, "endpoint"),
    ({"endpoint": "ftp://push.example.org/x"}, "endpoint"),
    ({"keys": {"p256dh": "AAAA", "auth": "AAAA"}}, "keys.p256dh"),
    ({"keys": {"p256dh": b64(b"\x04" + b"\x01" * 64), "auth": b64(b"0123456789abcdef")}}, "keys.p256dh"),
    ({"keys": {"p256dh": "@@@", "auth": "AAAA"}}, "keys.p256dh"),
    ({"keys": {"p256dh": None}}, "keys.p256dh"),
    ({"keys": None}, "keys"),
    ({"endpoint": None}, "endpoint"),
    ({"extra": 1}, "extra"),
]


@pytest.mark.parametrize(
    ("change", "field"), BAD_SUBSCRIPTIONS, ids=[f"{f}-{i}" for i, (_, f) in enumerate(BAD_SUBSCRIPTIONS)]
)
def test_bad_subscriptions_are_a_clear_400(cast, alice, change, field):
    body = browser_subscription() | change
    response = alice.call("POST", "/api/v1/me/push-subscriptions", body)
    assert response.status_code == 400
    assert field in response.json_body["errors"], response.json_body
    assert not PushSubscription.objects.exists()


def test_production_accepts_only_https_push_services(cast, alice, settings):
    settings.PUSH_REQUIRE_HTTPS = True
    settings.PUSH_SERVICE_HOSTS = ["fcm.googleapis.com", "push.services.mozilla.com"]
    for endpoint in ("http://fcm.googleapis.com/fcm/send/x", "https://127.0.0.1/push/x", "https://evil.example/x"):
        response = alice.call("POST", "/api/v1/me/push-subscriptions", browser_subscription(endpoint))
        assert response.status_code == 400, endpoint
        assert "endpoint" in response.json_body["errors"]
    ok = "https://updates.push.services.mozilla.com/wpush/v2/abc"
    assert alice.call("POST", "/api/v1/me/push-subscriptions", browser_subscription(ok)).status_code == 201


def test_the_vapid_key_is_made_once_and_served(cast, alice):
    first = alice.call("GET", "/api/v1/me/vapid-public-key").json_body["public_key"]
    assert len(first) == 87
    assert base64.urlsafe_b64decode(first + "=")[0] == 4
    assert cast.client("dora").call("GET", "/api/v1/me/vapid-public-key").json_body["public_key"] == first


def test_a_configured_vapid_key_wins(cast, alice, settings):
    private = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    raw = private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert alice.call("GET", "/api/v1/me/vapid-public-key").json_body["public_key"] == b64(raw)


def test_unsubscribe_page_and_one_click(cast, api):
    alice = cast.client("alice")
    alice.call("PATCH", "/api/v1/me/reminders/diary", {"enabled": True, "channels": ["push", "email"]})
    reminder = Reminder.objects.get(patient=cast.alice, kind="diary")
    path = f"/api/v1/reminders/unsubscribe/{unsubscribe_token(reminder, cast.alice)}"

    page = api.get(path, HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    assert b'<form method="post"' in page.content
    assert api.call("GET", path).json_body == {"kind": "diary", "email": True}

    done = api.call("POST", path)
    assert done.json_body == {"kind": "diary", "email": False}
    assert api.call("POST", path).status_code == 200  # safe to repeat
    reminder.refresh_from_db()
    assert (reminder.email, reminder.push, reminder.enabled) == (False, True, True)
    assert b"no more e-mails" in api.get(path, HTTP_ACCEPT="text/html").content


def test_a_token_for_another_reminder_cannot_be_forged(cast, api):
    reminder = Reminder.objects.create(patient=cast.alice, kind="diary", local_time="20:00")
    token = unsubscribe_token(reminder, cast.alice)
    tampered = token.replace(token.split(":")[0], token.split(":")[0][:-2] + "xy")
    response = api.call("POST", f"/api/v1/reminders/unsubscribe/{tampered}")
    assert response.status_code == 400
    assert "token" in response.json_body["errors"]
