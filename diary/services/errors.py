from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ServiceError(Exception):
    """Base for domain errors the API maps to problem details."""


class InvalidInput(ServiceError):
    """Bad input: 400, with messages per field (dotted paths for nested items)."""

    def __init__(self, errors: Mapping[str, str | list[str]]) -> None:
        self.errors = {key: [value] if isinstance(value, str) else list(value) for key, value in errors.items()}
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))


class PreconditionFailed(ServiceError):
    """If-Match did not match: 412 with the current state."""

    def __init__(self, current: Any) -> None:
        self.current = current
        super().__init__("The entry was changed by someone else.")


class Conflict(ServiceError):
    """The request collides with something stored: 409 with the stored thing."""

    def __init__(self, message: str, current: Any = None) -> None:
        self.message = message
        self.current = current
        super().__init__(message)


class NotFound(ServiceError):
    """The thing does not exist for this caller: 404."""
