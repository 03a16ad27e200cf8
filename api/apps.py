from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "LDN Diary API"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from api import schema  # noqa: F401  (registers the OpenAPI extensions)
        from api.sessions import session_start_clock

        user_logged_in.connect(session_start_clock, dispatch_uid="api.sessions.session_start_clock")
