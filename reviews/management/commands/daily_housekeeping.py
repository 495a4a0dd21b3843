"""Run the daily job by hand or from cron, where no Celery beat runs (e.g. without Redis)."""

from django.core.management.base import BaseCommand

from reviews.services import daily_housekeeping_run


class Command(BaseCommand):
    help = "结束期满公示，发送申报截止提醒和县局待办提醒（与每日定时任务相同）"

    def handle(self, *args, **options):
        result = daily_housekeeping_run()
        self.stdout.write(
            f"结束公示 {result['closed_publicities']} 个，截止提醒 {result['deadline_reminders']} 条，"
            f"待办提醒 {result['waiting_reminders']} 条；"
            f"按保存期限删除：异议人联系方式 {result['objector_contacts']} 条，"
            f"已读消息 {result['notifications']} 条，安全事件 {result['security_events']} 条。"
        )
