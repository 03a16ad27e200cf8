"""allauth's authentication backend, loading the user's profile in the same query.

Every API request needs the user and their role (patient or clinician); the stock
backend loads the user alone and each profile costs one more query. The load itself is
a fast path (diary/fastpath/user_load.py).
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from diary.fastpath.user_load import user_with_profiles
from diary.models import User

__all__ = ["AuthenticationBackend", "user_with_profiles"]


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = user_with_profiles(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
