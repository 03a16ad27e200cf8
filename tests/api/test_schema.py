"""The OpenAPI schema builds cleanly, documents every route, and the API keeps its
promises under generated input (schemathesis): no 500 for any input, and responses
that match the schema."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import URLPattern
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.urls import urlpatterns
from config.wsgi import application
from diary.services.care import invitation_create
from tests.factories import ClinicianFactory, PatientFactory, app_session_token, link


def openapi() -> dict[str, Any]:
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    return dict(json.loads(out.getvalue()))


def test_schema_builds_without_warnings():
    schema = openapi()
    documented = set(schema["paths"])
    routes = {
        "/api/v1/" + str(p.pattern).replace("<str:", "{").replace(">", "}")
        for p in urlpatterns
        if isinstance(p, URLPattern) and p.name not in ("schema", "docs", "redoc")
    }
    assert routes == documented
    assert {"cookieAuth", "XSessionTokenAuth"} <= set(schema["components"]["securitySchemes"])


def test_every_operation_documents_the_errors_it_can_give_as_problems():
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    operations = {(path, method): op for path, ops in openapi()["paths"].items() for method, op in ops.items()}
    errors = {key: {int(code) for code in op["responses"] if int(code) >= 400} for key, op in operations.items()}
    for (path, method), op in operations.items():
        documented = errors[path, method]
        for code in documented:
            content = op["responses"][str(code)]["content"]
            assert content.get("application/problem+json") == problem["application/problem+json"], (path, method)
            assert set(content) == set(problem) | ({"text/html"} if "unsubscribe" in path else set())
            assert op["responses"][str(code)]["description"], (path, method, code)
        if op.get("requestBody"):
            assert {400, 413} <= documented, (path, method)
        if "{" in path:
            assert {400, 404} <= documented, (path, method)
        if {} not in op.get("security", [{}]):  # signed-in callers only
            assert {401, 403} <= documented, (path, method)
        else:
            assert not {401, 403} & documented, (path, method)
    # the answers only the view knows of
    assert 412 in errors["/api/v1/me/entries/{day}", "put"]
    conflicts = [
        ("/api/v1/me/doses", "post"),
        ("/api/v1/me/care-links", "post"),
        ("/api/v1/me/reminders/{kind}/snooze", "post"),
        ("/api/v1/patients/{patient_id}/plan/stop", "post"),
        ("/api/v1/flags/{flag_id}/acknowledge", "post"),
        ("/api/v1/flags/{flag_id}/resolve", "post"),
        ("/api/v1/patients/{patient_id}/flags/{flag_id}/acknowledge", "post"),
        ("/api/v1/patients/{patient_id}/flags/{flag_id}/resolve", "post"),
    ]
    assert {key for key, codes in errors.items() if 409 in codes} == set(conflicts)
    assert {key for key, codes in errors.items() if 429 in codes} == {
        ("/api/v1/me/account/delete", "post"),
        ("/api/v1/invitations/preview", "post"),
    }
    # nothing to get wrong, nothing to find: only the sign-in errors
    assert errors["/api/v1/me/profile", "get"] == {401, 403}


def test_the_schema_says_what_the_api_refuses():
    schema = openapi()
    # input serializers refuse unknown fields
    requests = {name: c for name, c in schema["components"]["schemas"].items() if name.endswith("Request")}
    assert requests
    assert all(c["additionalProperties"] is False for c in requests.values())
    # a malformed id or day is a 400 naming it: the schema says what a well-formed one is
    formats = {
        p["name"]: p["schema"].get("format") or p["schema"].get("enum")
        for ops in schema["paths"].values()
        for op in ops.values()
        for p in op.get("parameters", [])
        if p["in"] == "path"
    }
    assert formats == {
        "patient_id": "uuid",
        "dose_id": "uuid",
        "link_id": "uuid",
        "flag_id": "uuid",
        "subscription_id": "uuid",
        "day": "date",
        "kind": ["dose", "diary"],
        "token": None,
    }
    paged = schema["paths"]["/api/v1/patients"]["get"]["parameters"]
    assert {p["name"]: p["schema"]["minimum"] for p in paged} == {"page": 1, "page_size": 1}


@pytest.mark.django_db
def test_schema_and_docs_are_served_with_no_third_party_assets(api):
    assert api.get("/api/v1/schema/").status_code == 200
    docs = api.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "http://" not in html
    assert "https://" not in html.replace("https://swagger.io", "")


schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture
def tokens(db):
    """Session tokens for a linked patient and clinician, made by allauth's app login."""
    patient = PatientFactory.create(user__email="fuzz.patient@example.org")
    clinician = ClinicianFactory.create(user__email="fuzz.clinician@example.org")
    link(patient, clinician)
    invitation_create(clinician=clinician)

    tokens = {"patient": app_session_token(patient.user.email), "clinician": app_session_token(clinician.user.email)}
    # schemathesis calls the raw WSGI handler, whose signals would close the test's connection
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield tokens
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_fuzz(case, tokens):
    role = "clinician" if not case.path.startswith("/api/v1/me") else "patient"
    response = case.call(headers={"X-Session-Token": tokens[role]})
    case.validate_response(
        response,
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )


@pytest.mark.django_db
def test_allauths_cdn_spec_pages_are_not_served(api):
    for path in ("/_allauth/openapi.html", "/_allauth/openapi.json", "/_allauth/openapi.yaml"):
        assert api.get(path).status_code == 404, path
