"""公示 for the public (第十一条（五）): the current and past 公示, an objection filed online while one
runs (real name, contact, evidence checked as uploads are, CSRF, throttled per client address),
answered with a reference and a code shown once; the objector reads the written reply with both;
the staff handle online and registered objections in one queue."""

import datetime
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bases import lookup_codes
from bases.choices import ObjectionOutcome
from reviews import services
from reviews.choices import ObjectionChannel
from reviews.models import Notification, Objection
from tests.factories import (
    ApplicationFactory,
    applicant_of,
    backdate_publicity,
    county,
    county_clerk,
    pdf_bytes,
    upload,
)
from tests.helpers import messages_shown

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"异议编号：(YY\d+)；查询码：([0-9A-Z]{12})。")


@pytest.fixture
def running(city):
    """A 公示 running today with two applications in it."""
    first = ApplicationFactory(in_publicity=True, advance_with={"city_user": city})
    publicity = first.publicities.get()
    return publicity, first


def form(objected, **overrides):
    return {
        "application": objected.pk,
        "name": "钱多多",
        "organisation": "绍兴某纺织有限公司",
        "phone": "13812345678",
        "email": "qian@example.com",
        "reasons": "该单位所报培训人数与实际不符，附培训通知。",
        **overrides,
    }


def file_online(client, publicity, data, **extra):
    return client.post(reverse("portal:objection-file", args=[publicity.pk]), data, **extra)


def test_publicity_pages_show_current_and_past_with_periods_and_listed_names(client, city, running):
    publicity, application = running
    past = ApplicationFactory(recognised=True, advance_with={"city_user": city}).publicities.get()
    scheduled = ApplicationFactory(accepted=True, advance_with={"city_user": city})
    later = services.publicity_open(
        applications=[(scheduled, scheduled.version)],
        user=city,
        title="下月公示",
        starts_on=timezone.localdate() + datetime.timedelta(days=10),
    )

    html = client.get(reverse("portal:publicity-list")).content.decode()
    detail = client.get(reverse("portal:publicity-detail", args=[publicity.pk])).content.decode()

    assert publicity.title in html and past.title in html
    assert later.title not in html  # not begun yet
    assert client.get(reverse("portal:publicity-detail", args=[later.pk])).status_code == 404
    assert application.display_name in detail and "公示中" in detail
    s, e = publicity.starts_on, publicity.ends_on
    assert f"{s.year}年{s.month}月{s.day}日 至 {e.year}年{e.month}月{e.day}日" in detail
    assert 'id="objection-privacy"' in detail and 'enctype="multipart/form-data"' in detail
    past_detail = client.get(reverse("portal:publicity-detail", args=[past.pk])).content.decode()
    assert "已结束" in past_detail and "不再受理异议" in past_detail and '<form method="post"' not in past_detail


def test_an_objection_filed_online_gets_a_reference_and_a_code_shown_once(client, running):
    publicity, application = running

    response = file_online(client, publicity, {**form(application), "evidence": upload("培训通知.pdf")})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:objection-lookup"))
    page = client.get(response["Location"])
    (message,) = messages_shown(page)
    reference, code = RECEIPT.search(message).groups()
    objection = Objection.objects.get()
    assert objection.reference == reference and reference in page.content.decode()
    assert objection.channel == ObjectionChannel.ONLINE and objection.recorded_by is None
    assert (objection.name, objection.phone, objection.received_on) == ("钱多多", "13812345678", timezone.localdate())
    # kept as the keyed digest bound to its number, as an application's 查询码 is (bases/lookup_codes.py)
    assert code not in objection.lookup_code_hash
    assert objection.lookup_code_hash == lookup_codes.digest(reference, code)
    assert (objection.evidence_kind, objection.evidence_name) == ("pdf", "培训通知.pdf")
    assert objection.evidence.read() == pdf_bytes()
    # shown once: the next page does not say it again
    assert code not in client.get(reverse("portal:objection-lookup")).content.decode()
    # the applicant is told, without the objector
    (notice,) = Notification.objects.filter(kind="objection")
    assert reference in notice.message and "钱多多" not in notice.message


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"name": ""}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"reasons": ""}, "reasons"),
        ({"application": "999999"}, "application"),
        ({"evidence": upload("报告.pdf", b"MZ\x90\x00 not a pdf")}, "evidence"),
    ],
)
def test_an_objection_without_name_contact_reasons_or_with_a_bad_file_is_refused(client, running, overrides, field):
    publicity, application = running

    response = file_online(client, publicity, form(application, **overrides))

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Objection.objects.count() == 0


def test_no_objection_is_taken_once_the_publicity_has_ended(client, running):
    publicity, application = running
    backdate_publicity(publicity, days=10)

    response = file_online(client, publicity, form(application))

    assert response.status_code == 400 and Objection.objects.count() == 0
    assert "不再受理异议" in response.content.decode()


def test_the_objection_form_is_protected_against_cross_site_posts(running):
    publicity, application = running

    response = file_online(Client(enforce_csrf_checks=True), publicity, form(application))

    assert response.status_code == 403 and Objection.objects.count() == 0


def test_the_sixth_objection_within_the_hour_from_one_address_answers_429(client, running):
    publicity, application = running
    statuses = [
        file_online(client, publicity, form(application, name=f"异议人{i}"), REMOTE_ADDR="198.51.100.8").status_code
        for i in range(6)
    ]
    other = file_online(client, publicity, form(application, name="他人"), REMOTE_ADDR="198.51.100.9")

    assert statuses == [302] * 5 + [429]
    assert other.status_code == 302
    assert Objection.objects.count() == 6


# --- The objector's lookup -----------------------------------------------------------------------------


