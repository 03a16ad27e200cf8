"""The local CodeSystem (diary/fhir/codes.py) covers every diary item and follows diary/choices.py."""

from __future__ import annotations

from pathlib import Path

from diary.fhir import codes
from diary.fhir.bundle import HEADACHE_DETAILS
from diary.services.entries import ENTRY_FIELDS, MEDICINE_FIELDS, SIDE_EFFECT_FIELDS


def test_every_diary_field_has_a_code() -> None:
    """A field added to the diary must be given a code (or the pain score's LOINC) here."""
    assert set(ENTRY_FIELDS) - {"pain_score"} == set(codes.DAY_ITEMS)
    assert set(HEADACHE_DETAILS) <= set(codes.DAY_ITEMS)
    # side effects: kind is the code, severity the value, the text the code's text
    assert set(SIDE_EFFECT_FIELDS) - {"kind", "severity", "other_text"} <= set(codes.PART_ITEMS)
    # medicines: class is the value, the name its text
    assert set(MEDICINE_FIELDS) - {"med_class", "name"} <= set(codes.PART_ITEMS)


def test_a_new_choice_is_a_new_concept(monkeypatch) -> None:
    """The answer lists are generated, not copied: a value added to a choice is a code."""
    from django.db import models

    import diary.fhir.codes as module

    class MoreKinds(models.TextChoices):
        VIVID_DREAMS = "vivid_dreams", "Vivid dreams"
        TINNITUS = "tinnitus", "Tinnitus"

    monkeypatch.setattr(module, "SideEffectKind", MoreKinds)
    side_effect = next(c for c in codes.concepts() if c.code == codes.SIDE_EFFECT)
    assert [c.code for c in side_effect.children] == ["side_effect.vivid_dreams", "side_effect.tinnitus"]


def test_docs_fhir_md_names_every_code() -> None:
    """docs/fhir.md lists the CodeSystem; a code added to the choices must be documented."""
    text = (Path(__file__).resolve().parents[3] / "docs" / "fhir.md").read_text()
    missing = []
    for code in codes.displays():
        parent, _, value = code.partition(".")
        if f"`{code}`" not in text and not (value and f"`.{value}`" in text and f"`{parent}." in text):
            missing.append(code)
    assert missing == []
