"""The permission matrix: every route of the URL configuration (the admin's own pages aside) ×
every kind of user × GET and an empty POST, with the answer each must get. A route that is not in
MATRIX fails the suite, so a new view cannot arrive without its row; a row that says 404 for the
applicant of another organisation or the staff of another county holds the scope.

Each route is asked about the object it is made for (the draft for the form, the 公示 for its
objections, the recognised base for its revocation), all in 越城区 and at city level, so "county" is
越城区's clerk and the city reviewer the acceptance authority; "applicant" is the applicant of that
object's organisation, "outsider" the applicant of another organisation of the same county.

Every request runs in a savepoint that is rolled back, so a POST that did something leaves the world
as it was for the next one.

Codes: L = redirected to the login page; 302 = redirected elsewhere; a number = that status.
Run with MATRIX_PRINT=1 (and -s) to print the observed table.
"""

import os
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bases.choices import State
from bases.models import Application, ApplicationLog, Attachment, Base
from reviews import services as review_services
from reviews.models import (
    FormBundle,
    Objection,
    Publicity,
    RevocationCase,
    UpwardDocument,
    UpwardRecommendation,
    UpwardRecommendationLog,
    YearlyReport,
    YearlyReportLog,
)
from targets import services as target_services
from targets.models import StandardEnterprise, Target
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    UserFactory,
    add_evidence,
    add_signed_form,
    applicant_of,
    county,
    county_clerk,
    upload,
)
from tests.helpers import url_patterns

pytestmark = pytest.mark.django_db

REPORT = {
    "work_plan": "计划。",
    "trainings": "培训。",
    "all_staff_trainings": 1,
    "services": "服务。",
    "infringements": "无",
}

ROLES = ("anonymous", "outsider", "other_county", "applicant", "county", "city", "admin", "leader", "other_leader")

