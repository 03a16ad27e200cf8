"""The analysis is pure: its tests need no database, broker or cache.

The root conftest's autouse fixtures demand a real database and Redis; these overrides (same
names, closer to the tests) replace them for this package only.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _real_database() -> None:
    """No database here: the engine takes plain rows."""


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """No cache here."""
