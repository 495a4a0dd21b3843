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


# --- The paper forms' cells and opinion cells, as the notice lays them out ------------------------------

FORMS = {"zone": "附表 1", "station": "附表 2", "point": "附表 3"}


def as_declared(text: str) -> str:
    """The notice's text as the declaration spells it: no spacing between characters (the paper
    spreads its labels over their cells) and full-width brackets (附表2 and 3 type them half-width)."""
    return re.sub(r"\s+", "", text).replace("(", "（").replace(")", "）")


def notice_form(base_type: str) -> tuple[list[list[tuple[str, int]]], list[tuple[str, str]]]:
    """The rows of a 附表 as (label, columns of its value) from the tab-separated lines of the notice,
    up to the narrative; and its opinion cells as (label, signature line)."""
    text = NOTICE.read_text(encoding="utf-8")
    start = text.index(f"\n{FORMS[base_type]}\n")
    following = [text.find(f"\n{later}\n", start + 1) for later in FORMS.values()]
    block = text[start : min([i for i in following if i > start] or [len(text)])]
    rows = []
    for line in block.splitlines():
        if "\t" not in line or "<p>" in line or "开 展 情 况" in line or "开展情况" in line:
            continue
        cells, parts = [], line.rstrip("\n").split("\t")
        for i, part in enumerate(parts):
            if part.strip():
                span = 1
                while i + span < len(parts) and not parts[i + span].strip():
                    span += 1
                cells.append((as_declared(part), span - 1))
        rows.append(cells)
    opinions = re.findall(r"<p>([^<]+)</p>\t<p>([^<]+)</p>", block)
    return rows, [(as_declared(label), as_declared(signature)) for label, signature in opinions]


@pytest.mark.parametrize("base_type", sorted(SPECS))
def test_form_cells_and_their_columns_are_the_notice_s(base_type):
    rows, _ = notice_form(base_type)

    declared = [[(f.label, f.span) for f in row] for row in SPECS[base_type].rows]

    assert declared == rows
    assert all(sum(1 + f.span for f in row) == 6 for row in SPECS[base_type].rows)


@pytest.mark.parametrize("base_type", sorted(SPECS))
def test_opinion_cells_read_as_the_notice_s(base_type):
    _, opinions = notice_form(base_type)

    declared = [(c.label, f"负责人：{c.seal}年月日") for c in SPECS[base_type].opinion_cells("city")]

    assert declared == opinions
