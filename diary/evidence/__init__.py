"""The clinician's words for a verdict's and a flag's evidence (issue 16).

One presenter for the patient page (through the API) and the visit report (HTML and
PDF): the analysis stores its evidence as numbers and codes (``diary/analysis``), and
only this package turns them into what a clinician reads. A presented block is::

    {headline: one line that says what it is about (agrees with the verdict),
     measures: [{label, baseline, now, change, counts}]  (verdicts, worsening),
     facts:    [{label, value}]  in a fixed, meaningful order,
     changes:  [sentence]  event flags: each occurrence whose value changed since it
               raised the flag (CLINICAL.md §11.8),
     occurrences: [{when, what, raised, now, changed}]  event flags, date order,
     rule:     the rule and its thresholds, stated once,
     notes:    [sentence],
     attention: [sentence]  the notes that ask the clinician to act, shown beside the
               headline (a follow-up PGIC missing at the decision point, CLINICAL.md §12.9),
     questionnaires: [{instrument, baseline, followup, criterion}]  verdicts: the
               questionnaire facts again in columns, for a table (a page that shows the
               table leaves those facts out)}

Numbers are rounded for reading: per-28 figures and pain to one decimal, percentages
whole. A percentage is cut towards zero, never rounded up across a threshold: the bands
are half-open (≥ 30 %), so 29.6 % reads "29%" beside "no adequate response (below 30%)".
No internal code (``non_responder``, ``pro_rated``) ever reaches the text.

By concern: ``formatting`` (shared words and numbers), ``verdict``, ``questionnaires``,
``flags``; the public names are re-exported here, so callers import from ``diary.evidence``.
"""

from diary.evidence.flags import (
    OCCURRENCE_WORDS,
    OVERUSE_REASON_WORDS,
    OVERUSE_RULE,
    PRESENTERS,
    THRESHOLDS_DEFAULT,
    ZONED_PRESENTERS,
    flag_headline,
    flag_presented,
    suggestion_text,
)
from diary.evidence.formatting import (
    FLAG_LABELS,
    HIT6_IMPACT_WORDS,
    INSTRUMENT_LABELS,
    MEDICINE_LABELS,
    MONTH,
    STOP_REASONS,
    VERDICT_LABELS,
    Evidence,
    day,
    day_list,
    days,
    mg,
    moment,
    number,
    percent,
    span,
    verdict_label,
)
from diary.evidence.questionnaires import (
    CRITERION_RULES,
    CRITERION_SHORT,
    CRITERION_WORDS,
    ENTERED_BY_WORDS,
    PGIC_MISSING,
    response_text,
    total_words,
)
from diary.evidence.verdict import HEADACHE_MEASURES, RULE_VERDICTS, reduction_text, verdict_headline, verdict_presented

__all__ = [
    "CRITERION_RULES",
    "CRITERION_SHORT",
    "CRITERION_WORDS",
    "ENTERED_BY_WORDS",
    "FLAG_LABELS",
    "HEADACHE_MEASURES",
    "HIT6_IMPACT_WORDS",
    "INSTRUMENT_LABELS",
    "MEDICINE_LABELS",
    "MONTH",
    "OCCURRENCE_WORDS",
    "OVERUSE_REASON_WORDS",
    "OVERUSE_RULE",
    "PGIC_MISSING",
    "PRESENTERS",
    "RULE_VERDICTS",
    "STOP_REASONS",
    "THRESHOLDS_DEFAULT",
    "VERDICT_LABELS",
    "ZONED_PRESENTERS",
    "Evidence",
    "day",
    "day_list",
    "days",
    "flag_headline",
    "flag_presented",
    "mg",
    "moment",
    "number",
    "percent",
    "reduction_text",
    "response_text",
    "span",
    "suggestion_text",
    "total_words",
    "verdict_headline",
    "verdict_label",
    "verdict_presented",
]