def lookup(client, reference, code, ip="203.0.113.5"):
    return client.post(reverse("portal:objection-lookup"), {"reference": reference, "code": code}, REMOTE_ADDR=ip)


def filed(client, publicity, application):
    page = client.get(file_online(client, publicity, form(application))["Location"])
    return RECEIPT.search(messages_shown(page)[0]).groups()


def test_the_objector_reads_the_written_reply_with_reference_and_code(client, city, running):
    publicity, application = running
    reference, code = filed(client, publicity, application)

    before = lookup(client, reference, code.lower()).content.decode()
    services.objection_reply(
        objection=Objection.objects.get(reference=reference),
        user=city,
        outcome=ObjectionOutcome.DISMISSED,
        reply="经核查培训签到表，培训人数属实，异议不成立。",
    )
    after = lookup(client, f" {reference.lower()} ", f"{code[:4]}-{code[4:]}").content.decode()

    assert "尚未答复" in before and "异议不成立" not in before
    assert "经核查培训签到表，培训人数属实，异议不成立。" in after and "已答复" in after
    assert "钱多多" not in after and "13812345678" not in after


def test_a_wrong_code_and_an_unknown_reference_get_the_same_answer(client, city, running):
    publicity, application = running
    reference, code = filed(client, publicity, application)
    registered = services.objection_add(
        publicity=publicity,
        application=application,
        user=city,
        name="孙立",
        phone="13900000000",
        reasons="理由。",
        received_on=timezone.localdate(),
    )

    answers = [
        lookup(client, reference, "A" * 12),
        lookup(client, "YY20990001", code),
        lookup(client, registered.reference, "C" * 12),  # registered by staff: no code opens it
        lookup(client, reference, code[:-1]),
    ]

    assert {a.status_code for a in answers} == {400}
    bodies = {re.sub(r"value=\"[^\"]*\"|csrfmiddlewaretoken[^>]*", "", a.content.decode()) for a in answers}
    assert len(bodies) == 1 and "编号或查询码不正确" in bodies.pop()


def test_an_objection_code_kept_as_a_password_hash_before_digests_still_opens_the_reply(client, running):
    publicity, application = running
    reference, code = filed(client, publicity, application)
    Objection.objects.filter(reference=reference).update(lookup_code_hash=make_password(code))

    assert lookup(client, reference, code).status_code == 200
    assert lookup(client, reference, "A" * 12).status_code == 400
    assert lookup(client, reference, code[:-1] + ("B" if code[-1] != "B" else "C")).status_code == 400


def test_lookups_are_throttled_per_client_address(client, running):
    publicity, application = running
    reference, code = filed(client, publicity, application)

    statuses = [lookup(client, reference, "B" * 12, ip="192.0.2.77").status_code for _ in range(21)]

    assert statuses == [400] * 20 + [429]
    assert lookup(client, reference, code, ip="192.0.2.77").status_code == 429
    assert lookup(client, reference, code, ip="192.0.2.78").status_code == 200


# --- Staff: one queue ------------------------------------------------------------------------------------


def test_staff_handle_online_and_registered_objections_in_one_queue(client, city, running):
    publicity, application = running
    filed(client, publicity, application)
    services.objection_add(
        publicity=publicity,
        application=application,
        user=city,
        name="孙立",
        phone="13900000000",
        reasons="来信反映。",
        received_on=timezone.localdate(),
    )
    client.force_login(city)

    queue = client.get(reverse("reviews:objection-list"))
    detail = client.get(reverse("reviews:publicity-detail", args=[publicity.pk])).content.decode()

    listed = [o.reference for o in queue.context["page"]]
    assert listed == [o.reference for o in Objection.objects.order_by("received_on", "pk")]
    html = queue.content.decode()
    assert "网上提交" in html and "工作人员登记" in html
    assert "网上提交" in detail and "工作人员登记" in detail


def test_a_replied_objection_leaves_the_pending_queue_and_shows_under_all(client, city, running):
    publicity, application = running
    reference, _ = filed(client, publicity, application)
    services.objection_reply(
        objection=Objection.objects.get(), user=city, outcome=ObjectionOutcome.DISMISSED, reply="不成立。"
    )
    client.force_login(city)

    assert list(client.get(reverse("reviews:objection-list")).context["page"]) == []
    assert [o.reference for o in client.get(reverse("reviews:objection-list"), {"all": "1"}).context["page"]] == [
        reference
    ]


def test_a_county_sees_only_the_objections_of_its_own_publicities(client, city, running):
    publicity, application = running
    filed(client, publicity, application)
    clerk = county_clerk(county("越城区"))
    client.force_login(clerk)

    assert list(client.get(reverse("reviews:objection-list")).context["page"]) == []
    assert client.get(reverse("reviews:objection-evidence", args=[Objection.objects.get().pk])).status_code == 404


def test_the_evidence_file_is_downloaded_by_the_staff_of_the_publicity_only(client, city, running):
    publicity, application = running
    file_online(client, publicity, {**form(application), "evidence": upload("证据.html", pdf_bytes())})
    objection = Objection.objects.get()
    url = reverse("reviews:objection-evidence", args=[objection.pk])

    anonymous = client.get(url)
    client.force_login(applicant_of(application))
    applicant = client.get(url)
    client.force_login(city)
    staff = client.get(url)

    assert anonymous.status_code == 302 and applicant.status_code == 404
    assert staff.status_code == 200 and b"".join(staff.streaming_content) == pdf_bytes()
    assert (
        staff["Content-Type"] == "application/pdf"
        and "filename*=utf-8''%E8%AF%81%E6%8D%AE.pdf" in staff["Content-Disposition"]
    )
