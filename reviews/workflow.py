"""The application workflow, declared once (第十一条–第十七条).

States and transitions live here and nowhere else. The declaration drives:
enforcement (reviews.services.application_transition), the action buttons on a
page (reviews.selectors.available_actions), the labels in the history, and the
workflow tests. Transition methods only set fields; side effects live in the
service.

`custom` keys understood by the service and the templates:
    label       button text and history label
    style       "primary" | "secondary" | "danger"
    confirm     confirmation question shown before the POST
    comment     None | "optional" | "required": whether the action carries a reason/opinion
    validate    name of a method returning a list of problems that block the action
"""
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from bases.permissions import is_applicant_of

from .choices import State


def refusal(message):
    """Attach the message shown when a transition condition does not hold."""

    def decorate(condition):
        condition.refusal = message
        return condition

    return decorate


def refusal_message(condition, application) -> str:
    message = getattr(condition, "refusal", "当前不满足办理条件。")
    return message(application) if callable(message) else message


@refusal(lambda app: f"本批次（{app.batch.name}）申报已于{app.batch.deadline.year}年{app.batch.deadline.month}月"
                     f"{app.batch.deadline.day}日截止，不能再提交。")
def batch_is_open(application) -> bool:
    """第十一条（二）: applications close on the batch deadline (30 September by default)."""
    return application.batch.is_open


class ApplicationWorkflow(FSMModelMixin, models.Model):
    state = FSMField("状态", choices=State.choices, default=State.DRAFT, protected=True, db_index=True)
    submitted_at = models.DateTimeField("申报时间", null=True, blank=True)

    class Meta:
        abstract = True

    @transition(
        field=state,
        source=[State.DRAFT, State.RETURNED],
        target=State.SUBMITTED,
        conditions=[batch_is_open],
        permission=is_applicant_of,
        custom={
            "label": "提交申报",
            "style": "primary",
            "confirm": "提交后将不能修改，确定提交申报吗？",
            "comment": None,
            "validate": "submission_problems",
        },
    )
    def submit(self):
        self.submitted_at = timezone.now()