# route name: the GET answers, then the POST answers, in the order of ROLES:
#                                            anon out oth app cty city adm ldr oldr
MATRIX = {
    "bases:application-create": ("  L 200 403 200 403 403 403 403 403", "  L 200 403 200 403 403 403 403 403"),
    "bases:application-edit": ("  L 404 404 200 403 403 403 403 404", "  L 404 404 400 403 403 403 403 404"),
    "bases:application-export": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "bases:application-list": ("  L 200 200 200 200 200 200 200 200", "  L 405 405 405 405 405 405 405 405"),
    "bases:application-print": ("  L 404 404 200 200 200 200 200 404", "  L 405 405 405 405 405 405 405 405"),
    "bases:form-blank": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "bases:attachment-delete": ("  L 404 404 200 403 403 403 403 404", "  L 404 404 302 403 403 403 403 404"),
    "bases:attachment-download": ("  L 404 404 200 200 200 200 200 404", "  L 405 405 405 405 405 405 405 405"),
    "bases:organisation-detail": ("  L 404 404 200 200 200 200 404 404", "  L 404 404 403 403 403 403 404 404"),
    # 第十七条: a county's rules, seen by the city and the county's staff, made only by its administrator
    # (a permission none of these users holds; tests/bases/test_county_rules.py has the administrator).
    "bases:county-rules-list": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "bases:county-rules-detail": ("  L 404 404 404 200 200 200 404 404", "  L 404 404 404 403 403 403 404 404"),
    "bases:county-rules-edit": ("  L 404 404 404 403 403 403 404 404", "  L 404 404 404 403 403 403 404 404"),
    "bases:organisation-list": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "conditions": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "healthz": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "home": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "login": ("200 302 302 302 302 302 302 302 302", "200 302 302 302 302 302 302 302 302"),
    "logout": ("405 405 405 405 405 405 405 405 405", "302 302 302 302 302 302 302 302 302"),
    "my_data": ("  L 200 200 200 200 200 200 200 200", "  L 200 200 200 200 200 200 200 200"),  # one's own data only
    "two_factor": (
        "  L 302 302 302 302 302 302 302 302",
        "  L 302 302 302 302 302 302 302 302",
    ),  # asked only when required
    "password_change": ("  L 200 200 200 200 200 200 200 200", "  L 200 200 200 200 200 200 200 200"),
    "password_change_done": ("  L 200 200 200 200 200 200 200 200", "  L 405 405 405 405 405 405 405 405"),
    "password_reset": ("200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200"),
    "password_reset_complete": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "password_reset_confirm": ("200 200 200 200 200 200 200 200 200", "200 200 200 200 200 200 200 200 200"),
    "password_reset_done": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    # The public portal: open to everyone, signed in or not; its forms refuse an empty post.
    "portal:api-bases": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "portal:api-docs": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "portal:api-schema": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "portal:base-detail": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "portal:base-download": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "portal:base-list": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "portal:objection-file": ("405 405 405 405 405 405 405 405 405", "400 400 400 400 400 400 400 400 400"),
    "portal:objection-lookup": ("200 200 200 200 200 200 200 200 200", "400 400 400 400 400 400 400 400 400"),
    "portal:progress-lookup": ("200 200 200 200 200 200 200 200 200", "400 400 400 400 400 400 400 400 400"),
    "portal:publicity-detail": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "portal:publicity-list": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    "register": ("200 302 302 302 302 302 302 302 302", "400 302 302 302 302 302 302 302 302"),
    "reviews:acceptance-record-add": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 403 403 400 400 403 404"),
    "reviews:application-detail": ("  L 404 404 200 200 200 200 200 404", "  L 405 405 405 405 405 405 405 405"),
    "reviews:application-transition": ("  L 404 404 200 403 403 403 403 404", "  L 404 404 302 403 403 403 403 404"),
    "reviews:attachment-upload": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 400 403 403 403 403 404"),
    "reviews:base-detail": ("  L 404 404 200 200 200 200 200 404", "  L 405 405 405 405 405 405 405 405"),
    "reviews:base-export": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "reviews:base-list": ("  L 200 200 200 200 200 200 200 200", "  L 405 405 405 405 405 405 405 405"),
    "reviews:candidate-create": ("  L 403 200 403 200 403 403 403 403", "  L 403 200 403 200 403 403 403 403"),
    "reviews:document-download": ("  L 404 404 200 200 200 200 200 404", "  L 405 405 405 405 405 405 405 405"),
    "reviews:document-verify": ("200 200 200 200 200 200 200 200 200", "400 400 400 400 400 400 400 400 400"),  # public
    # A zip of printed forms is its requester's alone (here 越城区's clerk); any bureau may ask for one.
    "reviews:form-bundle-detail": ("  L 404 404 404 200 404 404 404 404", "  L 405 405 405 405 405 405 405 405"),
    "reviews:form-bundle-download": ("  L 404 404 404 200 404 404 404 404", "  L 405 405 405 405 405 405 405 405"),
    "reviews:form-bundle-list": ("  L 403 200 403 200 200 200 403 403", "  L 403 400 403 400 400 400 403 403"),
    "reviews:guidance-add": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 403 400 403 403 403 404"),
    "reviews:notification-list": ("  L 200 200 200 200 200 200 200 200", "  L 302 302 302 302 302 302 302 302"),
    "reviews:objection-add": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 404 404 400 400 404 404"),
    "reviews:objection-answer": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 400 404 404 404 404 404"),
    "reviews:objection-evidence": ("  L 404 404 404 404 200 200 404 404", "  L 405 405 405 405 405 405 405 405"),
    "reviews:objection-list": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "reviews:objection-reply": ("  L 404 404 404 404 200 200 404 404", "  L 404 404 404 404 400 400 404 404"),
    "reviews:publicity-close": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 404 404 302 302 404 404"),
    "reviews:publicity-detail": ("  L 404 404 404 404 200 200 404 404", "  L 405 405 405 405 405 405 405 405"),
    "reviews:publicity-list": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "reviews:publicity-open": ("  L 403 200 403 200 200 200 403 403", "  L 403 200 403 200 200 200 403 403"),
    "reviews:publicity-recognise": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 404 404 400 400 404 404"),
    "reviews:revocation-close": ("  L 404 404 403 403 200 200 403 404", "  L 404 404 403 403 400 400 403 404"),
    "reviews:revocation-notice": ("  L 404 404 403 403 200 200 403 404", "  L 404 404 403 403 400 400 403 404"),
    "reviews:revocation-statement": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 400 403 403 403 403 404"),
    "reviews:signed-form-upload": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 400 403 403 403 403 404"),
    # 第三条（四）: the base's county opens (初审推荐; here refused on the page, the base being under a
    # revocation procedure), the city decides and records the outcome; applicants see none of it.
    "reviews:upward-decide": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 404 403 400 400 404 404"),
    "reviews:upward-detail": ("  L 404 404 404 200 200 200 404 404", "  L 405 405 405 405 405 405 405 405"),
    "reviews:upward-document": ("  L 404 404 404 200 200 200 404 404", "  L 405 405 405 405 405 405 405 405"),
    "reviews:upward-list": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "reviews:upward-open": ("  L 404 404 403 200 403 403 403 404", "  L 404 404 403 400 403 403 403 404"),
    "reviews:upward-outcome": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 404 403 400 400 404 404"),
    # 第十四条: the organisation files, its county reviews, the authority opens a revocation a report calls for.
    "reviews:yearly-report": ("  L 404 404 200 200 200 200 200 404", "  L 404 404 400 403 403 403 403 404"),
    "reviews:yearly-report-list": ("  L 200 200 200 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "reviews:yearly-report-review": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 403 400 403 403 403 404"),
    "reviews:yearly-report-revocation": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 403 403 400 400 403 404"),
    # 第十六条: support and services entered by the base's county or the city.
    "reviews:base-service-add": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 403 400 400 400 403 404"),
    "reviews:base-support-add": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 403 400 400 400 403 404"),
    "reviews:liaison-add": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 403 400 400 400 403 404"),
    "reviews:liaison-end": ("  L 405 405 405 405 405 405 405 405", "  L 404 404 403 400 400 400 403 404"),
    "reviews:workflow": ("200 200 200 200 200 200 200 200 200", "405 405 405 405 405 405 405 405 405"),
    # Statistics for the bureaus (a county its own figures); targets set by the city's system administrator.
    "targets:annex-export": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "targets:chart": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "targets:county-summary-export": ("  L 403 404 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "targets:dashboard": ("  L 403 200 403 200 200 200 403 403", "  L 405 405 405 405 405 405 405 405"),
    "targets:enterprise-list": ("  L 403 200 403 200 200 200 403 403", "  L 403 400 403 400 400 400 403 403"),
    "targets:enterprise-remove": ("  L 404 404 404 200 200 200 404 404", "  L 404 404 404 302 302 302 404 404"),
    "targets:target-edit": ("  L 403 403 403 403 403 200 403 403", "  L 403 403 403 403 403 400 403 403"),
    "targets:target-import": ("  L 403 403 403 403 403 200 403 403", "  L 403 403 403 403 403 400 403 403"),
    "targets:target-template": ("  L 403 403 403 403 403 200 403 403", "  L 405 405 405 405 405 405 405 405"),
}


@dataclass
class World:
    objects: dict
    users: dict


@pytest.fixture
def world():
    return build_world()


def build_world() -> World:
    yc, kq = county("越城区"), county("柯桥区")
    city = UserFactory(username="matrix_city", city_reviewer=True)
    draft = ApplicationFactory(complete=True, organisation=OrganisationFactory(county=yc))
    add_evidence(draft)
    submitted = ApplicationFactory(
        complete=True, organisation=OrganisationFactory(county=yc), advanced_to=State.SUBMITTED
    )
    add_signed_form(submitted)  # one scan back already: the county's actions are open, another may follow
    candidate = ApplicationFactory(organisation=OrganisationFactory(county=yc), cultivation=True)
    in_acceptance = ApplicationFactory(
        complete=True,
        organisation=OrganisationFactory(county=yc),
        advanced_to=State.IN_ACCEPTANCE,
        advance_with={"city_user": city},
    )
    in_publicity = ApplicationFactory(
        complete=True,
        organisation=OrganisationFactory(county=yc),
        advanced_to=State.IN_PUBLICITY,
        advance_with={"city_user": city},
    )
    publicity = in_publicity.publicities.get()
    objection = review_services.objection_add(
        publicity=publicity,
        application=in_publicity,
        user=city,
        name="异议人",
        phone="13800000000",
        reasons="数据不实。",
        received_on=publicity.starts_on,
    )
    online, _ = review_services.objection_file_online(
        publicity=publicity,
        application=in_publicity,
        name="网上异议人",
        phone="13800000001",
        reasons="材料不实。",
        evidence=upload(),
    )
    recognised = ApplicationFactory(
        complete=True,
        organisation=OrganisationFactory(county=yc),
        advanced_to=State.RECOGNISED,
        advance_with={"city_user": city},
    )
    base = recognised.base
    upward = review_services.upward_recommendation_open(
        base=base,
        user=county_clerk(yc),
        level="provincial",
        county_on=base.recognised_on,
        opinion="同意推荐。",
        files=[upload("初审推荐表.pdf")],
    )
    case = review_services.revocation_notice_serve(
        application=recognised, user=city, ground="other", facts="经查。", served_on=base.recognised_on
    )
    # 第十四条, 第十六条: a report on the year of recognition, submitted; the base a liaison unit.
    report = YearlyReport.objects.create(
        base=base, year=base.recognised_on.year, status="submitted", submitted_at=timezone.now(), **REPORT
    )
    review_services.liaison_designate(
        base=base, user=city, officer_name="联络员", officer_phone="13800000000", since=base.recognised_on
    )
    # The draft's organisation is also a 贯标企业 of 越城区: another county's staff must not see it.
    enterprise = target_services.standard_enterprise_add(
        user=city,
        credit_code=draft.organisation.credit_code,
        name=draft.organisation.name,
        county=yc,
        year=base.recognised_on.year,
        practice="implementing",
    )
    certificate = review_services.certificate_issue(base=base, user=city)
    clerk = county_clerk(yc)
    bundle = review_services.form_bundle_request(user=clerk, applications=[draft])
    review_services.form_bundle_build(bundle_id=bundle.pk)  # queued after commit, which a test never reaches
    objects = {
        "enterprise": enterprise,
        "draft": draft,
        "submitted": submitted,
        "bundle": bundle,
        "candidate": candidate,
        "in_acceptance": in_acceptance,
        "in_publicity": in_publicity,
        "publicity": publicity,
        "objection": objection,
        "online_objection": online,
        "recognised": recognised,
        "base": base,
        "upward": upward,
        "case": case,
        "certificate": certificate,
        "report": report,
    }
    users = {
        "outsider": UserFactory(role="applicant", organisation=OrganisationFactory(county=yc)),
        "other_county": county_clerk(kq),
        "county": clerk,
        "city": city,
        "admin": UserFactory(city_admin=True, is_superuser=True),
        # 分管领导: the city bureau's reads every application and approves city-level ones (报批);
        # 柯桥区's sees only its county's, so nothing here.
        "leader": UserFactory(city_leader=True),
        "other_leader": UserFactory(county_leader=True, county=kq),
    }
    return World(objects, users)


def target(name: str, world: World):
    """The URL of the route for the object it is made for, and that object's application."""
    o = world.objects
    on = {
        "bases:application-edit": ("draft", {"pk": o["draft"].pk}),
        "reviews:application-detail": ("draft", {"pk": o["draft"].pk}),
        "reviews:application-transition": ("draft", {"pk": o["draft"].pk, "action": "submit"}),
        "reviews:attachment-upload": ("draft", {"pk": o["draft"].pk}),
        "reviews:signed-form-upload": ("submitted", {"pk": o["submitted"].pk}),
        "bases:application-print": ("draft", {"pk": o["draft"].pk}),
        "bases:form-blank": ("draft", {"base_type": "point"}),
        "reviews:form-bundle-detail": ("draft", {"public_id": o["bundle"].public_id}),
        "reviews:form-bundle-download": ("draft", {"public_id": o["bundle"].public_id}),
        "bases:attachment-download": ("draft", {"pk": o["draft"].attachments.first().pk}),
        "bases:attachment-delete": ("draft", {"pk": o["draft"].attachments.first().pk}),
        "bases:organisation-detail": ("draft", {"pk": o["draft"].organisation_id}),
        "bases:county-rules-detail": ("draft", {"county_id": o["draft"].county_id, "year": o["draft"].batch.year}),
        "bases:county-rules-edit": ("draft", {"county_id": o["draft"].county_id, "year": o["draft"].batch.year}),
        "reviews:guidance-add": ("candidate", {"pk": o["candidate"].pk}),
        "password_reset_confirm": ("draft", {"uidb64": "MQ", "token": "invalid-token"}),
        "reviews:acceptance-record-add": ("in_acceptance", {"pk": o["in_acceptance"].pk}),
        "reviews:publicity-detail": ("in_publicity", {"pk": o["publicity"].pk}),
        "reviews:publicity-close": ("in_publicity", {"pk": o["publicity"].pk}),
        "reviews:publicity-recognise": ("in_publicity", {"pk": o["publicity"].pk}),
        "reviews:objection-add": ("in_publicity", {"pk": o["publicity"].pk}),
        "reviews:objection-reply": ("in_publicity", {"pk": o["objection"].pk}),
        "reviews:objection-answer": ("in_publicity", {"pk": o["objection"].pk}),
        "reviews:objection-evidence": ("in_publicity", {"pk": o["online_objection"].pk}),
        "portal:base-detail": ("recognised", {"public_id": o["base"].public_id}),
        "portal:base-download": ("recognised", {"fmt": "csv"}),
        "portal:publicity-detail": ("in_publicity", {"pk": o["publicity"].pk}),
        "portal:objection-file": ("in_publicity", {"pk": o["publicity"].pk}),
        "reviews:base-detail": ("recognised", {"pk": o["base"].pk}),
        "reviews:upward-open": ("recognised", {"pk": o["base"].pk}),
        "reviews:upward-detail": ("recognised", {"pk": o["upward"].pk}),
        "reviews:upward-decide": ("recognised", {"pk": o["upward"].pk}),
        "reviews:upward-outcome": ("recognised", {"pk": o["upward"].pk}),
        "reviews:upward-document": ("recognised", {"pk": o["upward"].documents.get().pk}),
        "reviews:revocation-notice": ("recognised", {"pk": o["recognised"].pk}),
        "reviews:revocation-statement": ("recognised", {"pk": o["case"].pk}),
        "reviews:revocation-close": ("recognised", {"pk": o["case"].pk}),
        "reviews:yearly-report": ("recognised", {"pk": o["base"].pk, "year": o["report"].year}),
        "reviews:yearly-report-review": ("recognised", {"pk": o["report"].pk}),
        "reviews:yearly-report-revocation": ("recognised", {"pk": o["report"].pk}),
        "reviews:base-support-add": ("recognised", {"pk": o["base"].pk}),
        "reviews:base-service-add": ("recognised", {"pk": o["base"].pk}),
        "reviews:liaison-add": ("recognised", {"pk": o["base"].pk}),
        "reviews:liaison-end": ("recognised", {"pk": o["base"].pk}),
        "targets:chart": ("draft", {"name": "completion"}),
        "targets:county-summary-export": ("draft", {"pk": o["draft"].organisation.county_id}),
        "targets:enterprise-remove": ("draft", {"pk": o["enterprise"].pk}),
        "reviews:document-download": ("recognised", {"pk": o["certificate"].pk}),
        # Public: the page shows what the certificate states to anyone holding its QR code, so the
        # names it must not leak are those of another application (the draft), not the certificate's.
        "reviews:document-verify": ("draft", {"public_id": o["certificate"].public_id}),
    }
    key, kwargs = on.get(name, ("draft", {}))
    return reverse(name, kwargs=kwargs), o[key]


def answer(response, url) -> str:
    if response.status_code == 302:
        return "L" if response["Location"].startswith(f"/accounts/login/?next={url}") else "302"
    return str(response.status_code)


def routes():
    return sorted(name for name, _, _ in url_patterns() if not name.startswith("admin:"))


OUTSIDE = ("anonymous", "outsider", "other_county", "other_leader")
# Routes that publish their object's name (第十四条, 第十一条（五）): the name is no leak there; its
# reference number and credit code still are.
PUBLISHED = {
    "portal:base-detail",
    "portal:base-download",
    "portal:publicity-detail",
    "portal:objection-file",
}


def snapshot():
    """What a request from outside the scope must leave as it was."""
    return (
        list(Application.objects.order_by("pk").values_list("pk", "state", "version")),
        [
            model.objects.count()
            for model in (
                ApplicationLog,
                Attachment,
                Objection,
                Publicity,
                RevocationCase,
                Base,
                StandardEnterprise,
                FormBundle,
                YearlyReport,
                YearlyReportLog,
                UpwardRecommendation,
                UpwardRecommendationLog,
                UpwardDocument,
            )
        ],
        list(Target.objects.order_by("pk").values_list("pk", "count")),
    )


def observe(world: World, role: str) -> dict[str, tuple[str, str]]:
    """The answers the role gets; for those outside the object's scope, also that no answer names the
    application, its organisation or its credit code."""
    observed = {}
    for name in routes():
        url, application = target(name, world)
        user = applicant_of(application) if role == "applicant" else world.users.get(role)
        client = Client()
        if user is not None:
            client.force_login(user)
        codes = []
        for method in ("get", "post"):
            with transaction.atomic():
                before = snapshot() if role in OUTSIDE else None
                response = getattr(client, method)(url)
                if before is not None:
                    assert snapshot() == before, f"{method.upper()} {url} as {role} changed the database"
                transaction.set_rollback(True)
            codes.append(answer(response, url))
            if role in OUTSIDE and not response.streaming:
                body = response.content.decode(errors="replace")  # a PDF is bytes
                organisation = application.organisation
                private = [application.reference, organisation.credit_code]
                if name not in PUBLISHED:
                    private.append(organisation.name)
                leaked = [s for s in private if s in body]
                assert not leaked, f"{method.upper()} {url} as {role} shows {leaked}"
        observed[name] = tuple(codes)
    return observed


def test_every_route_has_its_row():
    assert sorted(MATRIX) == routes()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_answer_of_the_matrix(world, role):
    observed = observe(world, role)
    column = ROLES.index(role)
    if os.environ.get("MATRIX_PRINT"):
        for name, codes in observed.items():
            print(f"MATRIX {role} {name} {codes[0]} {codes[1]}")
    expected = {
        name: (row[0].split()[column], row[1].split()[column]) for name, row in MATRIX.items() if name in observed
    }
    wrong = {name: (observed[name], expected.get(name)) for name in observed if observed[name] != expected.get(name)}
    assert not wrong, "\n".join(f"{name}: got {got}, expected {want}" for name, (got, want) in sorted(wrong.items()))
