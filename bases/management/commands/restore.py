"""Restore a backup of manage.py backup: verify its SHA-256 sums, then replace the database and the
private files, then compare the rows of every table with the counts the backup recorded.

Exit status 0 when everything restored matches the backup; 1 (CommandError) when the backup was
refused (nothing changed) or when the restored counts differ.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from bases.backup import BackupError, backup_restore, migration_notes, storage_location


class Command(BaseCommand):
    help = "校验并恢复 manage.py backup 做的备份（数据库与上传文件）"

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="备份目录，例如 var/backups/20261126-181500")
        parser.add_argument("--force", action="store_true", help="目标已有数据时仍覆盖（覆盖前先备份现有数据）")

    def handle(self, *args, **options):
        connections.close_all()  # the database is replaced under Django: no connection of ours stays open
        storage = storage_location()
        try:
            restored = backup_restore(
                folder=options["folder"],
                database=connections["default"].settings_dict,
                storage=storage,
                force=options["force"],
                safety_root=Path(settings.BACKUP_DIR),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        metadata = restored.metadata
        self.stdout.write(
            f"已恢复 {restored.folder}（{metadata['created_at']} 备份，提交 {metadata['git_commit'] or '不明'}）"
        )
        if restored.safety:
            self.stdout.write(f"覆盖前的数据已备份到 {restored.safety.folder}")
        self.stdout.write(f"{'表':<39} {'备份':>7} {'恢复后':>6}")  # a CJK character is two columns wide
        for table, expected, actual in restored.tables:
            mark = "" if expected == actual else "  ← 不符"
            self.stdout.write(f"{table:<40} {_count(expected):>9} {_count(actual):>9}{mark}")
        (count, size), recorded = restored.files, metadata["files"]
        self.stdout.write(
            f"文件：{count} 个，{size:,} 字节（备份时 {recorded['count']} 个，{recorded['bytes']:,} 字节）"
        )
        if storage is None:
            self.stdout.write("文件存放在对象存储（S3_BUCKET）中，未随本备份恢复：存储桶由其多版本与异地复制保管。")
        if restored.missing_files:
            self.stderr.write(
                f"注意：数据库引用的 {len(restored.missing_files)} 个文件不在存储中："
                + "、".join(restored.missing_files[:10])
            )
        notes = migration_notes(metadata["migrations"])
        if notes:
            self.stderr.write(
                "数据库的迁移与当前代码不一致（" + "；".join(notes) + "）：代码较新时请运行 manage.py migrate，"
                "备份较新时请先检出备份时的提交。"
            )
        if restored.differences or not restored.files_match:
            raise CommandError("恢复后的行数或文件与备份记录不符，见上表。")
        self.stdout.write("恢复完成：各表行数与文件均与备份一致。")


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"
