"""An unexpected error answers in the API's problem shape (api/middleware.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from diary import selectors

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
