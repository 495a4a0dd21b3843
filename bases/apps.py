from django.apps import AppConfig


class BasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bases"
    verbose_name = "基地与申报"

    def ready(self):
        # The tasks register with Celery, so that the services can queue them by name.
        from . import tasks  # noqa: F401
