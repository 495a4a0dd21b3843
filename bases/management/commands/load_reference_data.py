"""Load counties (附件1) and industries (第三条（五）) from fixtures/ without overwriting edits, and
the holiday table; the apps above add theirs through bases.signals.reference_data_loading (the
targets app: 附件1's targets for 2021 and the goals of 十四五, from fixtures/targets.json).

Rows are matched by their natural key (county code, industry name): missing ones are
created, existing ones are left as the administrators edited them. Safe to run on
every deploy.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from bases.services import reference_data_load


class Command(BaseCommand):
    help = "创建缺少的区县与行业参考数据（不覆盖已修改的数据）"

    def handle(self, *args, **options):
        created = reference_data_load(fixtures_dir=Path(settings.BASE_DIR) / "fixtures")
        if options["verbosity"]:
            self.stdout.write(f"参考数据就绪：新建 {created} 条。")
