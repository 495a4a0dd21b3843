"""Backups of the database and the private files, and their restore (manage.py backup, restore).

A backup is one folder, named after the local time it was taken (var/backups/20261126-181500/):

    database.dump     PostgreSQL: pg_dump --format=custom, or
    database.sqlite3  SQLite: a copy by SQLite's online backup API
    files.tar         the private files: every named storage's folder (uploaded evidence, issued
                      documents), i.e. PRIVATE_MEDIA_ROOT; empty when they live in object storage
    metadata.json     engine, database, code (migrations applied, git commit), row count of every table,
                      number and size of the files, referenced files that were missing
    MANIFEST.sha256   the SHA-256 of the three files above, as `sha256sum` writes it (`sha256sum -c`)

The row counts are taken in the snapshot the dump is taken from (PostgreSQL: pg_dump --snapshot of a
REPEATABLE READ transaction; SQLite: counted in the copy), so a restore can prove it is complete.
The files are archived after the database: a file uploaded meanwhile is an extra; one deleted meanwhile
is missing and named in metadata.json.

This module works below the ORM, on whole databases and directories, with the client programs; it is
neither a selector nor a service of the domain, and nothing in the apps calls it.

A restore verifies every sum first and changes nothing when one differs. It refuses a target that
already holds data unless forced, and then backs the target up first. The database is restored in
one transaction (pg_restore --single-transaction; SQLite's backup API) and the files are extracted
beside the storage and swapped in only after the database succeeded.

With S3_BUCKET set the files are in a bucket, not on this machine: the backup holds the database only
(metadata.json says so) and the bucket is kept by its own versioning and replication (docs/backup.md).
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import models
from django.utils import timezone

FORMAT = 1
FILES = "files.tar"
OBJECT_STORAGE = "object storage"
METADATA = "metadata.json"
MANIFEST = "MANIFEST.sha256"
MANIFEST_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message tells the operator why (in Chinese)."""


# --- The two engines --------------------------------------------------------------------------


class Postgres:
    """pg_dump and pg_restore, connected as Django is (the settings' NAME, USER, PASSWORD, HOST, PORT)."""

    name = "postgresql"
    dump_file = "database.dump"
    SSL_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey")

    def __init__(self, database: dict):
        self.database = database

    @property
    def label(self) -> str:
        return f"PostgreSQL 数据库 {self.database['NAME']}"

    def client_environment(self) -> dict:
        """libpq's variables for pg_dump and pg_restore: the password never appears on a command line."""
        d = self.database
        values = {"PGHOST": d.get("HOST"), "PGPORT": d.get("PORT"), "PGUSER": d.get("USER")}
        values |= {"PGPASSWORD": d.get("PASSWORD"), "PGDATABASE": d["NAME"]}
        values |= {f"PG{k.upper()}": v for k, v in d.get("OPTIONS", {}).items() if k in self.SSL_OPTIONS}
        return os.environ | {key: str(value) for key, value in values.items() if value}

    def connect(self):
        import psycopg2

        d = self.database
        params = {"dbname": d["NAME"], "user": d.get("USER"), "password": d.get("PASSWORD")}
        params |= {"host": d.get("HOST"), "port": d.get("PORT")}
        params |= {k: v for k, v in d.get("OPTIONS", {}).items() if k in self.SSL_OPTIONS}
        try:
            return psycopg2.connect(**{k: v for k, v in params.items() if v})
        except psycopg2.Error as error:
            raise BackupError(f"无法连接{self.label}：{error}".strip()) from error

    def run(self, command: list[str], failure: str) -> str:
        if shutil.which(command[0]) is None:
            raise BackupError(
                f"找不到 {command[0]}：请安装与服务器主版本相同或更新的 PostgreSQL 客户端（postgresql-client）。"
            )
        done = subprocess.run(command, env=self.client_environment(), capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"{failure}：{done.stderr.strip()}")
        return done.stdout

    def dump(self, folder: Path) -> "Snapshot":
        """pg_dump from a snapshot exported by a read-only REPEATABLE READ transaction, in which the rows
        are counted too: the counts are exactly those of the dump, however busy the site."""
        with closing(self.connect()) as connection:
            connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot_id, server_version = cursor.fetchone()
                self.run(
                    ["pg_dump", "--format=custom", f"--snapshot={snapshot_id}", f"--file={folder / self.dump_file}"],
                    f"pg_dump 未能导出{self.label}",
                )
                snapshot = read_snapshot(cursor, self.tables(cursor), quote=postgres_quote)
            connection.rollback()
        snapshot.server = f"PostgreSQL {server_version}"
        snapshot.tool = self.run(["pg_dump", "--version"], "pg_dump 无法运行").strip()
        return snapshot

    @staticmethod
    def tables(cursor) -> list[str]:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
        return [row[0] for row in cursor.fetchall()]

    def table_count(self) -> int:
        with closing(self.connect()) as connection, connection.cursor() as cursor:
            return len(self.tables(cursor))

    def restore(self, dump: Path) -> None:
        """All or nothing: one transaction, stopped at the first error. Owners and grants are left out
        (--no-owner --no-acl): the objects belong to the role that restores, as after `migrate`."""
        self.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={self.database['NAME']}",
                str(dump),
            ],
            f"pg_restore 未能恢复{self.label}（已整体回滚，数据库未改动）",
        )

    def snapshot(self) -> "Snapshot":
        with closing(self.connect()) as connection, connection.cursor() as cursor:
            return read_snapshot(cursor, self.tables(cursor), quote=postgres_quote)


