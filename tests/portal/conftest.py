import datetime

import pytest
from django.utils import timezone

from bases.choices import BaseStatus, OrganisationKind, State
from bases.models import Application, Attachment, Base, Organisation
from tests.factories import ApplicationFactory, OrganisationFactory, county, industry

KINDS = {"point": OrganisationKind.ENTERPRISE, "zone": OrganisationKind.PARK, "station": OrganisationKind.ASSOCIATION}

# Private fields of a base's organisation and application, each holding a string that must never
# appear in a public response (page, JSON, CSV, XLSX).
ORGANISATION_MARKERS = {
    "contact_name": "联系人甲标记",
    "contact_phone": "13912345678",
    "contact_email": "marker.contact@example.com",
    "address": "标记地址路九十九号",
    "legal_representative": "法人乙标记",
}
APPLICATION_MARKERS = {
    "narrative": "叙述丙标记" * 40,
    "applicant_opinion": "申报意见丁标记",
    "county_opinion": "县局意见戊标记",
    "city_opinion": "验收意见己标记",
    "county_signer": "签字人庚标记",
    "contact_name": "经办人辛标记",
    "contact_title": "职务壬标记",
    "contact_phone": "13698765432",
    "leader_name": "负责人癸标记",
    "output_value": "97531.00",
}
BASE_MARKERS = {"revocation_details": "撤销说明子标记", "revocation_document": "撤销文号丑标记"}
ATTACHMENT_MARKER = "附件寅标记.pdf"


def markers_of(application: Application) -> list[str]:
    organisation = application.organisation
    return [
        *ORGANISATION_MARKERS.values(),
        *(v for k, v in APPLICATION_MARKERS.items() if k != "narrative"),
        "叙述丙标记",
        "97531",
        *BASE_MARKERS.values(),
        ATTACHMENT_MARKER,
        organisation.credit_code,
        application.reference,
        f"/applications/{application.pk}/",  # a staff page of it
        f"/organisations/{organisation.pk}/",
    ]


def mark_private_fields(application: Application) -> Application:
    """Fill the application's, its organisation's and its base's private fields with markers."""
    Organisation.objects.filter(pk=application.organisation_id).update(**ORGANISATION_MARKERS)
    Application.objects.filter(pk=application.pk).update(**APPLICATION_MARKERS)
    Base.objects.filter(application=application).update(**BASE_MARKERS)
    attachment = application.attachments.first()
    if attachment is not None:
        Attachment.objects.filter(pk=attachment.pk).update(original_name=ATTACHMENT_MARKER)
    application.refresh_from_db()
    return application


def make_base(
    i: int,
    *,
    base_type="point",
    level="city",
    county_name="越城区",
    industry_name="高端装备",
    recognised_on=None,
    revoked_on=None,
    year=None,
) -> Base:
    """A recognised base written directly (fast; the recognition's own tests go through the services)."""
    organisation = OrganisationFactory(
        name=f"公开名录测试单位{i}有限公司",
        county=county(county_name),
        industry=industry(industry_name),
        kind=KINDS[base_type],
    )
    application = ApplicationFactory(
        organisation=organisation, base_type=base_type, level=level, complete=True, state=State.RECOGNISED
    )
    recognised_on = recognised_on or timezone.localdate() - datetime.timedelta(days=i)
    return Base.objects.create(
        application=application,
        organisation=organisation,
        name=organisation.name,
        base_type=base_type,
        level=level,
        year=year or recognised_on.year,
        document_number=f"绍市监管〔{recognised_on.year}〕{i + 1}号",
        recognised_on=recognised_on,
        status=BaseStatus.REVOKED if revoked_on else BaseStatus.VALID,
        revoked_on=revoked_on,
    )


@pytest.fixture
def city():
    from tests.factories import UserFactory

    return UserFactory(city_reviewer=True)


@pytest.fixture
def running_publicity(city):
    """A 公示 running today, with one application in it."""
    application = ApplicationFactory(in_publicity=True, advance_with={"city_user": city})
    return application.publicities.get(), application
