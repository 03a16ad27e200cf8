"""Deleting a patient's account and every piece of their health data (issue 5 item 8).

What is removed, in one transaction: the user (and allauth's e-mail addresses and
authenticators), the patient profile, diary entries with side effects, medicines and
revisions, dose logs, plans and steps, the reported baseline, questionnaire responses,
insights, verdicts, flags,
reminders with their delivery ledger, push subscriptions, care links (so every clinic
loses access with the commit), and the database-level history (pghistory event rows and
the request contexts of the patient's own requests), which is health data too.

What remains: `AuditEvent` rows. They are append-only by design (a trigger refuses
DELETE) and hold no health data: who (a user id), did what (an action name such as
`patients.entries`), to which patient (an internal id that no longer resolves to
anyone), when, and from where. See docs/architecture.md "Privacy".
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from pghistory.models import Context

from diary.models import (
    AcuteMedication,
    AuditEvent,
    CareLink,
    DiaryEntry,
    DoseLog,
    DosePlan,
    DoseStep,
    Patient,
    QuestionnaireResponse,
    ReportedBaseline,
    SideEffect,
    User,
)
from diary.services.errors import InvalidInput


def history_of(model: type[Any]) -> Any:
    """pghistory's event model for a @tracked model."""
    return model.pgh_event_model


def _ever(model: type[Any], patient_id: int) -> set[int]:
    """Ids of rows the patient has or ever had (the history knows the deleted ones)."""
    ids = set(model.objects.filter(patient_id=patient_id).values_list("pk", flat=True))
    ids.update(history_of(model).objects.filter(patient_id=patient_id).values_list("pgh_obj_id", flat=True))
    return ids


def _history_delete(patient_id: int, user_id: int, entry_ids: set[int], plan_ids: set[int], link_ids: set[int]) -> None:
    for model in (DiaryEntry, DoseLog, DosePlan, ReportedBaseline, QuestionnaireResponse):
        history_of(model).objects.filter(patient_id=patient_id).delete()
    history_of(SideEffect).objects.filter(entry_id__in=entry_ids).delete()
    history_of(AcuteMedication).objects.filter(entry_id__in=entry_ids).delete()
    history_of(DoseStep).objects.filter(plan_id__in=plan_ids).delete()
    history_of(CareLink).objects.filter(pgh_obj_id__in=link_ids).delete()
    history_of(Patient).objects.filter(pgh_obj_id=patient_id).delete()
    # The contexts of the patient's own requests (user id and URL, such as the dates of
    # the diary days they saved). Contexts of other people's requests stay.
    Context.objects.filter(metadata__user=user_id).delete()


def check_deletion_request(user: User, *, password: str, confirmation: str) -> None:
    errors: dict[str, str] = {}
    if confirmation.strip().lower() != user.email.lower():
        errors["confirmation"] = "Type your e-mail address exactly to confirm."
    if not user.check_password(password):
        errors["password"] = "That is not your password. Nothing was deleted."  # noqa: S105 (a message)
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def patient_account_delete(*, user: User, password: str, confirmation: str) -> None:
    """Delete the patient's account and all their health data, or nothing (400).

    `confirmation` is the account's e-mail address, typed again.
    """
    check_deletion_request(user, password=password, confirmation=confirmation)
    # The patient row lock serialises this with the patient's diary writes (they take it first).
    patient = Patient.objects.select_for_update().get(user=user)
    patient_id, user_id = patient.pk, user.pk
    entry_ids = _ever(DiaryEntry, patient_id)
    plan_ids = _ever(DosePlan, patient_id)
    link_ids = _ever(CareLink, patient_id)
    # Cascades (ORM) to the profile and every table hanging from it.
    User.objects.filter(pk=user_id).delete()
    # The DELETE triggers have just copied every deleted row into the history: remove those too.
    _history_delete(patient_id, user_id, entry_ids, plan_ids, link_ids)
    AuditEvent.objects.create(
        actor_id=user_id, action="me.account_delete", patient_id=patient_id, object_type="patient"
    )
