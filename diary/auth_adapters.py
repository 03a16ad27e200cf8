"""allauth adapters: where sign-in failures are counted, how a lockout is answered, and
the encryption of MFA secrets (docs/security.md), and the greeting of our e-mails."""

from __future__ import annotations

import ipaddress
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
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


def source_login(request: HttpRequest, adapter: DefaultAccountAdapter, credentials: dict[str, Any]) -> dict[str, Any]:
    """The credentials with the login (e-mail or username) tagged with the request's
    source: what allauth counts failed sign-ins by."""
    source = request_source(request, adapter)
    return {
        **credentials,
        **{name: f"{credentials[name]}@{source}" for name in ("email", "username") if name in credentials},
    }


class AccountAdapter(DefaultAccountAdapter):
    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Failed sign-ins count per account *and* source (the "key" part of the
        ``login_failed`` rate limit), and a locked sign-in answers 429 with Retry-After
        (allauth answers a 400 form error).

        allauth counts failures per account alone: five wrong passwords from anywhere then
        lock the owner out too, so anyone who knows an e-mail address can keep its account
        locked. Here they lock that account for that source only; the per-source limit
        (``…/ip``) still bounds one source trying many accounts. allauth builds the key from
        the login it is given, so it is given the login tagged with the source
        (`source_login`); everything else (counting, the roll-back on success) is its own."""
        try:
            super().pre_authenticate(request, **source_login(request, self, credentials))
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


def login_failures_clear(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """allauth's `password_reset` signal: the failed sign-ins of each of the account's
    addresses from the source that reset the password are forgotten, as allauth forgets its
    own per-account count then. The key is the one allauth builds from a login in
    `pre_authenticate` ("<site domain>:<login>", lower case);
    tests/diary/test_auth_adapters.py signs in after a reset from a locked source."""
    adapter = get_adapter(request)
    domain = get_current_site(request).domain
    for address in EmailAddress.objects.filter(user=user).values_list("email", flat=True):
        login = source_login(request, adapter, {"email": address})["email"]
        ratelimit.clear(request, action="login_failed", key=f"{domain}:{login.lower()}")


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds encrypted at rest (diary/mfa_secrets.py)."""

    def encrypt(self, text: str) -> str:
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)
