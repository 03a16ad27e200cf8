"""Enumerations shared by models, services and serializers (CLINICAL.md §2, DESIGN.md §3)."""

from django.db import models


class Condition(models.TextChoices):
    MIGRAINE = "migraine", "Migraine"
    CHRONIC_MIGRAINE = "chronic_migraine", "Chronic migraine"
    FIBROMYALGIA = "fibromyalgia", "Fibromyalgia"
    CHRONIC_PAIN = "chronic_pain", "Chronic pain"
    OTHER = "other", "Other"
    # The patient was not sure at sign-up: their clinician sets it. No verdict rule applies
    # until then (the verdict is insufficient_data from the decision point on).
    NOT_SET = "not_set", "Not set yet"


HEADACHE_CONDITIONS = frozenset({Condition.MIGRAINE, Condition.CHRONIC_MIGRAINE})


class ConditionSetBy(models.TextChoices):
    PATIENT = "patient", "The patient"
    CLINICIAN = "clinician", "A clinician"


class DoseTime(models.TextChoices):
    MORNING = "morning", "Morning"
    BEDTIME = "bedtime", "Bedtime"


class TimeOfDay(models.TextChoices):
    MORNING = "morning", "Morning"
    BEDTIME = "bedtime", "Bedtime"
    OTHER = "other", "Other time"


class LinkStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class RevokedBy(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"


class HeadacheLevel(models.IntegerChoices):
    """Peak headache today (CLINICAL.md §2)."""

    NONE = 0, "None"
    MILD = 1, "Mild"
    MODERATE = 2, "Moderate"
    SEVERE = 3, "Severe"


class SideEffectSeverity(models.IntegerChoices):
    MILD = 1, "Mild"
    MODERATE = 2, "Moderate"
    SEVERE = 3, "Severe"


class SideEffectKind(models.TextChoices):
    VIVID_DREAMS = "vivid_dreams", "Vivid dreams"
    INSOMNIA = "insomnia", "Insomnia"
    HEADACHE = "headache", "Headache (different from usual)"
    NAUSEA = "nausea", "Nausea"
    DIARRHEA = "diarrhea", "Diarrhoea"
    ABDOMINAL_DISCOMFORT = "abdominal_discomfort", "Abdominal discomfort"
    DIZZINESS = "dizziness", "Dizziness"
    FATIGUE = "fatigue", "Fatigue"
    JITTERINESS = "jitteriness", "Jitteriness"
    HOT_FLASHES = "hot_flashes", "Hot flashes"
    IRRITABILITY = "irritability", "Irritability"
    ANXIETY = "anxiety", "Anxiety"
    OTHER = "other", "Other"


class MedicineClass(models.TextChoices):
    NON_OPIOID_ANALGESIC = "non_opioid_analgesic", "Paracetamol, aspirin or NSAID"
    TRIPTAN = "triptan", "Triptan"
    ERGOT = "ergot", "Ergot"
    GEPANT_DITAN = "gepant_ditan", "Gepant or ditan"
    OPIOID = "opioid", "Opioid (incl. tramadol, codeine)"
    COMBINATION_ANALGESIC = "combination_analgesic", "Combination analgesic"
    ANTIEMETIC = "antiemetic", "Antiemetic"
    OTHER = "other", "Other"


# Names that make the UI (and the server, when the client says nothing) tick
# `contains_opioid` (CLINICAL.md §11.3): the seven substances the rules name, plus common
# combination products that contain one of them without naming it.
OPIOID_NAME_MARKERS = (
    "codeine",
    "tramadol",
    "oxycodone",
    "hydrocodone",
    "morphine",
    "dihydrocodeine",
    "tapentadol",
    # products: co-codamol and co-dydramol (UK), Tylenol #3, Percocet, Vicodin/Norco,
    # Tramacet/Ultracet, Solpadeine, Nurofen Plus, Zapain, Migraleve
    "codamol",
    "dydramol",
    "tylenol 3",
    "tylenol #3",
    "percocet",
    "vicodin",
    "norco",
    "tramacet",
    "ultracet",
    "solpadeine",
    "nurofen plus",
    "zapain",
    "migraleve",
)


class StopReason(models.TextChoices):
    SIDE_EFFECTS = "side_effects", "Side effects"
    NO_BENEFIT = "no_benefit", "No benefit"
    OTHER = "other", "Other"


class VerdictKind(models.TextChoices):
    """CLINICAL.md §6."""

    IN_PROGRESS = "in_progress", "In progress"
    RESPONDER = "responder", "Responder"
    STRONG_RESPONDER = "strong_responder", "Strong responder"
    PARTIAL = "partial", "Partial response"
    NON_RESPONDER = "non_responder", "No adequate response"
    INSUFFICIENT_DATA = "insufficient_data", "Insufficient data"
    DISCONTINUED = "discontinued", "Discontinued"


class FlagKind(models.TextChoices):
    """CLINICAL.md §7."""

    NO_ADEQUATE_RESPONSE = "no_adequate_response", "Decision point reached: decide on continuation"
    INSUFFICIENT_DATA = "insufficient_data", "Insufficient data to evaluate"
    ADVERSE_EVENT = "adverse_event", "Adverse event"
    OPIOID_INTERACTION = "opioid_interaction", "Opioid logged while on LDN"
    MEDICATION_OVERUSE_RISK = "medication_overuse_risk", "Risk of medication overuse"
    PROBABLE_MEDICATION_OVERUSE = "probable_medication_overuse", "Probable medication-overuse headache"
    FREQUENT_ACUTE_MEDICATION = "frequent_acute_medication", "Frequent acute medication"
    LOW_ADHERENCE = "low_adherence", "Low adherence"
    DOSE_OUT_OF_RANGE = "dose_out_of_range", "Dose outside the usual LDN range"
    WORSENING = "worsening", "Worsening"


# §11.8: event flags stay open until a clinician resolves them; the rest resolve by themselves.
EVENT_FLAG_KINDS = frozenset({FlagKind.ADVERSE_EVENT, FlagKind.OPIOID_INTERACTION, FlagKind.DOSE_OUT_OF_RANGE})


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# Triage order: lower is more urgent.
SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class ReminderKind(models.TextChoices):
    DOSE = "dose", "Dose"
    DIARY = "diary", "Diary"


class DeliveryStatus(models.TextChoices):
    CLAIMED = "claimed", "Claimed"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Skipped"
    FAILED = "failed", "Failed"


class Occurrence(models.TextChoices):
    SCHEDULED = "scheduled", "At the set time"
    SNOOZE = "snooze", "Snoozed (30 minutes later)"


class Instrument(models.TextChoices):
    """The questionnaires of CLINICAL.md §9 and §12."""

    MIDAS = "midas", "MIDAS"
    HIT6 = "hit6", "HIT-6"
    PGIC = "pgic", "PGIC"


class EnteredBy(models.TextChoices):
    """Who entered a questionnaire response (§12.1, §12.3)."""

    PATIENT = "patient", "The patient"
    CLINICIAN = "clinician", "A clinician, on the patient's behalf"
    REPORTED = "reported", "A reported baseline total"
