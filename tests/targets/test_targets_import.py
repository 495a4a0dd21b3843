"""Targets (第十二条, 附件1): the bundled figures of 2021, setting a year's targets on the page, and
importing them from a workbook in 附件1's layout, judged as a whole: one bad row and nothing is taken,
every bad row named."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from targets import annex, services
from targets.models import PeriodGoal, Target
from tests.factories import UserFactory, county, pdf_bytes
from tests.helpers import list_items, messages_shown

pytestmark = pytest.mark.django_db

COUNTIES = ["越城区", "柯桥区", "上虞区", "诸暨市", "嵊州市", "新昌县"]
KINDS = ["provincial", "city", "county", "enterprises"]


def targets_of(year: int) -> dict:
    return {(t.county.name, t.kind): t.count for t in Target.objects.filter(year=year).select_related("county")}


def workbook(rows, *, title: str = "2027年各区、县（市）商业秘密保护基地建设任务", total=None, headings=None) -> bytes:
    """A sheet laid out as 附件1: title, unit, headings, a row per county, perhaps 合计, the 备注."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([title])
    sheet.append(["单位：个"])
    sheet.append(
        headings
        or [
            "各区、县 （市）",
            "省级商业秘 密保护基地",
            "市级商业秘 密保护基地",
            "县级商业秘 密保护基地",
            "各地贯标 企业数",
        ]
    )
    for row in rows:
        sheet.append(list(row))
    if total is not None:
        sheet.append(["合 计", *total])
    sheet.append(["备注：各地贯标企业数是指……"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD = [(name, 1, 4 + i, 8 + i, 15 + i) for i, name in enumerate(COUNTIES)]


@pytest.fixture
def admin(client):
    user = UserFactory(city_admin=True)
    client.force_login(user)
    return user


def upload(client, content: bytes, year: int = 2027, name: str = "附件1.xlsx"):
    return client.post(reverse("targets:target-import"), {"year": year, "file": SimpleUploadedFile(name, content)})


# --- The notice's own figures -----------------------------------------------------------------------


def test_the_2021_targets_of_annex_1_are_reference_data():
    assert targets_of(2021) == {
        (name, kind): n for name in COUNTIES for kind, n in zip(KINDS, (1, 5, 10, 20), strict=True)
    }
    # 附件1's 合计 row
    totals = {kind: sum(t.count for t in Target.objects.filter(year=2021, kind=kind)) for kind in KINDS}
    assert totals == {"provincial": 6, "city": 30, "county": 60, "enterprises": 120}


def test_the_goals_of_the_14th_five_year_plan_per_level():
    # 二、工作目标: 省级30个, 市级150个, 区、县级300个, 贯标企业400个, 2021–2025.
    goals = {g.kind: (g.name, g.first_year, g.last_year, g.count) for g in PeriodGoal.objects.all()}
    assert goals == {
        "provincial": ("十四五", 2021, 2025, 30),
        "city": ("十四五", 2021, 2025, 150),
        "county": ("十四五", 2021, 2025, 300),
        "enterprises": ("十四五", 2021, 2025, 400),
    }


def test_loading_the_reference_data_again_creates_nothing_and_keeps_an_edit():
    edited = Target.objects.get(year=2021, county__name="越城区", kind="city")
    Target.objects.filter(pk=edited.pk).update(count=7)
    before = (Target.objects.count(), PeriodGoal.objects.count())

    call_command("load_reference_data", verbosity=0)

    assert (Target.objects.count(), PeriodGoal.objects.count()) == before
    assert Target.objects.get(pk=edited.pk).count == 7


# --- Setting them on the page --------------------------------------------------------------------------


def formset_post(year: int, rows: dict) -> dict:
    data = {
        "year": year,
        "targets-TOTAL_FORMS": len(rows),
        "targets-INITIAL_FORMS": len(rows),
        "targets-MIN_NUM_FORMS": 0,
        "targets-MAX_NUM_FORMS": 50,
    }
    for i, (name, counts) in enumerate(rows.items()):
        data[f"targets-{i}-county"] = county(name).pk
        for kind, value in zip(KINDS, counts, strict=True):
            data[f"targets-{i}-target_{kind}"] = value
    return data


def test_the_city_admin_sets_a_year_s_targets_on_the_page(client, admin):
    rows = {name: (1, 2, 3, 4 + i) for i, name in enumerate(COUNTIES)}

    response = client.post(reverse("targets:target-edit"), formset_post(2027, rows))

    assert response.status_code == 302 and response["Location"].endswith("?year=2027")
    assert targets_of(2027) == {
        (name, kind): n for name, counts in rows.items() for kind, n in zip(KINDS, counts, strict=True)
    }
    assert {t.updated_by for t in Target.objects.filter(year=2027)} == {admin}
    page = client.get(response["Location"])
    assert messages_shown(page) == ["已保存2027年建设任务（24项有变更）。"]
    assert 'name="targets-5-target_enterprises" value="9"' in page.content.decode()


def test_a_mistake_keeps_what_was_typed_says_why_in_chinese_and_saves_nothing(client, admin):
    rows = dict.fromkeys(COUNTIES, (1, 2, 3, 4))
    rows["柯桥区"] = (1, "五", 3, -2)

    response = client.post(reverse("targets:target-edit"), formset_post(2027, rows))

    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="targets-1-target_city" value="五"' in html
    assert 'name="targets-1-target_enterprises" value="-2"' in html
    assert "任务数应为整数。" in html and "任务数不能为负数。" in html
    assert 'aria-invalid="true"' in html
    assert "有 2 处填写有误" in html
    assert targets_of(2027) == {}


def test_a_posted_list_of_counties_that_is_not_the_city_s_is_refused(client, admin):
    rows = dict.fromkeys(COUNTIES[:5], (1, 2, 3, 4))  # 新昌县 left out

    response = client.post(reverse("targets:target-edit"), formset_post(2027, rows))

    assert response.status_code == 400
    assert "提交的区、县（市）不完整或有重复" in response.content.decode()
    assert targets_of(2027) == {}


def test_only_the_city_admin_sets_targets():
    reviewer = UserFactory(city_reviewer=True)
    with pytest.raises(PermissionDenied, match="系统管理员"):
        services.targets_set(year=2027, figures={(county().pk, "city"): 1}, user=reviewer)
    assert targets_of(2027) == {}


# --- Importing 附件1 -------------------------------------------------------------------------------------


def test_a_good_file_sets_every_county_s_four_targets(client, admin):
    response = upload(client, workbook(GOOD, total=[6, 39, 63, 105]))

    assert response.status_code == 302
    assert targets_of(2027) == {
        (name, kind): n for name, *counts in GOOD for kind, n in zip(KINDS, counts, strict=True)
    }
    assert messages_shown(client.get(response["Location"])) == ["已导入2027年建设任务：6个区、县（市），24项有变更。"]


def test_the_downloaded_template_filled_in_imports_back(client, admin):
    services.targets_set(year=2027, figures={(county(n).pk, k): 1 for n in COUNTIES for k in KINDS}, user=admin)
    template = client.get(reverse("targets:target-template") + "?year=2027")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(template.streaming_content)))
    sheet = book.active
    assert sheet["A1"].value == "2027年各区、县（市）商业秘密保护基地建设任务"
    assert [c.value for c in sheet[3]] == [
        "各区、县（市）",
        "省级商业秘密保护基地",
        "市级商业秘密保护基地",
        "县级商业秘密保护基地",
        "各地贯标企业数",
    ]
    assert [c.value for c in sheet[10]] == ["合计", 6, 6, 6, 6]
    sheet["C4"] = 9  # 越城区, 市级
    sheet["C10"] = 14
    buffer = io.BytesIO()
    book.save(buffer)

    response = upload(client, buffer.getvalue())

    assert response.status_code == 302
    assert targets_of(2027)[("越城区", "city")] == 9
    assert messages_shown(client.get(response["Location"])) == ["已导入2027年建设任务：6个区、县（市），1项有变更。"]


