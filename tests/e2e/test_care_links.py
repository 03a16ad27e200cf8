"""Who can see my diary, in a real browser: stop sharing, add a clinic with a code while
signed in, and the clinic's invitation link (`/?invite=CODE`) signed in and signed out."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from diary.models import CareLink, Patient
from diary.services.care import invitation_create
from tests.conftest import Api
from tests.e2e.conftest import sign_in
from tests.factories import ClinicianFactory

pytestmark = pytest.mark.e2e


def open_me(page: Page) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="Me").click()
    expect(page.get_by_role("heading", name="Who can see my diary")).to_be_visible()


def test_stopping_sharing_ends_the_clinics_access_at_once(page: Page, live_server: Any, patient: Patient) -> None:
    link = CareLink.objects.select_related("clinic", "clinician__user").get(patient=patient)
    clinic = link.clinic.name
    as_clinician = Api().as_user(link.clinician.user)
    url = f"/api/v1/patients/{patient.public_id}/entries"
    assert as_clinician.call("GET", url).status_code == 200
    sign_in(page, live_server.url, "pat@example.org")
    open_me(page)
    item = page.get_by_test_id("care-link")
    expect(item).to_contain_text(clinic)
    expect(item).to_contain_text("Sharing since")

    page.get_by_role("button", name=f"Stop sharing with {clinic}").click()
    dialog = page.get_by_role("dialog", name=f"Stop sharing with {clinic}?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Stop sharing", exact=True).click()

    expect(page.get_by_role("status").filter(has_text="can no longer see")).to_have_text(
        f"{clinic} can no longer see your diary."
    )
    assert as_clinician.call("GET", url).status_code == 404
    assert as_clinician.call("GET", f"/api/v1/patients/{patient.public_id}").status_code == 404
    expect(page.get_by_text("No clinic can see your diary.")).to_be_visible()
    page.get_by_text("1 earlier clinic").click()
    expect(page.get_by_test_id("care-link-earlier")).to_contain_text("you stopped sharing on")


def test_cancelling_the_dialog_changes_nothing(page: Page, live_server: Any, patient: Patient) -> None:
    clinic = CareLink.objects.get(patient=patient).clinic.name
    sign_in(page, live_server.url, "pat@example.org")
    open_me(page)
    page.get_by_role("button", name=f"Stop sharing with {clinic}").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    assert CareLink.objects.get(patient=patient).status == "active"


def test_adding_a_clinic_with_a_code_while_signed_in(page: Page, live_server: Any, patient: Patient) -> None:
    other = ClinicianFactory.create(user__display_name="Dr Other")
    invitation = invitation_create(clinician=other)
    sign_in(page, live_server.url, "pat@example.org")
    open_me(page)

    page.get_by_role("button", name="Add a clinic").click()
    form = page.get_by_test_id("add-clinic")
    form.get_by_label("Invitation code from your clinic").fill("WRONG-CODE-0000")
    form.get_by_role("button", name="Check the code").click()
    expect(form.get_by_role("alert")).to_contain_text("not valid")
    form.get_by_label("Invitation code from your clinic").fill(invitation.code.lower())
    form.get_by_role("button", name="Check the code").click()
    expect(page.get_by_test_id("invite-preview")).to_have_text(
        f"{other.clinic.name} (Dr Other) invites you to share your diary."
    )
    form.get_by_role("button", name="Share my diary").click()
    expect(form.get_by_role("alert")).to_have_text("Sharing your diary with the clinic needs your consent.")
    assert CareLink.objects.filter(patient=patient).count() == 1
    form.get_by_label(f"I agree that {other.clinic.name}'s care team can see my diary").check()
    form.get_by_role("button", name="Share my diary").click()

    expect(page.get_by_role("status").filter(has_text="can now see")).to_have_text(
        f"{other.clinic.name} can now see your diary."
    )
    expect(page.get_by_test_id("care-link")).to_have_count(2)
    link = CareLink.objects.get(pk=invitation.link.pk)
    assert (link.patient_id, link.status) == (patient.pk, "active")
    assert Api().as_user(other.user).call("GET", f"/api/v1/patients/{patient.public_id}").status_code == 200


def test_an_invitation_link_opens_add_a_clinic_when_signed_in(page: Page, live_server: Any, patient: Patient) -> None:
    other = ClinicianFactory.create()
    invitation = invitation_create(clinician=other)
    sign_in(page, live_server.url, "pat@example.org")

    page.goto(f"{live_server.url}/?invite={invitation.code}")

    expect(page.get_by_role("heading", name="Me", exact=True)).to_be_visible()
    form = page.get_by_test_id("add-clinic")
    expect(form.get_by_label("Invitation code from your clinic")).to_have_value(invitation.code)
    expect(page.get_by_test_id("invite-preview")).to_contain_text(other.clinic.name)
    assert "invite" not in page.url
    assert CareLink.objects.get(pk=invitation.link.pk).status == "invited"  # nothing shared without consent


def test_an_invitation_link_prefills_sign_up_when_signed_out(page: Page, live_server: Any) -> None:
    invitation = invitation_create(clinician=ClinicianFactory.create())

    page.goto(f"{live_server.url}/?invite={invitation.code}")

    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    expect(page.get_by_label("Invitation code")).to_have_value(invitation.code)
    assert page.url.rstrip("/") == live_server.url.rstrip("/")
    page.reload()  # the code is not in the address any more
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
