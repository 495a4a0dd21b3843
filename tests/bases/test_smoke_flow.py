import pytest
from django.urls import reverse

from bases.choices import State
from tests.factories import ApplicationFactory, UserFactory, add_evidence

pytestmark = pytest.mark.django_db


def test_applicant_submits_complete_application_state_becomes_submitted(client):
    app = ApplicationFactory(complete=True)
    add_evidence(app)
    user = UserFactory(role="applicant", organisation=app.organisation)
    client.force_login(user)
    detail = client.get(reverse("reviews:application-detail", args=[app.pk]))
    assert "提交申报" in detail.content.decode()
    response = client.post(reverse("reviews:application-transition", args=[app.pk, "submit"]), {"version": app.version})
    app.refresh_from_db()
    assert response.status_code == 302
    assert app.state == State.SUBMITTED
    assert [e.transition for e in app.log.all()] == ["submit"]