def test_a_bad_file_names_each_bad_row_and_changes_nothing(client, admin):
    services.targets_set(year=2027, figures={(county(n).pk, k): 2 for n in COUNTIES for k in KINDS}, user=admin)
    before = targets_of(2027)
    rows = [
        ("越城区", 1, 5, 10, 20),
        ("柯桥区", 1, "五", 10, -3),  # row 5: two wrong cells, one message
        ("上虞区", 1, 5, None, 20),  # row 6: a blank
        ("杭州市", 1, 5, 10, 20),  # row 7: not a county of the city
        ("越城区", 1, 5, 10, 20),  # row 8: again
        ("诸暨市", 1, 5.5, 10, 20),  # row 9: not whole
        ("嵊州市", 1, 5, 10, 20),
    ]  # 新昌县 missing

    response = upload(client, workbook(rows))

    assert response.status_code == 400
    assert list_items(response, "errorlist") == [
        "第5行（柯桥区）：“市级商业秘密保护基地”应为整数，表中为“五”；“各地贯标企业数”不能为负数，表中为 -3。",
        "第6行（上虞区）：“县级商业秘密保护基地”未填写（没有任务的填 0）。",
        "第7行：“杭州市”不是本市的区、县（市）（应为越城区、柯桥区、上虞区、诸暨市、嵊州市、新昌县之一）。",
        "第8行：越城区与第4行重复。",
        "第9行（诸暨市）：“市级商业秘密保护基地”应为整数，表中为“5.5”。",
        "表中缺少新昌县：附件1须列出全部区、县（市）。",
    ]
    assert targets_of(2027) == before


