"""The demo's targets and 贯标企业 (seed_demo announces bases.signals.demo_data_seeding; this answers):
targets for this year and the last, and a few 贯标企业 in each county, some of them the demo's own
enterprises, so that the dashboard shows something to read (a county above 100 %, one without
provincial progress, 贯标企业 counted towards 十四五). Idempotent: a year with targets already and an
enterprise already entered are left as they are. Written through the services, as a user would."""

import random

from django.utils import timezone

from bases.models import County, Organisation, User
from bases.validators import CREDIT_CODE_CHARSET, credit_code_check_character

from . import services
from .choices import StandardPractice, TargetKind
from .models import StandardEnterprise, Target

# Per county: provincial, city, county-level, 贯标企业; this year and the last.
TARGETS = {
    "越城区": ((1, 2, 4, 4), (1, 3, 5, 3)),
    "柯桥区": ((1, 3, 4, 4), (1, 3, 5, 3)),
    "上虞区": ((1, 2, 3, 3), (1, 2, 4, 3)),
    "诸暨市": ((1, 2, 3, 3), (1, 2, 4, 3)),
    "嵊州市": ((1, 1, 1, 2), (0, 2, 3, 2)),
    "新昌县": ((1, 2, 3, 3), (1, 2, 3, 2)),
}
# (name, county, years ago it was counted, how it does it); names of demo organisations take their code.
ENTERPRISES = [
    ("绍兴越芯微电子科技有限公司", "越城区", 0, StandardPractice.TRYING),
    ("绍兴越秀新材料股份有限公司", "越城区", 0, StandardPractice.IMPLEMENTING),
    ("绍兴华科精密机械有限公司", "越城区", 0, StandardPractice.OWN),
    ("绍兴镜湖智能科技有限公司", "越城区", 0, StandardPractice.TRYING),
    ("绍兴府山文化创意有限公司", "越城区", 0, StandardPractice.OWN),
    ("浙江古越龙山绍兴酒股份有限公司", "越城区", 1, StandardPractice.IMPLEMENTING),
    ("绍兴越城丝绸印花有限公司", "越城区", 1, StandardPractice.OWN),
    ("浙江柯桥轻纺城面料科技有限公司", "柯桥区", 0, StandardPractice.IMPLEMENTING),
    ("浙江柯新印染有限公司", "柯桥区", 0, StandardPractice.TRYING),
    ("浙江柯桥数码印花有限公司", "柯桥区", 0, StandardPractice.OWN),
    ("绍兴柯桥新材料科技有限公司", "柯桥区", 1, StandardPractice.IMPLEMENTING),
    ("浙江上虞新能源装备有限公司", "上虞区", 0, StandardPractice.TRYING),
    ("绍兴上虞医药化学有限公司", "上虞区", 0, StandardPractice.OWN),
    ("浙江龙盛染料化工有限公司", "上虞区", 1, StandardPractice.IMPLEMENTING),
    ("浙江诸暨五金机械有限公司", "诸暨市", 0, StandardPractice.TRYING),
    ("浙江诸暨袜业科技有限公司", "诸暨市", 1, StandardPractice.OWN),
    ("浙江嵊州厨具电器有限公司", "嵊州市", 0, StandardPractice.IMPLEMENTING),
    ("绍兴嵊新电机有限公司", "嵊州市", 0, StandardPractice.TRYING),
    ("浙江新昌精工轴承有限公司", "新昌县", 0, StandardPractice.IMPLEMENTING),
    ("新昌县茶叶机械科技有限公司", "新昌县", 0, StandardPractice.OWN),
    ("浙江新昌制药股份有限公司", "新昌县", 1, StandardPractice.IMPLEMENTING),
]
NOTE = "参加商业秘密保护大讲堂后，经县局指导开展"


def seed(sender=None, **kwargs) -> int:
    """Create what is missing of the demo's targets and 贯标企业; returns how many rows."""
    year = timezone.localdate().year
    counties = {county.name: county for county in County.objects.all()}
    admin = User.objects.get(username="sysadmin")
    created = 0
    for years_ago in (0, 1):
        if Target.objects.filter(year=year - years_ago).exists():
            continue
        figures = {
            (counties[name].pk, kind.value): counts[years_ago][index]
            for name, counts in TARGETS.items()
            for index, kind in enumerate(TargetKind)
        }
        created += services.targets_set(year=year - years_ago, figures=figures, user=admin)
    codes = dict(Organisation.objects.filter(name__in=[e[0] for e in ENTERPRISES]).values_list("name", "credit_code"))
    entered = set(StandardEnterprise.objects.values_list("credit_code", flat=True))
    for name, county, years_ago, practice in ENTERPRISES:
        code = codes.get(name) or _credit_code(counties[county].code, name)
        if code in entered:
            continue
        clerk = User.objects.filter(county=counties[county], is_active=True).order_by("pk").first() or admin
        services.standard_enterprise_add(
            user=clerk,
            credit_code=code,
            name=name,
            county=counties[county],
            year=year - years_ago,
            practice=practice,
            note=NOTE,
        )
        created += 1
    return created


def _credit_code(area: str, seed: str) -> str:
    rng = random.Random(seed)
    body = "91" + area + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
    return body + credit_code_check_character(body)
