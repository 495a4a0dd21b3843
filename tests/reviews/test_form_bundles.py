"""打包下载申报表: the city or a county ticks applications (or takes a whole 公示) and gets one zip
of their printed forms, built by a Celery task (eagerly here, as without REDIS_URL) through the
stored PDFs of bases/printing.py, its progress on its page; scoped to who asked."""

import datetime
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from bases import printing
from bases.models import Application
from reviews import services
from reviews.choices import BundleStatus
from reviews.models import FormBundle
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory, county, county_clerk

pytestmark = pytest.mark.django_db


@pytest.fixture
def yuecheng():
    """Two submitted applications of 越城区 and one of 柯桥区."""
    mine = [
        ApplicationFactory(submitted=True, organisation=OrganisationFactory(county=county("越城区"))) for _ in range(2)
    ]
    other = ApplicationFactory(submitted=True, organisation=OrganisationFactory(county=county("柯桥区")))
    return mine, other


def zip_names(content: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert all(archive.read(name).startswith(b"%PDF-") for name in archive.namelist())
        return archive.namelist()


def test_county_ticks_applications_and_downloads_the_zip_of_those_in_its_scope(
    client, yuecheng, django_capture_on_commit_callbacks
):
    mine, other = yuecheng
    clerk = county_clerk(county("越城区"))
    client.force_login(clerk)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:form-bundle-list"), {"applications": [a.pk for a in (*mine, other)]})

    bundle = FormBundle.objects.get()
    page = client.get(response["Location"]).content.decode()
    download = client.get(reverse("reviews:form-bundle-download", args=[bundle.public_id]))
    expected = sorted(f"附表3-{a.display_name}-{a.reference}.pdf" for a in mine)
    assert response["Location"] == reverse("reviews:form-bundle-detail", args=[bundle.public_id])
    assert (bundle.status, bundle.done, bundle.total, bundle.requested_by) == (BundleStatus.DONE, 2, 2, clerk)
    assert set(bundle.applications.all()) == set(mine)
    assert f'href="{reverse("reviews:form-bundle-download", args=[bundle.public_id])}"' in page
    assert (download.status_code, download["Content-Type"]) == (200, "application/zip")
    assert sorted(zip_names(b"".join(download.streaming_content))) == expected


def test_a_whole_publicity_in_one_zip(client, django_capture_on_commit_callbacks):
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_publicity=True, advance_with={"city_user": city})
    publicity = application.publicities.get()
    client.force_login(city)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reviews:form-bundle-list"), {"publicity": publicity.pk})

    bundle = FormBundle.objects.get()
    assert (bundle.title, bundle.publicity, bundle.done) == (publicity.title, publicity, 1)
    assert zip_names(bundle.file.read()) == [printing.form_filename(application)]


def test_the_publicity_page_offers_its_zip(client):
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(in_publicity=True, advance_with={"city_user": city})
    publicity = application.publicities.get()
    client.force_login(city)

    page = client.get(reverse("reviews:publicity-detail", args=[publicity.pk])).content.decode()

    assert f'<input type="hidden" name="publicity" value="{publicity.pk}">' in page
    assert "打包下载本公示申报表（ZIP，1 份）" in page


def test_forms_already_stored_are_not_rendered_again(yuecheng, monkeypatch):
    mine, _ = yuecheng
    printing.application_form_pdf(Application.objects.get(pk=mine[0].pk))
    rendered = []
    real = printing.render
    monkeypatch.setattr(printing, "render", lambda form: rendered.append(form.reference) or real(form))
    bundle = services.form_bundle_request(user=county_clerk(county("越城区")), applications=mine)

    services.form_bundle_build(bundle_id=bundle.pk)

    assert rendered == [mine[1].reference]


def test_progress_is_written_after_each_form(yuecheng, monkeypatch):
    mine, _ = yuecheng
    bundle = services.form_bundle_request(user=county_clerk(county("越城区")), applications=mine)
    seen = []
    real = printing.application_form_pdf

    def watched(application):
        seen.append(FormBundle.objects.values_list("status", "done").get(pk=bundle.pk))
        return real(application)

    monkeypatch.setattr(printing, "application_form_pdf", watched)

    services.form_bundle_build(bundle_id=bundle.pk)

    assert seen == [(BundleStatus.RUNNING, 0), (BundleStatus.RUNNING, 1)]


