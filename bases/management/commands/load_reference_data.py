"""Load counties (附件1) and industries (第三条（五）) from fixtures/ without overwriting edits.

Rows are matched by their natural key (county code, industry name): missing ones are
created, existing ones are left as the administrators edited them. Safe to run on
every deploy.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from bases.models import County, Industry

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = "创建缺少的区县与行业参考数据（不覆盖已修改的数据）"

    @transaction.atomic
    def handle(self, *args, **options):
        created = 0
        for model, key, filename in ((County, "code", "counties.json"), (Industry, "name", "industries.json")):
            for row in json.loads((FIXTURES / filename).read_text(encoding="utf-8")):
                fields = dict(row["fields"])
                _, was_created = model.objects.get_or_create(**{key: fields.pop(key)}, defaults=fields)
                created += was_created
        if options["verbosity"]:
            self.stdout.write(f"参考数据就绪：新建 {created} 条。")
