from django.core.management.base import BaseCommand

from reviews import services


class Command(BaseCommand):
    help = "出具办理步骤应出具而尚未出具的文书（申报回执、公示公告、认定证书与认定名单、撤销决定书）"

    def handle(self, *args, **options):
        issued = services.documents_issue_missing()
        self.stdout.write(self.style.SUCCESS(f"已出具文书 {issued} 份。"))
