"""The demo clinic's data (`manage.py seed_demo`), by concern.

``profiles`` (the accounts and the kinds of patient), ``generate`` (their diaries, without
the database), ``seed`` (written through the real services), ``questionnaires``.
"""
