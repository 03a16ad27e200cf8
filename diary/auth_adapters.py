"""allauth adapters: where sign-in failures are counted, how a lockout is answered, and
the encryption of MFA secrets (docs/security.md), and the greeting of our e-mails."""

from __future__ import annotations

import ipaddress
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from diary.mfa_secrets import secret_decrypt, secret_encrypt
from diary.models import User


def request_source(request: HttpRequest, adapter: DefaultAccountAdapter) -> str:
    """The client's address as allauth's rate limits see it (ALLAUTH_TRUSTED_PROXY_COUNT),
    an IPv6 address cut to its /64: one household or phone holds a whole /64."""
    ip = adapter.get_client_ip(request)
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(address)


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Failed sign-ins count per account *and* source (the "key" part of the
        ``login_failed`` rate limit). allauth counts them per account alone: five wrong
        passwords from anywhere then lock the owner out too, so anyone who knows an
        e-mail address can keep its account locked. Here they lock that account for that
        source only; the per-source limit (``…/ip``) still bounds one source trying many
        accounts. allauth's own method (the one place it builds the key, also used to
        clear it after a password reset) is overridden: its adapter has no public hook."""
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}@{request_source(request, self)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """A locked sign-in answers 429 with Retry-After (allauth answers a 400 form error)."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            response = respond_429(request)
            response["Retry-After"] = str(int(settings.LOGIN_LOCKOUT.total_seconds()))
            raise ImmediateHttpResponse(response) from None

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Every e-mail greets the person by name when the address has an account (allauth
        passes no user to the password-reset code e-mail)."""
        if context.get("user") is None:
            user = User.objects.filter(email__iexact=email).first()
            if user is not None:
                context = {**context, "user": user}
        super().send_mail(template_prefix, email, context)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds encrypted at rest (diary/mfa_secrets.py)."""

    def encrypt(self, text: str) -> str:
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)
