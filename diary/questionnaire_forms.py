"""The wording of the questionnaires the app shows (CLINICAL.md §9, §12.1).

MIDAS and PGIC ship with the product; HIT-6's item wording is licensed, so a clinic
enters its own (``Hit6Wording``) and the patient app offers HIT-6 only then.
"""

from __future__ import annotations

from typing import Any

from diary.analysis import rules

MIDAS_QUESTIONS = (
    "On how many days in the last 3 months did you miss work or school because of your headaches?",
    "How many days in the last 3 months was your productivity at work or school reduced by half or more because "
    "of your headaches? (Do not count the days you missed work or school.)",
    "On how many days in the last 3 months did you not do household work because of your headaches?",
    "How many days in the last 3 months was your productivity in household work reduced by half or more because "
    "of your headaches? (Do not count the days you did no household work.)",
    "On how many days in the last 3 months did you miss family, social or leisure activities because of your "
    "headaches?",
)
MIDAS_A = (
    "On how many days in the last 3 months did you have a headache? "
    "(If a headache lasted more than 1 day, count each day.)"
)
MIDAS_B = (
    "On a scale of 0 to 10, on average how painful were these headaches? "
    "(0 = no pain at all, 10 = pain as bad as it can be.)"
)
PGIC_ANSWERS = (
    "Very much improved",
    "Much improved",
    "Minimally improved",
    "No change",
    "Minimally worse",
    "Much worse",
    "Very much worse",
)
HIT6_ANSWER_LABELS = ("Never", "Rarely", "Sometimes", "Very often", "Always")


def forms(hit6_items: list[str] | None) -> dict[str, Any]:
    """The wording the app shows: MIDAS and PGIC always; HIT-6 only with the clinic's
    licensed items (§12.1: the product ships none)."""
    return {
        "midas": {
            "items": list(MIDAS_QUESTIONS),
            "a": MIDAS_A,
            "b": MIDAS_B,
            "max_days": rules.MIDAS_ITEM_MAX_DAYS,
            "max_pain": rules.MIDAS_PAIN_MAX,
        },
        "pgic": {"question": rules.PGIC_QUESTION, "answers": list(PGIC_ANSWERS)},
        "hit6": None
        if hit6_items is None
        else {
            "items": hit6_items,
            "answers": [
                {"value": v, "label": label} for v, label in zip(rules.HIT6_ANSWERS, HIT6_ANSWER_LABELS, strict=True)
            ],
        },
    }
