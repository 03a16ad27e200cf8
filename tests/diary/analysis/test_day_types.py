"""Day types (CLINICAL.md §3, §11.1, §11.2): one diary day in, its types out."""

from __future__ import annotations

import pytest

from diary.analysis.context import build_context
from tests.diary.analysis.helpers import AS_OF, entry, make_history, med

D = AS_OF

# (case, entry kwargs, medicines that day, expected (headache, moderate/severe, migraine))
CASES = [
    ("nothing", {}, [], (False, False, False)),
    ("mild headache", {"headache": 1}, [], (True, False, False)),
    ("moderate headache", {"headache": 2}, [], (True, True, False)),
    ("severe headache", {"headache": 3}, [], (True, True, False)),
    # criterion 4: no features answered, the patient's yes decides
    ("patient says migraine, no features", {"headache": 2, "migraine": True}, [], (True, True, True)),
    ("patient says migraine with headache 0: still a headache day", {"migraine": True}, [], (True, False, True)),
    # criterion 1: ≥ 2 of {one-sided, pulsating, headache ≥ 2, worse} and ≥ 1 of {nausea, light+sound}
    (
        "C1: one-sided + pulsating + nausea",
        {"headache": 1, "one_sided": True, "pulsating": True, "nausea": True},
        [],
        (True, False, True),
    ),
    (
        "C1: headache 2 counts as a feature + worse + nausea",
        {"headache": 2, "worse": True, "nausea": True},
        [],
        (True, True, True),
    ),
    (
        "C1: light and sound together",
        {"headache": 2, "one_sided": True, "light": True, "sound": True},
        [],
        (True, True, True),
    ),
    (
        "C1 fails: light without sound",
        {"headache": 2, "one_sided": True, "light": True, "sound": False},
        [],
        (True, True, False),
    ),
    ("C1 fails: only one pain feature", {"headache": 1, "one_sided": True, "nausea": True}, [], (True, False, False)),
    ("C1 fails: 0.4 hours", {"headache": 2, "one_sided": True, "nausea": True, "hours": 0.4}, [], (True, True, False)),
    ("C1: exactly 0.5 hours", {"headache": 2, "one_sided": True, "nausea": True, "hours": 0.5}, [], (True, True, True)),
    # features answered: criteria 1-2 decide, the yes/no is ignored
    ("features answered overrule the yes", {"headache": 2, "migraine": True, "nausea": False}, [], (True, True, False)),
    # criterion 2: aura 5-60 minutes inclusive (a migraine day makes a headache day)
    ("aura 5 min", {"aura": 5}, [], (True, False, True)),
    ("aura 60 min", {"aura": 60}, [], (True, False, True)),
    ("aura 4 min", {"aura": 4}, [], (False, False, False)),
    ("aura 61 min", {"aura": 61}, [], (False, False, False)),
    # criterion 3: migraine-specific medicine, always (even with features answered, even not for headache)
    ("triptan, nothing else", {}, [med(D, "triptan", for_headache=False)], (True, False, True)),
    ("ergot with features answered no", {"nausea": False}, [med(D, "ergot")], (True, False, True)),
    ("gepant", {}, [med(D, "gepant_ditan")], (True, False, True)),
    # §11.1: an acute medicine taken for a headache makes a headache day, not a migraine day
    ("paracetamol for headache", {}, [med(D, "non_opioid_analgesic", for_headache=True)], (True, False, False)),
    ("paracetamol for back pain", {}, [med(D, "non_opioid_analgesic", for_headache=False)], (False, False, False)),
]


@pytest.mark.parametrize(("kwargs", "meds", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_day_type(kwargs, meds, expected):
    ctx = build_context(make_history(entries=[entry(D, **kwargs)], medications=meds))
    i = ctx.index(D)
    assert (bool(ctx.grid.headache[i]), bool(ctx.grid.modsev[i]), bool(ctx.grid.migraine[i])) == expected


def test_missing_day_is_no_type_and_not_logged():
    # a medicine row without an entry must not invent a logged day
    meds = [med(D, "non_opioid_analgesic", for_headache=True)]
    ctx = build_context(make_history(entries=[entry(D - AS_OF.resolution, headache=2)], medications=meds))
    i = ctx.index(D)
    assert not ctx.grid.logged[i]
    assert not ctx.grid.headache[i]


def test_acute_medication_days_count_days_not_doses():
    meds = [med(D, "triptan"), med(D, "triptan"), med(D, "non_opioid_analgesic", for_headache=False)]
    ctx = build_context(make_history(entries=[entry(D)], medications=meds))
    assert int(ctx.grid.med_days["triptan"].sum()) == 1  # two intakes, one day
    assert int(ctx.grid.med_days["non_opioid_analgesic"].sum()) == 1
    assert int(ctx.grid.any_med.sum()) == 1
