"""With S3_BUCKET set, evidence and issued documents go to a private bucket (moto stands in for the
S3-compatible store), downloads still stream through the permission-checking view, and nothing is
written to the web node's own disk."""

import hashlib

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from moto import mock_aws

from bases.models import Attachment
from bases.storage import DOCUMENTS
from tests.factories import ApplicationFactory, UserFactory, pdf_bytes, png_bytes
from tests.test_deployment import production_env, settings_under

pytestmark = pytest.mark.django_db

BUCKET = "sxamr-trade-secret"


@pytest.fixture(scope="module")
def s3_storages():
    """settings.STORAGES exactly as the settings build them from the S3_* variables (AWS's own endpoint,
    which moto intercepts)."""
    env = production_env(
        S3_BUCKET=BUCKET, S3_REGION="us-east-1", S3_ACCESS_KEY_ID="testing", S3_SECRET_ACCESS_KEY="testing"
    )
    return settings_under(env, "STORAGES")["STORAGES"]


@pytest.fixture
def bucket(settings, s3_storages, private_storage):
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **s3_storages,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        yield client


def objects(client) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read() for o in listing}


def local_files(root) -> set:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def application():
    return ApplicationFactory(base_type="point")


def test_upload_goes_to_the_bucket_and_the_view_streams_it_back(client, application, bucket, private_storage):
    client.force_login(application.created_by)
    content = png_bytes()

    client.post(
        reverse("reviews:attachment-upload", args=[application.pk]),
        {"condition_code": "point-1", "file": SimpleUploadedFile("办公场所照片.png", content)},
    )
    attachment = Attachment.objects.get(application=application)
    response = client.get(reverse("bases:attachment-download", args=[attachment.pk]))

    assert objects(bucket) == {attachment.file.name: content}
    assert attachment.file.name.startswith(f"attachments/{application.pk}/")
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert response.status_code == 200 and not response.has_header("Location")
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/png"
    assert local_files(private_storage) == set()


def test_bucket_object_is_not_public_and_its_url_is_signed(client, application, bucket):
    client.force_login(application.created_by)
    client.post(
        reverse("reviews:attachment-upload", args=[application.pk]),
        {"condition_code": "point-1", "file": SimpleUploadedFile("证明.pdf", pdf_bytes())},
    )
    attachment = Attachment.objects.get(application=application)

    grants = bucket.get_object_acl(Bucket=BUCKET, Key=attachment.file.name)["Grants"]

    assert [(g["Grantee"]["Type"], g["Permission"]) for g in grants] == [("CanonicalUser", "FULL_CONTROL")]
    assert "X-Amz-Signature=" in attachment.file.url and "X-Amz-Expires=300" in attachment.file.url


def test_download_out_of_scope_user_gets_404_from_the_bucket_too(client, application, bucket):
    owner = application.created_by
    client.force_login(owner)
    client.post(
        reverse("reviews:attachment-upload", args=[application.pk]),
        {"condition_code": "point-1", "file": SimpleUploadedFile("证明.pdf", pdf_bytes())},
    )
    attachment = Attachment.objects.get(application=application)
    client.force_login(UserFactory(applicant=True))

    response = client.get(reverse("bases:attachment-download", args=[attachment.pk]))

    assert response.status_code == 404 and not hasattr(response, "streaming_content")


def test_deleting_an_attachment_deletes_its_object(client, application, bucket, django_capture_on_commit_callbacks):
    client.force_login(application.created_by)
    client.post(
        reverse("reviews:attachment-upload", args=[application.pk]),
        {"condition_code": "point-1", "file": SimpleUploadedFile("证明.pdf", pdf_bytes())},
    )
    attachment = Attachment.objects.get(application=application)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("bases:attachment-delete", args=[attachment.pk]))

    assert objects(bucket) == {}
    assert list(Attachment.objects.filter(application=application)) == []


def test_documents_storage_writes_under_documents_and_reads_back(bucket, private_storage):
    name = DOCUMENTS.save("certificates/SX-2026-001.pdf", ContentFile(pdf_bytes()))

    with storages["documents"].open(name, "rb") as stored:
        assert stored.read() == pdf_bytes()
    assert objects(bucket) == {f"documents/{name}": pdf_bytes()}
    assert local_files(private_storage) == set()


def test_documents_storage_never_overwrites_an_issued_document(bucket):
    first = DOCUMENTS.save("certificates/SX-2026-001.pdf", ContentFile(b"%PDF-1.7 first"))
    second = DOCUMENTS.save("certificates/SX-2026-001.pdf", ContentFile(b"%PDF-1.7 second"))

    assert first != second
    assert objects(bucket) == {f"documents/{first}": b"%PDF-1.7 first", f"documents/{second}": b"%PDF-1.7 second"}


def test_documents_storage_without_a_bucket_is_the_private_folder(private_storage):
    name = DOCUMENTS.save("certificates/SX-2026-001.pdf", ContentFile(pdf_bytes()))

    assert (private_storage / "documents" / name).read_bytes() == pdf_bytes()
