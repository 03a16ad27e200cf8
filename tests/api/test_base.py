"""Shared view plumbing (api/views/base.py): the patient of a clinician URL is checked
before any handler runs, and date ranges never overflow the calendar."""

from __future__ import annotations

import pytest
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response

from api.views.base import ClinicianPatientView
from config.urls import urlpatterns as app_urls

pytestmark = pytest.mark.django_db


class NewHandlerView(ClinicianPatientView):
    """A handler written later, which forgets to call get_patient()."""

    def get(self, request: Request, patient_id: str) -> Response:
        return Response({"secret": "patient data"})


# The app's routes plus the new handler's (pytest.mark.urls below).
urlpatterns = [path("api/v1/patients/<str:patient_id>/new-handler", NewHandlerView.as_view()), *app_urls]


def call_new_handler(cast, who: str, patient_id: str):
    return cast.client(who).call("GET", f"/api/v1/patients/{patient_id}/new-handler")


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("who", ["charlie", "dora", "alice"])
def test_a_handler_that_forgets_get_patient_still_answers_404_to_a_stranger(cast, who):
    response = call_new_handler(cast, who, str(cast.alice.public_id))
    assert response.status_code == 404
    assert "secret" not in response.content.decode()


@pytest.mark.urls(__name__)
def test_the_new_handler_answers_the_patients_clinician(cast):
    response = call_new_handler(cast, "bob", str(cast.alice.public_id))
    assert response.status_code == 200
    assert response.json_body == {"secret": "patient data"}


@pytest.mark.urls(__name__)
def test_an_unknown_patient_is_404_for_the_clinician_too(cast):
    response = call_new_handler(cast, "bob", str(cast.dora.public_id))
    assert response.status_code == 404


LIST_ENDPOINTS = [
    ("alice", "/api/v1/me/entries"),
    ("alice", "/api/v1/me/doses"),
    ("bob", "/api/v1/patients/{alice}/entries"),
    ("bob", "/api/v1/patients/{alice}/doses"),
]


@pytest.mark.parametrize(("who", "path"), LIST_ENDPOINTS)
def test_a_range_at_the_start_of_the_calendar_is_a_400_naming_the_field(cast, who, path):
    url = path.format(alice=cast.alice.public_id)
    response = cast.client(who).call("GET", f"{url}?to=0001-01-05")
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json_body["errors"]) == ["to"]


@pytest.mark.parametrize(("who", "path"), LIST_ENDPOINTS)
@pytest.mark.parametrize("query", ["from=0001-01-01&to=0001-01-05", "to=0001-01-28", "to=9999-12-31"])
def test_ranges_at_either_end_of_the_calendar_are_answered(cast, who, path, query):
    url = path.format(alice=cast.alice.public_id)
    response = cast.client(who).call("GET", f"{url}?{query}")
    assert response.status_code == 200, response.content
    assert response.json_body["results"] == []
