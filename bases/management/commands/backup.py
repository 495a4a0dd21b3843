"""Back up the database and the private files into a new folder under BACKUP_DIR (bases/backup.py).

With -v0 it prints only the folder, for a script that copies it to the second site.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from bases.backup import OBJECT_STORAGE, BackupError, backup_create, storage_location


class Command(BaseCommand):
    help = "备份数据库与上传文件，附 SHA-256 清单"

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="备份根目录（默认为 BACKUP_DIR，即 var/backups）")

    def handle(self, *args, **options):
        try:
            backup = backup_create(
                root=options["dir"] or Path(settings.BACKUP_DIR),
                database=connections["default"].settings_dict,
                storage=storage_location(),
                source=Path(settings.BASE_DIR),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        if not options["verbosity"]:
            self.stdout.write(str(backup.folder))
            return
        metadata, sizes = backup.metadata, backup.sizes
        rows = sum(metadata["tables"].values())
        self.stdout.write(f"备份完成：{backup.folder}")
        self.stdout.write(
            f"  数据库：{metadata['database_file']}（{sizes[metadata['database_file']]:,} 字节，"
            f"{len(metadata['tables'])} 张表，共 {rows:,} 行）"
        )
        files = metadata["files"]
        self.stdout.write(f"  文件：files.tar（{files['count']} 个文件，{files['bytes']:,} 字节）")
        self.stdout.write(f"  清单：MANIFEST.sha256（其本身的 SHA-256：{backup.manifest_sha256}）")
        if metadata["storage"] == OBJECT_STORAGE:
            self.stderr.write(
                "文件存放在对象存储（S3_BUCKET）中，不在本备份内：存储桶须开启多版本并异地复制（docs/backup.md）。"
            )
        if metadata["missing_files"]:
            self.stderr.write(
                f"注意：数据库引用的 {len(metadata['missing_files'])} 个文件不在存储中（备份期间被删除，或早已丢失）："
                + "、".join(metadata["missing_files"][:10])
            )
