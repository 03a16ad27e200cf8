"""allauth's authentication backend, loading the user's profile in the same query.

Every API request needs the user and their role (patient or clinician); the stock
backend loads the user alone and each profile costs one more query.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

from diary.models import User


class AuthenticationBackend(AllauthBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = User._default_manager.select_related("patient", "clinician").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
