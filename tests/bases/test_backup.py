"""Backups (bases/backup.py; manage.py backup and restore): a round trip from the suite's database into a
fresh empty one (PostgreSQL: a new database on the same server; SQLite: a new file), comparing the
rows of every table, the applications, the sealed log (verify_log passes on the copy) and the bytes of
every file; a backup with one byte changed refused before anything is touched; a target holding data
refused unless forced, and then backed up first."""

import io
import json
import re
import subprocess
import tarfile
import uuid
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from bases import backup as backup_module
from bases.backup import BackupError, Postgres, backup_create
from bases.models import Application, ApplicationLog, Attachment, LogHead
from bases.services import attachment_add
from reviews.models import IssuedDocument
from tests.factories import ApplicationFactory, pdf_bytes, upload

committed = pytest.mark.django_db(transaction=True)  # a backup reads what is committed

POSTGRESQL = connection.vendor == "postgresql"
SQLITE = connection.vendor == "sqlite"


@pytest.fixture
def recorded():
    """A recommended application (its log entries sealed, one evidence PDF per condition stored) and a
    draft with a file added through the service (a log entry and the file's real digest)."""
    recommended = ApplicationFactory(recommended=True)
    draft = ApplicationFactory(complete=True)
    attachment_add(application=draft, user=draft.created_by, uploaded=upload("保密制度.pdf"))
    return recommended, draft


def contents() -> dict:
    """What the restore must bring back, read through Django from the default database and storage."""
    files = {}
    for attachment in Attachment.objects.order_by("pk"):
        with attachment.file.open("rb") as stream:
            files[attachment.file.name] = stream.read()
    return {
        "applications": list(Application.objects.order_by("pk").values()),
        "log": list(ApplicationLog.objects.order_by("pk").values()),
        "heads": list(LogHead.objects.order_by("pk").values()),
        "files": files,
    }


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


def back_up(root: Path) -> Path:
    out = io.StringIO()
    call_command("backup", "--dir", str(root), verbosity=0, stdout=out)
    return Path(out.getvalue().strip())


def restore(folder: Path, *args) -> str:
    out = io.StringIO()
    call_command("restore", str(folder), *args, stdout=out, stderr=out)
    return out.getvalue()


def use_storage(settings, location: Path) -> None:
    """The private folder moved, as tests/conftest.py lays it out: evidence in it, documents under it."""
    folder = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**folder, "OPTIONS": {"location": str(location)}},
        "private": {**folder, "OPTIONS": {"location": str(location)}},
        "documents": {**folder, "OPTIONS": {"location": str(location / "documents")}},
    }


@contextmanager
def default_database(name: str):
    """Point Django's default connection (and so the commands) at another database for a while."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@contextmanager
def fresh_postgres_database():
    """An empty database with a name of its own on the suite's server, dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with closing(Postgres({**connection.settings_dict, "NAME": "postgres"}).connect()) as server:
        server.autocommit = True
        with server.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            with server.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def round_trip(settings, tmp_path, fresh_database: str) -> None:
    issued = storages["documents"].save("receipts/申报回执.pdf", ContentFile(pdf_bytes()))
    before, counts = contents(), row_counts()
    folder = back_up(tmp_path / "backups")
    use_storage(settings, tmp_path / "restored-files")

    with default_database(fresh_database):
        output = restore(folder)
        verified = io.StringIO()
        call_command("verify_log", stdout=verified)
        after, restored_counts = contents(), row_counts()
        with storages["documents"].open(issued, "rb") as stream:
            document = stream.read()
        if POSTGRESQL:  # the log's trigger came back with the tables
            with (
                pytest.raises(DatabaseError, match="办理记录只能追加"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute("DELETE FROM reviews_applicationlog")

    assert "恢复完成：各表行数与文件均与备份一致。" in output
    assert "办理记录完整：2 份申报" in verified.getvalue()
    assert restored_counts == counts
    assert after == before
    assert document == pdf_bytes()
    assert len(before["files"]) > 1 and len(before["log"]) > 1
    assert json.loads((folder / "metadata.json").read_text(encoding="utf-8"))["tables"] == counts


@pytest.mark.skipif(not POSTGRESQL, reason="runs on PostgreSQL (CI sets DATABASE_URL to it); pg_dump and pg_restore")
@committed
def test_postgresql_backup_restored_into_an_empty_database_equals_the_original(recorded, settings, tmp_path):
    with fresh_postgres_database() as name:
        round_trip(settings, tmp_path, name)


@pytest.mark.skipif(not SQLITE, reason="runs on SQLite (the default DATABASE_URL)")
@committed
def test_sqlite_backup_restored_into_a_new_file_equals_the_original(recorded, settings, tmp_path):
    round_trip(settings, tmp_path, str(tmp_path / "restored.sqlite3"))


@committed
def test_backup_folder_is_checked_by_sha256sum_and_records_the_database(recorded, tmp_path, private_storage):
    folder = back_up(tmp_path / "backups")

    checked = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=folder, capture_output=True, text=True)
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    with tarfile.open(folder / "files.tar") as archive:
        archived = {member.name for member in archive.getmembers()}

    database_file = "database.dump" if POSTGRESQL else "database.sqlite3"
    assert checked.returncode == 0
    assert sorted(checked.stdout.splitlines()) == sorted(
        f"{n}: OK" for n in (database_file, "files.tar", "metadata.json")
    )
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["MANIFEST.sha256", database_file, "files.tar", "metadata.json"]
    )
    assert metadata["engine"] == connection.vendor
    assert metadata["database"] == str(connection.settings_dict["NAME"])
    assert metadata["migrations"]["bases"] == MigrationRecorder.Migration.objects.filter(app="bases").latest("id").name
    assert metadata["tables"]["bases_application"] == 2
    # The uploads, and the receipt issued when the recommended application was submitted (in its folder).
    assert archived == set(Attachment.objects.values_list("file", flat=True)) | {
        f"documents/{name}" for name in IssuedDocument.objects.values_list("file", flat=True)
    }
    assert IssuedDocument.objects.filter(kind="receipt").exists()
    assert metadata["files"] == {
        "count": len(archived),
        "bytes": sum(p.stat().st_size for p in private_storage.rglob("*") if p.is_file()),
    }
    assert metadata["missing_files"] == []


