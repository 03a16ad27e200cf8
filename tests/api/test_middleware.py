"""An unexpected error answers in the API's problem shape (api/middleware.py)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from api.middleware import MAX_JSON_DEPTH
from diary import selectors
from diary.models import DiaryEntry, DoseLog
from diary.models.dosing import STEPS_PER_PLAN_MAX

pytestmark = pytest.mark.django_db


def _boom(*args, **kwargs):
    raise RuntimeError("a bug")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_error_is_a_json_problem_not_an_html_page(cast, monkeypatch, settings, debug):
    settings.DEBUG = debug  # make run has DEBUG on: no technical page with a traceback either
    monkeypatch.setattr(selectors, "entry_on", _boom)
    client = Client(raise_request_exception=False)
    client.force_login(cast.alice.user)
    response = client.get("/api/v1/me/entries/2026-11-20")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 500
    assert body["type"] == "/api/v1/problems/server-error"
    assert "a bug" not in response.content.decode()  # nothing internal


def test_an_error_in_a_middleware_is_a_json_problem_too(cast, monkeypatch):
    from django.contrib.auth import middleware as auth_middleware

    monkeypatch.setattr(auth_middleware, "get_user", _boom)
    client = Client(raise_request_exception=False)
    client.force_login(cast.alice.user)
    response = client.get("/api/v1/me/profile")
    assert response.status_code == 500
    assert response.json()["type"] == "/api/v1/problems/server-error"


# --- bodies are checked before anything parses them (RequestBodyGuardMiddleware) --------

DEEP = "[" * 50_000  # within the size limit, far past the parser's recursion limit
ALLAUTH_JSON_WRITES = [
    "/_allauth/browser/v1/auth/login",
    "/_allauth/browser/v1/auth/signup",
    "/_allauth/browser/v1/auth/password/request",
    "/_allauth/app/v1/auth/login",
]


def assert_body_problem(response, status: int) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert list(body["errors"]) == ["body"]


@pytest.mark.parametrize("path", ALLAUTH_JSON_WRITES)
def test_deeply_nested_json_is_a_400_before_signing_in(path):
    client = Client(raise_request_exception=False)
    assert_body_problem(client.post(path, DEEP, content_type="application/json"), 400)
    # allauth parses any body as JSON, whatever its Content-Type says
    assert_body_problem(client.post(path, DEEP, content_type="text/plain"), 400)


def test_deeply_nested_json_is_a_400_on_api_writes_and_stores_nothing(cast, frozen):
    client = Client(raise_request_exception=False)
    client.force_login(cast.alice.user)
    assert_body_problem(client.put("/api/v1/me/entries/2026-11-20", DEEP, content_type="application/json"), 400)
    assert_body_problem(client.post("/api/v1/me/doses", DEEP, content_type="application/json"), 400)
    assert not DiaryEntry.objects.exists()
    assert not DoseLog.objects.exists()


def test_nesting_up_to_the_limit_reaches_the_view_and_brackets_in_strings_do_not_count(cast, frozen):
    api = cast.client("alice")
    inner = MAX_JSON_DEPTH - 1  # the body's object is the first level
    nested = json.loads("[" * inner + "]" * inner)
    at_limit = api.call("PUT", "/api/v1/me/entries/2026-11-20", {"pain_score": nested, "headache": 0})
    assert at_limit.status_code == 400
    assert list(at_limit.json_body["errors"]) == ["pain_score"]  # the serializer's answer, not the guard's
    deeper = api.call("PUT", "/api/v1/me/entries/2026-11-20", {"pain_score": [nested], "headache": 0})
    assert deeper.status_code == 400
    assert list(deeper.json_body["errors"]) == ["body"]

    note = "[{" * 900  # far more brackets than the limit, all inside a string
    saved = api.call("PUT", "/api/v1/me/entries/2026-11-20", {"pain_score": 3, "headache": 0, "note": note})
    assert saved.status_code == 201, saved.json_body
    assert DiaryEntry.objects.get().note == note


def test_a_plan_with_many_steps_is_not_mistaken_for_deep_nesting(cast, frozen):
    steps = [{"start_date": f"2026-12-{day:02d}", "mg": 1.5} for day in range(1, 32)]
    steps += [{"start_date": f"2027-01-{day:02d}", "mg": 3.0} for day in range(1, 30)]
    assert len(steps) == STEPS_PER_PLAN_MAX > MAX_JSON_DEPTH
    response = cast.client("bob").call("PUT", f"/api/v1/patients/{cast.alice.public_id}/plan", {"steps": steps})
    assert response.status_code == 201, response.json_body


def test_an_oversized_body_is_a_413_problem_and_stores_nothing(cast, frozen, settings):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = json.dumps({"pain_score": 3, "headache": 0, "note": "ok"}) + " " * limit  # valid JSON, too long
    client = Client(raise_request_exception=False)
    assert_body_problem(client.post("/_allauth/browser/v1/auth/login", body, content_type="application/json"), 413)
    client.force_login(cast.alice.user)
    response = client.put("/api/v1/me/entries/2026-11-20", body, content_type="application/json")
    assert_body_problem(response, 413)
    assert str(limit) in response.json()["detail"]
    assert not DiaryEntry.objects.exists()

    fits = body[:limit]
    assert client.put("/api/v1/me/entries/2026-11-20", fits, content_type="application/json").status_code == 201