class Sqlite:
    """SQLite's online backup API: a consistent copy of a database in use (WAL included)."""

    name = "sqlite"
    dump_file = "database.sqlite3"

    def __init__(self, database: dict):
        self.database = database
        self.path = Path(database["NAME"])

    @property
    def label(self) -> str:
        return f"SQLite 数据库 {self.path}"

    def dump(self, folder: Path) -> "Snapshot":
        if not self.path.is_file():
            raise BackupError(f"{self.label} 不存在。")
        copy_path = folder / self.dump_file
        with closing(read_only(self.path)) as source, closing(sqlite3.connect(copy_path)) as copy:
            source.backup(copy)
            # The copy is one self-contained file: no -wal or -shm beside it in the backup folder.
            copy.execute("PRAGMA journal_mode=DELETE")
            cursor = copy.cursor()
            snapshot = read_snapshot(cursor, self.tables(cursor), quote=sqlite_quote)
        snapshot.server = f"SQLite {sqlite3.sqlite_version}"
        snapshot.tool = f"sqlite3 backup API (SQLite {sqlite3.sqlite_version})"
        return snapshot

    @staticmethod
    def tables(cursor) -> list[str]:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        return [row[0] for row in cursor.fetchall()]

    def table_count(self) -> int:
        if not self.path.exists():
            return 0
        with closing(read_only(self.path)) as connection:
            return len(self.tables(connection.cursor()))

    def restore(self, dump: Path) -> None:
        """The backup API again, copy to database: the target's content is replaced in one transaction."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(read_only(dump)) as source, closing(sqlite3.connect(self.path)) as target:
            try:
                source.backup(target)
            except sqlite3.Error as error:
                raise BackupError(f"未能恢复{self.label}（未改动）：{error}") from error

    def snapshot(self) -> "Snapshot":
        with closing(read_only(self.path)) as connection:
            cursor = connection.cursor()
            return read_snapshot(cursor, self.tables(cursor), quote=sqlite_quote)


def storage_location() -> Path | None:
    """The one folder that holds the files of every storage in settings.STORAGES but the static files
    (PRIVATE_MEDIA_ROOT: "private" and "default" in it, "documents" under it); None when they are in
    object storage."""
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage, storages

    locations = []
    for alias in settings.STORAGES:
        if alias != "staticfiles":
            if not isinstance(storages[alias], FileSystemStorage):
                return None
            locations.append(storages[alias].location)
    return Path(os.path.commonpath(locations))


def read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def engine_for(database: dict) -> Postgres | Sqlite:
    engine = database["ENGINE"]
    if engine.endswith("postgresql"):
        return Postgres(database)
    if engine.endswith("sqlite3"):
        return Sqlite(database)
    raise BackupError(f"不支持备份此类数据库：{engine}（只支持 PostgreSQL 与 SQLite）。")


def postgres_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


sqlite_quote = postgres_quote  # both quote identifiers the SQL standard's way


# --- What a database holds ----------------------------------------------------------------------


@dataclass
class Snapshot:
    tables: dict[str, int]  # table -> rows
    migrations: dict[str, str]  # app -> last migration applied
    stored_files: set[str]  # files FileFields reference, relative to the common storage folder
    server: str = ""
    tool: str = ""


def file_columns() -> list[tuple[str, str, str]]:
    """(table, column, folder) of every FileField of the installed models; `folder` is where its
    storage keeps files under the common folder (storage_location): "documents" for the issued
    documents, "" for the uploads (and for object storage, whose files are not archived)."""
    root = storage_location()
    columns = set()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                folder = Path(f.storage.location).relative_to(root).as_posix() if root is not None else "."
                columns.add((model._meta.db_table, f.column, "" if folder == "." else folder))
    return sorted(columns)


def read_snapshot(cursor, tables: list[str], *, quote) -> Snapshot:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # names from the catalogue, quoted
        counts[table] = cursor.fetchone()[0]
    migrations = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = dict(cursor.fetchall())
    stored = set()
    for table, column, folder in file_columns():
        if table in counts:
            cursor.execute(f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")
            stored |= {f"{folder}/{row[0]}" if folder else row[0] for row in cursor.fetchall()}
    return Snapshot(counts, migrations, stored)


# --- Files and sums -----------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def files_in(location: Path | None) -> list[Path]:
    """Regular files under the storage, relative to it, in a stable order (symbolic links are not followed)."""
    if location is None or not location.is_dir():
        return []
    return sorted(p.relative_to(location) for p in location.rglob("*") if p.is_file() and not p.is_symlink())


def files_archive(location: Path | None, target: Path) -> tuple[list[str], int]:
    names, size = [], 0
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as archive:
        for relative in files_in(location):
            archive.add(location / relative, arcname=relative.as_posix(), recursive=False)
            names.append(relative.as_posix())
            size += (location / relative).stat().st_size
    return names, size


def manifest_write(folder: Path, names: list[str]) -> str:
    lines = "".join(f"{sha256_of(folder / name)}  {name}\n" for name in names)
    (folder / MANIFEST).write_text(lines, encoding="utf-8")
    return sha256_of(folder / MANIFEST)


def manifest_verify(folder: Path) -> dict:
    """Check every sum of MANIFEST.sha256 and that it covers the metadata, the files and one database.
    Returns the metadata. Raises BackupError naming each problem; reads nothing else of the backup."""
    if not (folder / MANIFEST).is_file():
        raise BackupError(f"{folder} 不是备份目录：没有 {MANIFEST}。")
    listed = {}
    for number, line in enumerate((folder / MANIFEST).read_text(encoding="utf-8").splitlines(), start=1):
        match = MANIFEST_LINE.match(line)
        if not match or "/" in match[2] or match[2] in (".", ".."):
            raise BackupError(f"{MANIFEST} 第 {number} 行格式不对：{line!r}。")
        listed[match[2]] = match[1]
    database_files = {Postgres.dump_file, Sqlite.dump_file} & set(listed)
    if not {METADATA, FILES} <= set(listed) or len(database_files) != 1:
        raise BackupError(f"{MANIFEST} 不完整：应列出 {METADATA}、{FILES} 和一个数据库文件，实际为 {sorted(listed)}。")
    problems = []
    for name, expected in sorted(listed.items()):
        if not (folder / name).is_file():
            problems.append(f"{name} 缺失")
        elif sha256_of(folder / name) != expected:
            problems.append(f"{name} 的 SHA-256 与清单不符")
    if problems:
        raise BackupError(f"备份 {folder} 校验失败，不予恢复：{'；'.join(problems)}。请改用其他副本。")
    metadata = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    if metadata.get("format") != FORMAT or metadata.get("database_file") not in database_files:
        raise BackupError(f"{METADATA} 的格式（{metadata.get('format')}）不是本程序能恢复的（{FORMAT}）。")
    return metadata


# --- Backup -------------------------------------------------------------------------------------


@dataclass
class Backup:
    folder: Path
    metadata: dict
    manifest_sha256: str
    sizes: dict[str, int] = field(default_factory=dict)


def git_commit(source: Path) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def backup_create(*, root: Path, database: dict, storage: Path | None, source: Path | None = None) -> Backup:
    """Write a new backup folder under `root`, named after the local time, with the files of the
    `storage` folder (None: object storage, no files). It is written as a hidden `.<name>.partial`
    folder and renamed when complete, so a folder without the dot is always whole."""
    engine = engine_for(database)
    started = timezone.localtime()
    name = f"{started:%Y%m%d-%H%M%S}"
    folder, partial = root / name, root / f".{name}.partial"
    if folder.exists() or partial.exists():
        raise BackupError(f"{folder} 已存在：同一秒内只能做一次备份。")
    partial.mkdir(parents=True)
    try:
        snapshot = engine.dump(partial)
        names, size = files_archive(storage, partial / FILES)  # an empty archive for object storage
        metadata = {
            "format": FORMAT,
            "created_at": started.isoformat(timespec="seconds"),
            "engine": engine.name,
            "database": str(database["NAME"]),
            "database_file": engine.dump_file,
            "server": snapshot.server,
            "tool": snapshot.tool,
            "git_commit": git_commit(source) if source else None,
            "migrations": snapshot.migrations,
            "tables": snapshot.tables,
            "storage": str(storage) if storage else OBJECT_STORAGE,
            "files": {"count": len(names), "bytes": size},
            "missing_files": sorted(snapshot.stored_files - set(names)) if storage else [],
        }
        (partial / METADATA).write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        manifest_sha256 = manifest_write(partial, [engine.dump_file, FILES, METADATA])
        partial.rename(folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    sizes = {p.name: p.stat().st_size for p in folder.iterdir()}
    return Backup(folder, metadata, manifest_sha256, sizes)


# --- Restore ------------------------------------------------------------------------------------


@dataclass
class Restore:
    folder: Path
    metadata: dict
    tables: list[tuple[str, int | None, int | None]]  # table, rows in the backup, rows restored
    files: tuple[int, int]  # files, bytes restored
    missing_files: list[str]  # referenced by the restored database, absent from the storage
    safety: Backup | None  # the backup of what the restore replaced

    @property
    def differences(self) -> list[tuple[str, int | None, int | None]]:
        return [row for row in self.tables if row[1] != row[2]]

    @property
    def files_match(self) -> bool:
        expected = self.metadata["files"]
        return self.files == (expected["count"], expected["bytes"])


def backup_restore(
    *, folder: Path, database: dict, storage: Path | None, force: bool = False, safety_root: Path | None = None
) -> Restore:
    """Verify `folder`, then replace the database and the private files with its content.

    Refuses (BackupError, nothing changed) when a sum differs, when the backup is of another engine, or
    when the database has tables or the storage has files and `force` is not given. With `force`, what
    is there is first backed up under `safety_root`. Side effects: the database replaced in one
    transaction; the storage directory replaced by the archive's files. With object storage (`storage`
    None) only a backup without files is restored: the bucket keeps its own.
    """
    folder = Path(folder)
    metadata = manifest_verify(folder)
    engine = engine_for(database)
    if metadata["engine"] != engine.name:
        raise BackupError(f"这是 {metadata['engine']} 的备份，不能恢复到{engine.label}。")
    if storage is None and metadata["files"]["count"]:
        raise BackupError(
            f"备份含 {metadata['files']['count']} 个文件，而当前文件存放在对象存储中，未做任何改动："
            f"请在本机文件目录（PRIVATE_MEDIA_ROOT）下恢复，或将 {FILES} 解开后上传到存储桶，再恢复数据库。"
        )
    occupied = []
    if tables := engine.table_count():
        occupied.append(f"{engine.label} 已有 {tables} 张表")
    if storage and (present := len(files_in(storage))):
        occupied.append(f"文件目录 {storage} 已有 {present} 个文件")
    if occupied and not force:
        raise BackupError(
            f"恢复目标不为空（{'；'.join(occupied)}），未做任何改动。"
            "确要覆盖，请加 --force（make restore FORCE=1）：覆盖前会先备份现有数据。"
        )
    safety = None
    if occupied:
        try:
            safety = backup_create(root=safety_root or folder.parent, database=database, storage=storage)
        except BackupError as error:
            raise BackupError(
                f"覆盖前未能备份现有数据，未做任何改动：{error} 若现有数据确已无用，请先清空数据库与文件目录再恢复。"
            ) from error

    if storage is None:
        engine.restore(folder / metadata["database_file"])
    else:
        files_restore(folder / FILES, storage, then=lambda: engine.restore(folder / metadata["database_file"]))

    restored = engine.snapshot()
    names = files_in(storage)
    size = sum((storage / name).stat().st_size for name in names)
    expected = metadata["tables"]
    tables = [(t, expected.get(t), restored.tables.get(t)) for t in sorted(set(expected) | set(restored.tables))]
    missing = sorted(restored.stored_files - {n.as_posix() for n in names}) if storage else []
    return Restore(folder, metadata, tables, (len(names), size), missing, safety)


def files_restore(archive_path: Path, storage: Path, *, then) -> None:
    """Extract the archive beside the storage folder, run `then` (the database's restore), and only when
    it succeeded swap the extracted folder in (a rename each, on one file system)."""
    stamp = f"{timezone.localtime():%Y%m%d-%H%M%S}"
    storage.parent.mkdir(parents=True, exist_ok=True)
    staging = storage.parent / f".{storage.name}.restoring-{stamp}"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with tarfile.open(archive_path) as archive:
            archive.extractall(staging, filter="data")
        staging.mkdir(exist_ok=True)  # an archive of no files extracts nothing
        then()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replaced = storage.parent / f".{storage.name}.replaced-{stamp}"
    if storage.exists():
        storage.rename(replaced)
    staging.rename(storage)
    shutil.rmtree(replaced, ignore_errors=True)


def migration_notes(recorded: dict[str, str]) -> list[str]:
    """How the migrations the backup's database had compare with the code's latest ones."""
    from django.db.migrations.loader import MigrationLoader

    latest = dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())
    notes = []
    for app in sorted(set(latest) & set(recorded)):
        if recorded[app] != latest[app]:
            notes.append(f"{app}：备份中为 {recorded[app]}，代码中最新为 {latest[app]}")
    return notes
