"""Celery tasks: ids in, load objects, call a service or send mail."""

from celery import shared_task
from django.core.mail import send_mail

from .choices import Role
from .models import Organisation, User


@shared_task
def notify_county_of_registration(organisation_id: int) -> int:
    """Tell the county bureau's staff that an organisation registered and waits for them."""
    organisation = Organisation.objects.select_related("county").get(pk=organisation_id)
    recipients = list(
        User.objects.filter(role=Role.COUNTY, county=organisation.county, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    return send_mail(
        subject=f"【商业秘密保护基地】{organisation.name} 注册待确认",
        message=(
            f"{organisation.name}（统一社会信用代码 {organisation.credit_code}）已在绍兴市商业秘密保护基地管理平台注册，"
            f"所在地为{organisation.county.name}，请登录平台“申报单位”页面核对并确认。"
        ),
        from_email=None,
        recipient_list=recipients,
    )
