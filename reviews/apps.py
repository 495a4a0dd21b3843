from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "审核与验收"

    def ready(self):
        # The side effects of the transitions that write review records register with bases.services;
        # the tasks register with Celery, so that the services can queue them by name.
        from bases import cached

        from . import services, tasks  # noqa: F401
        from .models import YearlyReport

        # The city's flags of overdue and failed reports are kept until a base or a report changes.
        cached.connect(YearlyReport)
