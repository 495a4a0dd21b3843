from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The public portal (第十四条: recognised bases published; 第十一条（五）: the 公示 open to the
    public's objections): pages without sign-in, the open-data API and its downloads. Built on both
    apps, which know nothing of it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "portal"
    verbose_name = "门户网站"
