"""Reads for the clinician dashboard (issue 6): the triage list, clinic outcomes, the visit report.

Everything is scoped by ``diary.access.visible_patients`` (through ``selectors.patients_for``)
and built from what the insights worker stored (``PatientInsight.data["summary"]``, layout in
``diary/analysis/engine.py``): nothing is analysed inside a request. Lists read a constant
number of queries whatever the number of patients: one for the page (light columns only:
the order needs the flags and the verdict, not the stored summary), then one per table for
the page's patients, the parts of the summary they show cut out by the database
(``summary_parts``). The clinic outcomes, which total every linked patient, read the
small ``PatientOutcome`` row stored with each insight instead of any summary, totalled by
the database, and name the first patients of each list (the rest are paged).

By concern: ``triage``, ``plan_templates``, ``outcomes``, ``report`` (the visit report);
the public names are re-exported here.
"""

from diary.dashboard.outcomes import (
    OUTCOME_APART,
    OUTCOME_CATEGORIES,
    OUTCOME_DEFINITIONS,
    OUTCOME_LISTS,
    SHOWN_PER_LIST,
    clinic_outcomes,
    outcome_category,
    outcome_members,
    outcomes_list,
)
from diary.dashboard.plan_templates import PLAN_TEMPLATES
from diary.dashboard.report import (
    REPORT_MAX_AGE_DAYS,
    REPORT_MAX_DAYS,
    daily_values,
    report_default_period,
    visit_report,
)
from diary.dashboard.triage import (
    SEVERITY_BY_RANK,
    UNRESOLVED,
    VERDICT_TRIAGE_ORDER,
    dose_block,
    insight_status,
    summary_parts,
    triage_patients,
    triage_rows,
)

__all__ = [
    "OUTCOME_APART",
    "OUTCOME_CATEGORIES",
    "OUTCOME_DEFINITIONS",
    "OUTCOME_LISTS",
    "PLAN_TEMPLATES",
    "REPORT_MAX_AGE_DAYS",
    "REPORT_MAX_DAYS",
    "SEVERITY_BY_RANK",
    "SHOWN_PER_LIST",
    "UNRESOLVED",
    "VERDICT_TRIAGE_ORDER",
    "clinic_outcomes",
    "daily_values",
    "dose_block",
    "insight_status",
    "outcome_category",
    "outcome_members",
    "outcomes_list",
    "report_default_period",
    "summary_parts",
    "triage_patients",
    "triage_rows",
    "visit_report",
]
