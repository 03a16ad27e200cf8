from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "diary"
    verbose_name = "LDN Diary"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import password_reset

        from diary.auth_adapters import login_failures_clear

        password_reset.connect(login_failures_clear, dispatch_uid="diary.auth_adapters.login_failures_clear")
