"""Questionnaires in the FHIR export (CLINICAL.md §10, §12): each instrument the patient
answered as a ``Questionnaire``, each response as a ``QuestionnaireResponse``.

- A ``Questionnaire`` per instrument, its canonical URL on the instance
  (``<site>/api/v1/fhir/Questionnaire/<instrument>``): MIDAS items 1–5, A and B (integers)
  and the total; HIT-6 six choice items and the total (no item wording: it is licensed, so
  the items say only their number); PGIC one choice item with its seven answers.
- A ``QuestionnaireResponse`` per stored response: ``questionnaire`` the canonical URL,
  ``authored`` the completed-on date (the patient's diary day), ``author`` the patient, or a
  display of the clinician who entered it; who entered it (patient, clinician, reported) in
  an extension; the answers, and the total as the item ``total``. A clinician's bare HIT-6
  total or a reported baseline has the total only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings

from diary.analysis import rules
from diary.choices import EnteredBy, Instrument
from diary.fhir import codes
from diary.models import QuestionnaireResponse
from diary.questionnaire_forms import MIDAS_A, MIDAS_B, MIDAS_QUESTIONS

Resource = dict[str, Any]


def canonical(instrument: str) -> str:
    return settings.SITE_URL.rstrip("/") + f"/api/v1/fhir/Questionnaire/{instrument}"


def entered_by_extension_url() -> str:
    """Who entered a response (an identifier: no StructureDefinition is served there)."""
    return settings.SITE_URL.rstrip("/") + "/api/v1/fhir/StructureDefinition/questionnaire-entered-by"


def _coding(system: str, code: str) -> dict[str, str]:
    return {"system": system, "code": code, "display": codes.displays()[code]}


def _total_item(text: str) -> dict[str, Any]:
    return {"linkId": "total", "text": text, "type": "integer", "readOnly": True, "required": False}


def questionnaire(instrument: str, system: str, rid: str) -> Resource:
    """The instrument's Questionnaire (R4)."""
    items: list[dict[str, Any]]
    if instrument == Instrument.MIDAS:
        items = [
            {"linkId": str(i), "text": text, "type": "integer", "required": True}
            for i, text in enumerate(MIDAS_QUESTIONS, start=1)
        ]
        items += [
            {"linkId": "A", "text": MIDAS_A, "type": "integer", "required": False},
            {"linkId": "B", "text": MIDAS_B, "type": "integer", "required": False},
            _total_item("MIDAS total: items 1 to 5 (grade I 0-5, II 6-10, III 11-20, IV 21 or more)"),
        ]
        title = "Migraine Disability Assessment (MIDAS)"
    elif instrument == Instrument.HIT6:
        options = [{"valueCoding": _coding(system, f"{codes.HIT6_ANSWER}.{a}")} for a in rules.HIT6_ANSWERS]
        items = [
            {
                "linkId": str(i),
                "text": f"HIT-6 item {i} (the licensed wording is the clinic's)",
                "type": "choice",
                "required": True,
                "answerOption": options,
            }
            for i in range(1, rules.HIT6_ITEMS + 1)
        ]
        items.append(_total_item("HIT-6 total, 36-78 (never 6, rarely 8, sometimes 10, very often 11, always 13)"))
        title = "Headache Impact Test (HIT-6)"
    else:
        items = [
            {
                "linkId": "pgic",
                "text": rules.PGIC_QUESTION,
                "type": "choice",
                "required": True,
                "answerOption": [
                    {"valueCoding": _coding(system, f"{codes.PGIC_ANSWER}.{n}")}
                    for n in range(rules.PGIC_MIN, rules.PGIC_MAX + 1)
                ],
            },
            _total_item("PGIC, 1 very much improved to 7 very much worse"),
        ]
        title = "Patient Global Impression of Change (PGIC)"
    return {
        "resourceType": "Questionnaire",
        "id": rid,
        "url": canonical(instrument),
        "name": instrument.upper().replace("-", ""),
        "title": title,
        "status": "active",
        "subjectType": ["Patient"],
        "item": items,
    }


def _integer(link: str, value: int) -> dict[str, Any]:
    return {"linkId": link, "answer": [{"valueInteger": value}]}


def response_items(response: QuestionnaireResponse, system: str) -> list[dict[str, Any]]:
    answers = response.answers or {}
    items: list[dict[str, Any]] = []
    if response.instrument == Instrument.MIDAS and answers.get("items"):
        items += [_integer(str(i), value) for i, value in enumerate(answers["items"], start=1)]
        items += [_integer(key.upper(), answers[key]) for key in ("a", "b") if answers.get(key) is not None]
    elif response.instrument == Instrument.HIT6 and answers.get("answers"):
        items += [
            {"linkId": str(i), "answer": [{"valueCoding": _coding(system, f"{codes.HIT6_ANSWER}.{a}")}]}
            for i, a in enumerate(answers["answers"], start=1)
        ]
    elif response.instrument == Instrument.PGIC and answers.get("answer") is not None:
        code = f"{codes.PGIC_ANSWER}.{answers['answer']}"
        items.append({"linkId": "pgic", "answer": [{"valueCoding": _coding(system, code)}]})
    items.append(_integer("total", response.total))
    return items


def questionnaire_response(
    response: QuestionnaireResponse, *, rid: str, system: str, patient_ref: dict[str, str]
) -> Resource:
    if response.entered_by == EnteredBy.PATIENT:
        author: dict[str, Any] = patient_ref
    else:
        user = response.entered_by_user
        name = (user.display_name or user.email) if user is not None else "a clinician"
        author = {"display": f"{name} (clinician)"}
    return {
        "resourceType": "QuestionnaireResponse",
        "id": rid,
        "extension": [{"url": entered_by_extension_url(), "valueCode": response.entered_by}],
        "questionnaire": canonical(response.instrument),
        "status": "completed",
        "subject": patient_ref,
        "authored": response.completed_on.isoformat(),
        "author": author,
        "item": response_items(response, system),
    }


def questionnaire_resources(
    responses: list[QuestionnaireResponse], *, ids: Any, system: str, patient_ref: dict[str, str]
) -> Iterator[Resource]:
    """The Questionnaires of the instruments answered, then every response (oldest first).
    ``ids(*parts)`` makes the stable id of a resource."""
    for instrument in Instrument.values:
        if any(r.instrument == instrument for r in responses):
            yield questionnaire(instrument, system, ids("Questionnaire", instrument))
    for response in responses:
        yield questionnaire_response(
            response, rid=ids("QuestionnaireResponse", response.public_id), system=system, patient_ref=patient_ref
        )