@committed
def test_backup_names_a_referenced_file_missing_from_the_storage(recorded, tmp_path, private_storage):
    lost = Attachment.objects.order_by("pk").first().file.name
    (private_storage / lost).unlink()

    metadata = json.loads((back_up(tmp_path / "backups") / "metadata.json").read_text(encoding="utf-8"))

    assert metadata["missing_files"] == [lost]


@pytest.mark.parametrize("changed", ["database", "files.tar", "metadata.json"])
@committed
def test_backup_changed_by_one_byte_is_refused_before_anything_is_touched(recorded, settings, tmp_path, changed):
    settings.BACKUP_DIR = tmp_path / "backups"
    folder = back_up(tmp_path / "backups")
    name = ("database.dump" if POSTGRESQL else "database.sqlite3") if changed == "database" else changed
    data = bytearray((folder / name).read_bytes())
    data[len(data) // 2] ^= 0x01
    (folder / name).write_bytes(bytes(data))
    counts = row_counts()

    with pytest.raises(CommandError, match=re.escape(f"校验失败，不予恢复：{name} 的 SHA-256 与清单不符")):
        restore(folder, "--force")

    assert row_counts() == counts
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == [folder.name]  # not even a safety backup


@committed
def test_restore_into_a_database_holding_data_is_refused_without_force(recorded, tmp_path):
    folder = back_up(tmp_path / "backups")
    ApplicationFactory()
    counts = row_counts()

    with pytest.raises(CommandError, match=r"恢复目标不为空.*未做任何改动。确要覆盖，请加 --force"):
        restore(folder)

    assert row_counts() == counts


@committed
def test_forced_restore_backs_up_what_it_replaces_then_brings_the_backup_back(recorded, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "safety"
    folder = back_up(tmp_path / "backups")
    before = contents()
    ApplicationFactory()  # written after the backup: gone after the restore, kept in the safety backup

    output = restore(folder, "--force")

    safety = list((tmp_path / "safety").iterdir())
    safety_metadata = json.loads((safety[0] / "metadata.json").read_text(encoding="utf-8"))
    assert f"覆盖前的数据已备份到 {safety[0]}" in output
    assert safety_metadata["tables"]["bases_application"] == 3
    assert contents() == before
    assert Application.objects.count() == 2


@committed
def test_failed_backup_leaves_no_folder(recorded, tmp_path, private_storage, monkeypatch):
    def broken_archive(location, target):
        raise OSError("磁盘已满")

    monkeypatch.setattr(backup_module, "files_archive", broken_archive)

    with pytest.raises(OSError, match="磁盘已满"):
        backup_create(root=tmp_path / "backups", database=connection.settings_dict, storage=private_storage)

    assert list((tmp_path / "backups").iterdir()) == []


@committed
def test_backup_of_another_engine_is_refused(recorded, tmp_path):
    folder = back_up(tmp_path / "backups")
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    other = "sqlite" if POSTGRESQL else "postgresql"
    metadata["engine"] = other
    (folder / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    backup_module.manifest_write(folder, [metadata["database_file"], "files.tar", "metadata.json"])

    with pytest.raises(BackupError, match=f"这是 {other} 的备份，不能恢复到"):
        backup_module.backup_restore(folder=folder, database=connection.settings_dict, storage=tmp_path / "files")


def test_postgres_clients_get_the_password_from_the_environment_not_the_command_line():
    engine = Postgres(
        {"NAME": "x", "USER": "u", "PASSWORD": "secret", "HOST": "db", "PORT": 5433, "OPTIONS": {"sslmode": "require"}}
    )

    environment = engine.client_environment()

    assert {k: environment[k] for k in ("PGDATABASE", "PGUSER", "PGPASSWORD", "PGHOST", "PGPORT", "PGSSLMODE")} == {
        "PGDATABASE": "x",
        "PGUSER": "u",
        "PGPASSWORD": "secret",
        "PGHOST": "db",
        "PGPORT": "5433",
        "PGSSLMODE": "require",
    }


@committed
def test_backup_with_files_in_object_storage_holds_the_database_and_an_empty_archive(recorded, settings, tmp_path):
    folder = back_up(tmp_path / "backups")  # from the private folder: with files
    s3 = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {"bucket_name": "sxamr-trade-secret"}}
    settings.STORAGES = {**settings.STORAGES, "default": s3, "private": s3, "documents": s3}
    settings.BACKUP_DIR = tmp_path / "safety"

    bucket_backup = back_up(tmp_path / "bucket-backups")
    metadata = json.loads((bucket_backup / "metadata.json").read_text(encoding="utf-8"))
    with tarfile.open(bucket_backup / "files.tar") as archive:
        archived = archive.getnames()

    assert metadata["storage"] == "object storage"
    assert metadata["files"] == {"count": 0, "bytes": 0}
    assert metadata["tables"]["bases_attachment"] == Attachment.objects.count() > 0
    assert archived == []
    with pytest.raises(CommandError, match="而当前文件存放在对象存储中，未做任何改动"):
        restore(folder, "--force")
    assert not (tmp_path / "safety").exists()
