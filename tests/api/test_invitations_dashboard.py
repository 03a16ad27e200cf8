"""Invitations for the dashboard: the create answer carries a link and a QR code of it, and
the list filters by status (pending, active, revoked, expired)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlparse
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from diary.models import CareLink
from diary.services.care import care_link_revoke, invitation_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_create_answers_the_code_as_a_link_and_an_accessible_qr_code(cast):
    response = cast.client("bob").call("POST", "/api/v1/invitations", {"note": "AB"})
    assert response.status_code == 201
    body = response.json_body
    url = urlparse(body["invite_url"])
    assert (url.scheme, url.netloc, url.path) == ("http", "testserver", "/")
    assert parse_qs(url.query) == {"invite": [body["code"]]}
    svg = ElementTree.fromstring(body["qr_svg"])  # noqa: S314 - our own output
    assert svg.tag == "svg"
    assert svg.get("role") == "img"
    title = svg.find("title")
    assert title is not None
    assert title.text
    assert any(element.tag == "path" for element in svg.iter())
    # the code works: a new patient can preview it
    preview = cast.client("dora").call("POST", "/api/v1/me/care-links/preview", {"code": body["code"]})
    assert preview.status_code == 200
    # the list never shows the code (or its QR) again
    listed = cast.client("bob").call("GET", "/api/v1/invitations").json_body["results"]
    assert all(link["code"] is None and "qr_svg" not in link for link in listed)


def test_the_list_filters_by_status(cast):
    bob = cast.bob
    pending = invitation_create(clinician=bob).link
    lapsed = invitation_create(clinician=bob).link
    CareLink.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    revoked = care_link_revoke(link=invitation_create(clinician=bob).link, by="clinician")
    active = cast.alice.care_links.get()
    invitation_create(clinician=cast.charlie)  # another clinic's

    def listed(query: str = "") -> dict[str, str]:
        response = cast.client("bob").call("GET", f"/api/v1/invitations{query}")
        assert response.status_code == 200, response.json_body
        return {link["id"]: link["status"] for link in response.json_body["results"]}

    everything = listed()
    assert everything == {
        str(pending.public_id): "invited",
        str(lapsed.public_id): "expired",  # past its expiry, before the hourly task marks it
        str(revoked.public_id): "revoked",
        str(active.public_id): "active",
    }
    assert listed("?status=invited") == listed("?status=pending") == {str(pending.public_id): "invited"}
    assert listed("?status=expired") == {str(lapsed.public_id): "expired"}
    assert listed("?status=active,revoked") == {str(active.public_id): "active", str(revoked.public_id): "revoked"}

    bad = cast.client("bob").call("GET", "/api/v1/invitations?status=lost")
    assert bad.status_code == 400
    assert list(bad.json_body["errors"]) == ["status"]
