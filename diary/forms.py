"""Extra sign-up fields, accepted by allauth's headless signup endpoint.

Everyone who signs up through the app is a patient; clinicians are created by an
administrator (see README). The signup may carry the patient's time zone, primary
condition ("not_set": not sure, the clinician sets it) and an invitation code with
consent, so "sign up with my clinic's code" is one step.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import transaction

from diary.choices import Condition
from diary.dates import is_valid_time_zone
from diary.models import User
from diary.services.care import invitation_preview, invitation_redeem
from diary.services.errors import Conflict, InvalidInput
from diary.services.patients import patient_create


class PatientSignupForm(forms.Form):
    display_name = forms.CharField(max_length=120, required=False)
    time_zone = forms.CharField(max_length=64, required=False)
    # Not given (an older client, a script): not set, rather than a guess that would choose
    # the wrong verdict rule (CLINICAL.md §6).
    primary_condition = forms.ChoiceField(choices=Condition.choices, required=False)
    invitation_code = forms.CharField(max_length=32, required=False)
    consent = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # allauth's sign-up form (our subclass) declares the e-mail field with Django's
        # limit of 320 characters, then cuts the address to the column's length when it
        # stores it: a longer one would be saved and mailed to a broken address.
        email = self.fields.get("email")
        if email is not None:
            limit = User._meta.get_field("email").max_length
            assert limit is not None
            email.validators.append(MaxLengthValidator(limit))

    def clean_time_zone(self) -> str:
        tz: str = self.cleaned_data.get("time_zone") or ""
        if tz and not is_valid_time_zone(tz):
            raise forms.ValidationError(f"'{tz}' is not a known IANA time zone (e.g. Europe/Berlin).")
        return tz

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        code = cleaned.get("invitation_code")
        if code:
            try:
                invitation_preview(code)
            except InvalidInput as exc:
                self.add_error("invitation_code", exc.errors["code"][0])
            if not cleaned.get("consent"):
                self.add_error("consent", "Sharing your diary with the clinic needs your consent.")
        return cleaned

    def signup(self, request: Any, user: Any) -> None:
        data = self.cleaned_data
        with transaction.atomic():
            if data.get("display_name"):
                user.display_name = data["display_name"]
                user.save(update_fields=["display_name"])
            extra: dict[str, Any] = {"time_zone": data["time_zone"]} if data.get("time_zone") else {}
            if data.get("primary_condition"):
                extra["primary_condition"] = data["primary_condition"]
            patient = patient_create(user, **extra)
            if not data.get("primary_condition"):
                patient.primary_condition = Condition.NOT_SET
                patient.save(update_fields=["primary_condition"])
            if data.get("invitation_code"):
                # Used up by someone else between the check and now: the patient can
                # redeem another code from the app.
                with contextlib.suppress(InvalidInput, Conflict):
                    invitation_redeem(patient=patient, code=data["invitation_code"], consent=True)
