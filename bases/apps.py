from django.apps import AppConfig


class BasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bases"
    verbose_name = "基地与申报"

    def ready(self):
        # Sign-ins, lockouts and changes of accounts' powers are recorded as security events.
        from . import cached, security_events

        security_events.connect()
        # Cached counts are read again only while the data they count is unchanged.
        cached.connect()
