"""Invitation → consent → revocation (DESIGN.md §3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from diary.models import CareLink
from diary.services.care import code_hash, invitation_create, invitations_expire
from diary.tasks import care_links_expire

pytestmark = pytest.mark.usefixtures("frozen")


def create(cast, who="charlie"):
    response = cast.client(who).call("POST", "/api/v1/invitations", {"note": "J.D."})
    assert response.status_code == 201
    return response.json_body


def test_invitation_is_stored_hashed_and_shown_once(cast):
    invitation = create(cast)
    link = CareLink.objects.get(public_id=invitation["id"])
    assert link.code_hash == code_hash(invitation["code"])
    assert invitation["code"].replace("-", "") not in str(CareLink.objects.values().get(pk=link.pk))
    listed = cast.client("charlie").call("GET", "/api/v1/invitations").json_body["results"]
    assert listed[0]["code"] is None
    assert (listed[0]["status"], listed[0]["invitee_note"]) == ("invited", "J.D.")


def test_preview_then_redeem_with_consent(cast):
    invitation = create(cast)
    dora = cast.client("dora")
    preview = dora.call("POST", "/api/v1/me/care-links/preview", {"code": invitation["code"]})
    assert preview.status_code == 200
    assert preview.json_body["clinic"] == cast.charlie.clinic.name
    assert CareLink.objects.get(public_id=invitation["id"]).status == "invited"  # not used up

    no_consent = dora.call("POST", "/api/v1/me/care-links", {"code": invitation["code"], "consent": False})
    assert no_consent.status_code == 400
    assert "consent" in no_consent.json_body["errors"]

    redeemed = dora.call("POST", "/api/v1/me/care-links", {"code": invitation["code"], "consent": True})
    assert redeemed.status_code == 201
    assert redeemed.json_body["status"] == "active"
    ids = [p["id"] for p in cast.client("charlie").call("GET", "/api/v1/patients").json_body["results"]]
    assert ids == [str(cast.dora.public_id)]


def test_a_code_is_single_use(cast):
    invitation = create(cast)
    assert (
        cast.client("dora")
        .call("POST", "/api/v1/me/care-links", {"code": invitation["code"], "consent": True})
        .status_code
        == 201
    )
    again = cast.client("alice").call("POST", "/api/v1/me/care-links", {"code": invitation["code"], "consent": True})
    assert again.status_code == 400
    assert "code" in again.json_body["errors"]
    assert CareLink.objects.filter(patient=cast.alice, clinic=cast.charlie.clinic).count() == 0


def test_an_expired_code_is_refused(cast, frozen):
    invitation = create(cast)
    frozen.shift(timedelta(days=14, seconds=1))
    expired = cast.client("dora").call("POST", "/api/v1/me/care-links", {"code": invitation["code"], "consent": True})
    assert expired.status_code == 400
    assert "expired" in expired.json_body["errors"]["code"][0]


def test_a_withdrawn_invitation_is_refused(cast):
    invitation = create(cast)
    withdrawn = cast.client("charlie").call("POST", f"/api/v1/invitations/{invitation['id']}/revoke")
    assert withdrawn.json_body["status"] == "revoked"
    refused = cast.client("dora").call("POST", "/api/v1/me/care-links", {"code": invitation["code"], "consent": True})
    assert refused.status_code == 400


def test_already_linked_to_the_clinic_is_a_conflict(cast):
    invitation = create(cast, "bob")  # alice already shares with bob's clinic
    response = cast.client("alice").call("POST", "/api/v1/me/care-links", {"code": invitation["code"], "consent": True})
    assert response.status_code == 409
    assert CareLink.objects.get(public_id=invitation["id"]).status == "invited"


@pytest.mark.parametrize("code", ["", "   ", "x" * 40])
def test_malformed_codes(cast, code):
    response = cast.client("dora").call("POST", "/api/v1/me/care-links", {"code": code, "consent": True})
    assert response.status_code == 400
    assert "code" in response.json_body["errors"]


def test_relinking_after_revocation(cast):
    link = cast.alice.care_links.get()
    cast.client("alice").call("POST", f"/api/v1/me/care-links/{link.public_id}/revoke")
    invitation = create(cast, "bob")
    again = cast.client("alice").call("POST", "/api/v1/me/care-links", {"code": invitation["code"], "consent": True})
    assert again.status_code == 201
    assert cast.client("bob").call("GET", f"/api/v1/patients/{cast.alice.public_id}").status_code == 200


def test_expiry_job_is_idempotent(cast, frozen):
    fresh = invitation_create(clinician=cast.bob)
    old = invitation_create(clinician=cast.bob, now=timezone.now() - timedelta(days=15))
    assert care_links_expire() == 1
    assert invitations_expire() == 0
    assert CareLink.objects.get(pk=old.link.pk).status == "expired"
    assert CareLink.objects.get(pk=fresh.link.pk).status == "invited"
