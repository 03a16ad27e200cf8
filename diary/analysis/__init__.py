"""Pure analytics over one patient's history (CLINICAL.md §3–§8, read as §11 settles them).

Nothing here imports Django: the inputs are plain rows (see ``history.py``), the output is
an ``Insight`` (see ``result.py``) whose ``to_json()`` holds only JSON types. Every
constant lives in ``rules.py`` together with ``RULES_VERSION``.

Entry point: ``diary.analysis.engine.analyse(history) -> Insight``.
"""
