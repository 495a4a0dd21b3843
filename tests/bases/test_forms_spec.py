"""The declarations of 附表1–3 against the notice itself (docs/notice-2021-4-trade-secret-bases.txt, 绍市监管
竞争〔2021〕4号): each condition's title and text word for word."""

import re
from pathlib import Path

import pytest

from bases.forms_spec import SPECS

NOTICE = Path(__file__).resolve().parents[2] / "docs" / "notice-2021-4-trade-secret-bases.txt"
ARTICLES = {"zone": ("第六条", "第七条"), "station": ("第八条", "第九条"), "point": ("第十条", "第十一条")}


def notice_conditions(base_type: str) -> list[tuple[str, str]]:
    """(title, text) of each item of the article that lists the conditions, whitespace removed and
    the closing "；" or "。" left aside."""
    text = NOTICE.read_text(encoding="utf-8")
    article, following = ARTICLES[base_type]
    section = re.sub(r"\s+", "", text[text.index(f"{article} 申报") : text.index(following)])
    items = re.split(r"（[一二三四五六七]）", section)[1:]
    return [(item.partition("。")[0], item.partition("。")[2].rstrip("；。")) for item in items]


@pytest.mark.parametrize("base_type", sorted(SPECS))
def test_condition_titles_and_texts_are_the_notice_s_word_for_word(base_type):
    declared = [(c.title, re.sub(r"\s+", "", c.text).rstrip("；。")) for c in SPECS[base_type].conditions]

    assert declared == notice_conditions(base_type)


def test_the_notice_s_first_zone_condition_keeps_its_innovation_clause():
    assert "创新型产业集聚程度高" in SPECS["zone"].conditions[0].text
