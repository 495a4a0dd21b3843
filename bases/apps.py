from django.apps import AppConfig


class BasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bases"
    verbose_name = "基地与申报"

    def ready(self):
        # Sign-ins, lockouts and changes of accounts' powers are recorded as security events.
        from . import security_events

        security_events.connect()
