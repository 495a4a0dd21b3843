"""Records of the review workflow. The application log is append-only."""
from django.conf import settings
from django.db import models

from bases.models import Application

from .choices import LogAction, State


class AppendOnlyError(Exception):
    pass


class ApplicationLog(models.Model):
    """Who did what to an application, when, from where and why. Never updated or deleted."""

    application = models.ForeignKey(Application, verbose_name="申报", on_delete=models.PROTECT, related_name="log")
    action = models.CharField("操作类型", max_length=20, choices=LogAction.choices)
    transition = models.CharField("流程操作", max_length=40, blank=True)
    label = models.CharField("操作", max_length=40)
    from_state = models.CharField("原状态", max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField("新状态", max_length=20, choices=State.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField("操作人角色", max_length=30)
    comment = models.TextField("意见/说明", blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("办理记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("办理记录只能追加，不能删除。")
