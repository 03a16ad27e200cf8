"""Encrypt the TOTP secrets and recovery-code seeds stored in clear before MFA_ADAPTER
encrypted them (diary/mfa_secrets.py). Running it again changes nothing; the way back
decrypts them (a rollback to code that reads them in clear)."""

from django.db import migrations

from diary.mfa_secrets import authenticators_decrypt, authenticators_encrypt


def encrypt_clear_secrets(apps, schema_editor):
    authenticators_encrypt(apps.get_model("mfa", "Authenticator").objects.all())


def decrypt_secrets(apps, schema_editor):
    authenticators_decrypt(apps.get_model("mfa", "Authenticator").objects.all())


class Migration(migrations.Migration):

    dependencies = [
        ("diary", "0004_questionnaires"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_clear_secrets, decrypt_secrets)]
