"""allauth adapters: the encryption of MFA secrets (docs/security.md)."""

from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter

from diary.mfa_secrets import secret_decrypt, secret_encrypt


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds encrypted at rest (diary/mfa_secrets.py)."""

    def encrypt(self, text: str) -> str:
        return secret_encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_decrypt(encrypted_text)
