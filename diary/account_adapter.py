"""allauth's account adapter, as its documentation says to customise it (ACCOUNT_ADAPTER)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter

from diary.models import User


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every e-mail greets the person by name when the address has an account (allauth
        passes no user to the password-reset code e-mail)."""
        if context.get("user") is None:
            user = User.objects.filter(email__iexact=email).first()
            if user is not None:
                context = {**context, "user": user}
        super().send_mail(template_prefix, email, context)
