"""Enumerations of the targets (附件1) and the register of 贯标企业. Imports nothing from the app."""

from dataclasses import dataclass

from django.db import models

from bases.choices import Level

FIRST_YEAR = 2021  # the notice's year: the first targets (附件1) are for 2021
MAX_COUNT = 10000  # a target or goal beyond this is a typing error


class TargetKind(models.TextChoices):
    """The four columns of 附件1: the bases to build per level, and the 贯标企业 to cultivate."""

    PROVINCIAL = "provincial", "省级商业秘密保护基地"
    CITY = "city", "市级商业秘密保护基地"
    COUNTY = "county", "县级商业秘密保护基地"
    ENTERPRISES = "enterprises", "贯标企业"


@dataclass(frozen=True)
class KindInfo:
    short: str  # in charts and narrow columns
    annex_header: str  # the column's heading as 附件1 prints it
    level: Level | None  # the level of the bases it counts; None for 贯标企业


KINDS = {
    TargetKind.PROVINCIAL: KindInfo("省级", "省级商业秘密保护基地", Level.PROVINCIAL),
    TargetKind.CITY: KindInfo("市级", "市级商业秘密保护基地", Level.CITY),
    TargetKind.COUNTY: KindInfo("县级", "县级商业秘密保护基地", Level.COUNTY),
    TargetKind.ENTERPRISES: KindInfo("贯标企业", "各地贯标企业数", None),
}


class StandardPractice(models.TextChoices):
    """附件1 备注: 贯标企业 are enterprises that, trained and guided, implement or try out the provincial
    standard 《商业秘密保护管理与服务规范》, those that run their protection on their own included."""

    IMPLEMENTING = "implementing", "实施省级地方标准"
    TRYING = "trying", "探索开展省级地方标准"
    OWN = "own", "自行开展商业秘密保护工作"
