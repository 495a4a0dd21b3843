from django.apps import AppConfig


class BasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bases"
    verbose_name = "基地与申报"