def test_a_total_that_does_not_add_up_and_a_title_of_another_year_are_refused(client, admin):
    response = upload(
        client, workbook(GOOD, total=[6, 40, 63, 105], title="2026年各区、县（市）商业秘密保护基地建设任务")
    )

    assert response.status_code == 400
    assert list_items(response, "errorlist") == [
        "表格标题为2026年的任务，与所选的2027年不符。",
    ]
    response = upload(client, workbook(GOOD, total=[6, 40, 63, 105]))
    assert list_items(response, "errorlist") == [
        "第10行（合计）：“市级商业秘密保护基地”为 40，与各区、县（市）之和 39 不符。"
    ]
    assert targets_of(2027) == {}


def test_headings_in_another_order_and_broken_across_lines_are_read(client, admin):
    headings = [
        "各区、县\n（市）",
        "各地贯标\n企业数",
        "县级商业秘\n密保护基地",
        "市级商业秘\n密保护基地",
        "省级商业秘\n密保护基地",
    ]
    rows = [(name, 20, 10, 5, 1) for name in COUNTIES]

    response = upload(client, workbook(rows, headings=headings))

    assert response.status_code == 302
    assert targets_of(2027)[("柯桥区", "enterprises")] == 20
    assert targets_of(2027)[("柯桥区", "provincial")] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (pdf_bytes(), "请上传 Excel 工作簿（.xlsx）。"),
        (b"not a workbook at all", "的内容不是 PDF、JPEG、PNG、DOCX 或 XLSX 格式"),
        (None, "未找到表头：附件1第一列的表头应为“各区、县（市）”，其后为各项任务。"),
    ],
    ids=["pdf", "text", "workbook-without-annex"],
)
def test_a_file_that_is_not_annex_1_is_refused(client, admin, content, message):
    if content is None:
        book = openpyxl.Workbook()
        book.active.append(["企业名称", "受训人数"])
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()

    response = upload(client, content)

    assert response.status_code == 400
    assert any(message in item for item in list_items(response, "errorlist")), list_items(response, "errorlist")
    assert targets_of(2027) == {}


def test_an_error_while_writing_undoes_the_whole_import(monkeypatch):
    admin = UserFactory(city_admin=True)
    services.targets_set(year=2027, figures={(county(n).pk, k): 2 for n in COUNTIES for k in KINDS}, user=admin)
    before = targets_of(2027)
    saved = []
    original = Target.save

    def failing_save(self, *args, **kwargs):
        saved.append(self)
        if len(saved) == 10:
            raise IntegrityError("the disk is full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Target, "save", failing_save)

    with pytest.raises(IntegrityError):
        services.targets_set(year=2027, figures={(county(n).pk, k): 3 for n in COUNTIES for k in KINDS}, user=admin)

    monkeypatch.undo()
    assert len(saved) == 10
    assert targets_of(2027) == before


def test_reading_stops_at_the_note_and_skips_empty_rows():
    content = workbook([GOOD[0], ("", None, None, None, None), *GOOD[1:]], total=[6, 39, 63, 105])
    table = annex.read(io.BytesIO(content))

    assert table.year == 2027
    assert [row.label for row in table.rows] == COUNTIES
    assert table.total.label == "合计" and table.total.number == 11


def test_the_system_administrator_keeps_the_period_goals_in_the_admin_and_only_reads_targets_there(client):
    client.force_login(UserFactory(city_admin=True))
    goal = PeriodGoal.objects.get(kind="city")

    page = client.get(f"/admin/targets/periodgoal/{goal.pk}/change/")
    saved = client.post(
        f"/admin/targets/periodgoal/{goal.pk}/change/",
        {"name": "十四五", "first_year": 2021, "last_year": 2025, "kind": "city", "count": 160},
    )

    assert page.status_code == 200 and saved.status_code == 302
    assert PeriodGoal.objects.get(pk=goal.pk).count == 160
    assert client.get("/admin/targets/target/").status_code == 200
    assert client.get("/admin/targets/target/add/").status_code == 403
    assert client.get("/admin/targets/standardenterprise/").status_code == 200
    client.force_login(UserFactory(city_reviewer=True))
    assert client.get("/admin/targets/periodgoal/").status_code == 302  # not an administrator: to the sign-in
