import pytest

from tests.factories import ApplicationFactory


@pytest.fixture
def application():
    """A 示范点 application (draft) of its own organisation; modules that need others define their own."""
    return ApplicationFactory(base_type="point")


@pytest.fixture
def applicant_client(client, application):
    client.force_login(application.created_by)
    return client
