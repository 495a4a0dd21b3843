"""Erase the personal data that has outlived its retention rule (reviews.services.RETENTION_RULES).
The daily job does the same; this is for cron without Celery beat, and for a look first (--dry-run)."""

from django.core.management.base import BaseCommand

from reviews.services import RETENTION_RULES, retention_apply, retention_days


class Command(BaseCommand):
    help = "按保存期限删除已到期的个人信息（异议人联系方式、已读消息、安全事件）"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args, dry_run=False, **options):
        counts = retention_apply(dry_run=dry_run)
        verb = "到期待删除" if dry_run else "已删除"
        for rule in RETENTION_RULES:
            kept = f"{rule.when}保存 {retention_days(rule)} 天"
            self.stdout.write(f"{rule.record}：{rule.erased}，{kept}；{verb} {counts[rule.key]} 条。")
