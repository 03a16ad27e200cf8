"""The OpenAPI schema builds cleanly, documents every route, and the API keeps its
promises under generated input (schemathesis): no 500 for any input, and responses
that match the schema."""

from __future__ import annotations

import io
import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import URLPattern
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from api.urls import urlpatterns
from config.wsgi import application
from diary.services.care import invitation_create
from tests.factories import ClinicianFactory, PatientFactory, app_session_token, link


def test_schema_builds_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    schema = json.loads(out.getvalue())
    documented = set(schema["paths"])
    routes = {
        "/api/v1/" + str(p.pattern).replace("<str:", "{").replace(">", "}")
        for p in urlpatterns
        if isinstance(p, URLPattern) and p.name not in ("schema", "docs", "redoc")
    }
    assert routes == documented
    assert {"cookieAuth", "XSessionTokenAuth"} <= set(schema["components"]["securitySchemes"])


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
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


@pytest.mark.django_db
def test_allauths_cdn_spec_pages_are_not_served(api):
    for path in ("/_allauth/openapi.html", "/_allauth/openapi.json", "/_allauth/openapi.yaml"):
        assert api.get(path).status_code == 404, path