def test_the_page_follows_the_progress_as_json(client, yuecheng):
    mine, _ = yuecheng
    clerk = county_clerk(county("越城区"))
    bundle = services.form_bundle_request(user=clerk, applications=mine)  # queued after commit: not yet built
    client.force_login(clerk)
    url = reverse("reviews:form-bundle-detail", args=[bundle.public_id]) + "?format=json"

    before = client.get(url).json()
    services.form_bundle_build(bundle_id=bundle.pk)
    after = client.get(url).json()

    assert before == {"status": "queued", "label": "排队中", "done": 0, "total": 2, "finished": False, "download": ""}
    assert after == {
        "status": "done",
        "label": "已完成",
        "done": 2,
        "total": 2,
        "finished": True,
        "download": reverse("reviews:form-bundle-download", args=[bundle.public_id]),
    }


def test_a_failure_is_recorded_and_shown(client, yuecheng, monkeypatch):
    mine, _ = yuecheng
    clerk = county_clerk(county("越城区"))
    bundle = services.form_bundle_request(user=clerk, applications=mine)
    monkeypatch.setattr(printing, "application_form_pdf", lambda application: 1 / 0)
    client.force_login(clerk)

    services.form_bundle_build(bundle_id=bundle.pk)
    page = client.get(reverse("reviews:form-bundle-detail", args=[bundle.public_id])).content.decode()

    bundle.refresh_from_db()
    assert (bundle.status, bundle.error, bool(bundle.file)) == (
        BundleStatus.FAILED,
        "ZeroDivisionError: division by zero",
        False,
    )
    assert "生成失败：ZeroDivisionError: division by zero" in page


def test_nothing_ticked_is_refused_with_a_message(client, yuecheng):
    client.force_login(county_clerk(county("越城区")))

    response = client.post(reverse("reviews:form-bundle-list"), {"applications": ["abc", "0", "99999999"]})

    assert response.status_code == 400 and "请至少勾选一份申报。" in response.content.decode()
    assert not FormBundle.objects.exists()


def test_only_bureau_staff_ask_and_only_the_asker_sees_the_zip(client, yuecheng):
    mine, _ = yuecheng
    bundle = services.form_bundle_request(user=county_clerk(county("越城区")), applications=mine)
    services.form_bundle_build(bundle_id=bundle.pk)
    applicant = UserFactory(role="applicant", organisation=mine[0].organisation)
    answers = {}
    for name, user in (
        ("applicant", applicant),
        ("other county", county_clerk(county("柯桥区"))),
        ("city", UserFactory(city_reviewer=True)),
    ):
        client.force_login(user)
        answers[name] = (
            client.post(reverse("reviews:form-bundle-list"), {"applications": [mine[0].pk]}).status_code,
            client.get(reverse("reviews:form-bundle-detail", args=[bundle.public_id])).status_code,
            client.get(reverse("reviews:form-bundle-download", args=[bundle.public_id])).status_code,
        )

    assert answers == {"applicant": (403, 404, 404), "other county": (400, 404, 404), "city": (302, 404, 404)}


def test_the_list_page_lets_bureau_staff_tick_and_applicants_not(client, yuecheng):
    mine, _ = yuecheng
    pages = {}
    for name, user in (("county", county_clerk(county("越城区"))), ("applicant", mine[0].created_by)):
        client.force_login(user)
        pages[name] = client.get(reverse("bases:application-list")).content.decode()

    box = f'<input type="checkbox" name="applications" value="{mine[0].pk}"'
    assert box in pages["county"] and "打包下载所选申报表（ZIP）" in pages["county"]
    assert box not in pages["applicant"] and "form-bundles" not in pages["applicant"]


def test_zips_older_than_a_week_are_removed_by_the_daily_job(yuecheng, private_storage):
    mine, _ = yuecheng
    clerk = county_clerk(county("越城区"))
    old, new = (services.form_bundle_request(user=clerk, applications=mine) for _ in range(2))
    for bundle in (old, new):
        services.form_bundle_build(bundle_id=bundle.pk)
    FormBundle.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    old.refresh_from_db()
    path = private_storage / "documents" / old.file.name

    removed = services.daily_housekeeping_run()["form_bundles"]

    assert (removed, list(FormBundle.objects.all()), path.exists()) == (1, [new], False)
