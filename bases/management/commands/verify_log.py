"""Verify the sealed application log (bases/log_seal.py): every chain link and every digest.

Exit status 0 when every entry verifies, 1 at the first break (which it names). The last line, the
digest of all chain heads, is worth keeping off this server (the audit administrator's copy): a
later run that prints a different one for the same entries means a chain was rewritten whole.
"""

from django.core.management.base import BaseCommand, CommandError

from bases.selectors import log_chain_check


class Command(BaseCommand):
    help = "核验办理记录的摘要链，报告第一处断裂"

    def handle(self, *args, **options):
        check = log_chain_check()
        broken = check.first_break
        if broken is not None:
            when = f"{broken.created_at:%Y-%m-%d %H:%M:%S}" if broken.created_at else "时间不明"
            where = f"申报 {broken.reference} 的第 {broken.entry_id} 号记录（{when}）"
            raise CommandError(f"办理记录第一处断裂：{where}：{broken.problem}。")
        self.stdout.write(f"办理记录完整：{check.applications} 份申报、{check.entries} 条记录，全部核验通过。")
        self.stdout.write(f"各链末端摘要：{check.heads}")
