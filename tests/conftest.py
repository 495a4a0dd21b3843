import pytest
from django.core.management import call_command


def load_reference_data():
    """Counties, industries and the holiday table. The table covers the years the chinese-calendar
    package knows; so that the suite runs in any year, this year and the next are covered too
    (weekends only) when the package does not know them yet."""
    from django.utils import timezone

    from bases.models import CalendarYear

    call_command("load_reference_data", verbosity=0)
    year = timezone.localdate().year
    for covered in (year, year + 1):
        CalendarYear.objects.get_or_create(year=covered, defaults={"source": "测试：仅按周末计算"})


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Counties, industries and the holiday table are reference data every test relies on."""
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Factories set a password on every user; PBKDF2's million rounds would dominate the suite, and
    so would the 200,000 of the password history's own hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.DPV_DEFAULT_HISTORY_HASHER = "tests.helpers.FastHistoryHasher"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Uploaded files go to a fresh directory per test, never the developer's var/."""
    folder = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    settings.STORAGES = {
        "default": {**folder, "OPTIONS": {"location": str(tmp_path / "private")}},
        "private": {**folder, "OPTIONS": {"location": str(tmp_path / "private")}},
        "documents": {**folder, "OPTIONS": {"location": str(tmp_path / "private" / "documents")}},
        # No collectstatic in tests: serve from the finders.
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True
    return tmp_path / "private"


@pytest.fixture(autouse=True)
def reference_data_after_flush(request):
    """Transactional tests flush the database after themselves, reference data included: reload it."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        load_reference_data()
