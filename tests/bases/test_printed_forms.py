"""附表1–3 as PDF (bases/paper.py, bases/printing.py): what the printed form says, read back with
poppler's pdftotext and pdffonts and with pypdf, against the declaration and the notice's wording;
how it is kept; and who may have it."""

import io
import re
import socket
import subprocess
from urllib.parse import quote

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from bases import paper, printing
from bases.choices import State
from bases.dates import cn_date
from bases.forms_spec import SPECS
from bases.models import Application
from bases.pdf import RefusedFetch, render_pdf, url_fetcher
from bases.services import application_transition
from scripts.print_samples import SAMPLE_NARRATIVE
from tests.factories import (
    ApplicationFactory,
    OrganisationFactory,
    UserFactory,
    advance,
    applicant_of,
    county,
    county_clerk,
)

pytestmark = pytest.mark.django_db

# The notice's forms (docs/notice-2021-4-trade-secret-bases.txt, 附件2 附表1–3), cell by cell in the
# paper's order, then the narrative and the three opinion cells with their signature lines.
NOTICE_CELLS = {
    "zone": ["园区名称", "负责人", "联系地址", "邮政编码", "园区类型", "入园企业数量", "园区产值",
             "省级示范站（点）已建数", "市级示范站（点）已建数", "联系人", "职务/职称", "联系电话"],
    "station": ["组织名称", "法定代表人", "注册地址", "邮政编码", "会员数量", "省级示范点已建数", "市级示范点已建数",
                "组织类型", "所属行业", "行业年产值", "联系人", "职务/职称", "联系电话"],
    "point": ["企业名称", "法定代表人", "经营地址", "邮政编码", "员工数量", "企业类型", "所属行业", "年产值",
              "联系人", "职务/职称", "联系电话"],
}  # fmt: skip
NOTICE_TITLES = {
    "zone": ("附表1", "绍兴市商业秘密保护基地（示范区）申报表", "园区管委会申报意见"),
    "station": ("附表2", "绍兴市商业秘密保护基地（示范指导站）申报表", "申报单位意见"),
    "point": ("附表3", "绍兴市商业秘密保护基地（示范点）申报表", "申报企业意见"),
}


def pdf_text(content: bytes) -> list[str]:
    """The text of each page, in the order it is drawn (pdftotext -raw), whitespace removed."""
    text = subprocess.run(["pdftotext", "-raw", "-", "-"], input=content, capture_output=True, check=True).stdout
    return [re.sub(r"\s+", "", page) for page in text.decode().split("\f") if page.strip()]


def body(content: bytes, form: paper.PaperForm) -> str:
    """The form's content as one text: the header rows each continuation page repeats and every
    page's running line and footer (reference, 校验码, page number) taken out."""
    pages = pdf_text(content)
    header = form.form_number + form.title
    running = r"申报编号\S+?校验码[0-9A-F]{4}-[0-9A-F]{4}(草稿，不作正式申报表使用)?(第\d+页，共\d+页)?"
    text = ""
    for number, page in enumerate(pages):
        page = re.sub(running, "", page)
        if number:
            assert page.startswith(header), f"page {number + 1} does not repeat the header"
            page = page[len(header) :]
        text += page
    return text


def in_order(text: str, parts: list[str]) -> list[str]:
    """The parts not found in `text` one after another (empty: all there, in this order)."""
    missing, position = [], 0
    for part in parts:
        found = text.find(re.sub(r"\s+", "", part), position)
        if found < 0:
            missing.append(part)
        else:
            position = found + len(re.sub(r"\s+", "", part))
    return missing


def recognised(base_type, **kwargs):
    application = ApplicationFactory(base_type=base_type, recognised=True, **kwargs)
    Application.objects.filter(pk=application.pk).update(narrative=SAMPLE_NARRATIVE)
    return Application.objects.select_related("organisation__county", "industry").get(pk=application.pk)


# --- What the form says --------------------------------------------------------------------------


@pytest.mark.parametrize("base_type", sorted(SPECS))
def test_filled_form_text_holds_title_every_label_value_and_opinion_in_the_paper_s_order(base_type):
    application = recognised(base_type)
    form = paper.paper_form(application)

    text = body(printing.render(form), form)

    number, title, applicant_label = NOTICE_TITLES[base_type]
    cells = [part for row in form.rows for cell in row for part in (cell.label, cell.value)]
    today = cn_date(timezone.localdate())
    assert [cell.label for row in form.rows for cell in row] == NOTICE_CELLS[base_type]
    assert all(cell.value for row in form.rows for cell in row)
    assert in_order(
        text,
        [number, title, *cells, "商业秘密保护工作开展情况", SAMPLE_NARRATIVE,
         applicant_label, "情况属实，同意申报。", f"负责人：{application.leader_name}", "（单位公章）", today,
         "县市场监管局推荐意见", "经审核，材料真实完整，符合条件。", "负责人：负责人", "（单位公章）", today,
         "市局验收意见", "经审核，材料真实完整，符合条件。", "负责人：负责人", "（签名或盖章）", today],
    ) == []  # fmt: skip


@pytest.mark.parametrize("base_type", sorted(SPECS))
def test_blank_form_has_the_notice_s_labels_and_three_signature_lines(base_type):
    form = paper.blank_form(base_type)

    text = body(printing.render(form), form)

    number, title, applicant_label = NOTICE_TITLES[base_type]
    signature = ["负责人：", "（单位公章）", "年", "月", "日"]
    assert in_order(
        text,
        [number, title, *NOTICE_CELLS[base_type], "商业秘密保护工作开展情况",
         applicant_label, *signature, "县市场监管局推荐意见", *signature,
         "市局验收意见", "负责人：", "（签名或盖章）", "年", "月", "日"],
    ) == []  # fmt: skip
    assert "申报编号" not in text and "空白申报表" in "".join(pdf_text(printing.render(form)))


def test_long_narrative_runs_onto_further_pages_whole_with_the_header_repeated():
    application = recognised("point")
    Application.objects.filter(pk=application.pk).update(narrative="\n".join([SAMPLE_NARRATIVE] * 4))
    application.refresh_from_db()
    form = paper.paper_form(application)

    content = printing.render(form)

    pages = pdf_text(content)
    assert len(pages) == 4
    assert all(page.startswith(form.form_number + form.title) for page in pages[1:])
    assert [re.search(r"第(\d+)页，共(\d+)页", page).groups() for page in pages] == [
        (str(n), "4") for n in (1, 2, 3, 4)
    ]
    assert in_order(body(content, form), ["\n".join([SAMPLE_NARRATIVE] * 4), "申报企业意见", "市局验收意见"]) == []


def test_long_opinions_run_on_whole_too():
    application = recognised("point")
    opinion = "经书面预审、会议验收和实地考察，该单位商业秘密保护制度健全、措施落实。" * 60  # 2,040 characters
    Application.objects.filter(pk=application.pk).update(city_opinion=opinion[:2000], county_opinion=opinion[:2000])
    application.refresh_from_db()
    form = paper.paper_form(application)

    text = body(printing.render(form), form)

    assert in_order(text, [SAMPLE_NARRATIVE, opinion[:2000], "（单位公章）", opinion[:2000], "（签名或盖章）"]) == []


def test_two_page_form_with_an_800_character_narrative_stays_under_300_kb():
    application = recognised("point")
    assert len(SAMPLE_NARRATIVE) >= 800

    content = printing.render(paper.paper_form(application))

    assert (len(pypdf.PdfReader(io.BytesIO(content)).pages), len(content) < 300 * 1024) == (2, True)


def test_every_page_carries_the_reference_and_the_code_of_what_it_shows():
    application = recognised("point")
    form = paper.paper_form(application)

    pages = pdf_text(printing.render(form))

    assert re.fullmatch(r"[0-9A-F]{4}-[0-9A-F]{4}", form.code)
    assert all(f"申报编号{application.reference}校验码{form.code}" in page for page in pages)


@pytest.mark.parametrize(
    "change",
    [{"contact_phone": "0575-88000000"}, {"narrative": SAMPLE_NARRATIVE + "。"}, {"city_signer": "王五"},
     {"county_opinion_on": timezone.localdate().replace(day=1)}],
    ids=["a cell", "the narrative", "a signer", "a date"],
)  # fmt: skip
def test_code_changes_with_anything_the_form_shows(change):
    application = recognised("point")
    before = paper.paper_form(application)

    Application.objects.filter(pk=application.pk).update(**change)

    assert paper.paper_form(Application.objects.get(pk=application.pk)).code != before.code
    assert (
        paper.paper_form(Application.objects.get(pk=application.pk)).code
        == paper.paper_form(Application.objects.get(pk=application.pk)).code
    )


def test_fonts_are_embedded_subsets_of_one_cjk_face():
    content = printing.render(paper.paper_form(recognised("zone")))

    listing = subprocess.run(["pdffonts", "-"], input=content, capture_output=True, check=True).stdout.decode()
    rows = [line.split() for line in listing.splitlines()[2:]]
    fonts = set()
    for page in pypdf.PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts.add(
                (str(descriptor["/FontName"]).split("+")[1], any(k in descriptor for k in ("/FontFile2", "/FontFile3")))
            )
    assert rows and all(row[-5:-2] == ["yes", "yes", "yes"] for row in rows)  # emb, sub, uni
    assert fonts == {("Noto-Serif-CJK-SC", True)}


def test_draft_prints_with_the_draft_mark_on_every_page_and_a_submitted_form_without():
    draft = ApplicationFactory(base_type="point", complete=True)
    draft = Application.objects.get(pk=draft.pk)
    submitted = ApplicationFactory(base_type="point", complete=True, advanced_to=State.SUBMITTED)

    draft_pages = pdf_text(printing.render(paper.paper_form(draft)))
    submitted_pages = pdf_text(printing.render(paper.paper_form(submitted)))

    assert all("草稿" in page for page in draft_pages)
    assert not any("草稿" in page for page in submitted_pages)


def test_county_level_form_prints_the_county_s_title_and_its_acceptance_opinion_in_the_last_cell():
    application = ApplicationFactory(base_type="point", level="county", accepted=True)
    application = Application.objects.get(pk=application.pk)
    form = paper.paper_form(application)

    text = body(printing.render(form), form)

    assert [o.label for o in form.opinions] == ["申报企业意见", "县市场监管局推荐意见", "县市场监管局验收意见"]
    assert in_order(
        text,
        ["附表3", "越城区商业秘密保护基地（示范点）申报表", "申报企业意见", "县市场监管局推荐意见",
         "县级基地不经审核推荐，由县市场监管局直接组织验收，本栏不填。", "县市场监管局验收意见",
         "经审核，材料真实完整，符合条件。", "负责人：负责人", "（签名或盖章）",
         "县级商业秘密保护基地申报表", "第十七条", "末栏填写县市场监管局验收意见"],
    ) == []  # fmt: skip
    assert "绍兴市商业秘密保护基地（示范点）申报表" not in text and "市局验收意见" not in text


def test_acceptance_group_members_are_never_printed():
    leader = UserFactory(city_reviewer=True, last_name="组长", first_name="甲某")
    member = UserFactory(city_reviewer=True, last_name="组员", first_name="乙某")
    application = ApplicationFactory(
        base_type="point", accepted=True, advance_with={"city_user": leader, "leader": leader, "members": [member]}
    )
    application = Application.objects.get(pk=application.pk)

    text = "".join(pdf_text(printing.render(paper.paper_form(application))))

    assert set(application.acceptance_group.members.all()) == {leader, member}
    assert "组长甲某" not in text and "组员乙某" not in text
    assert "负责人：负责人" in text  # the signer the opinion was recorded with


def test_an_opinion_of_a_round_before_a_return_is_not_printed_again():
    city = UserFactory(city_reviewer=True)
    application = ApplicationFactory(base_type="point", recommended=True)
    application_transition(
        application=application, action="return_for_changes", user=city, version=application.version, comment="补充。"
    )
    advance(application, State.SUBMITTED)
    application = Application.objects.get(pk=application.pk)

    form = paper.paper_form(application)

    assert application.county_opinion  # still on the record, and in the log
    assert [(o.label, o.text, o.signer, o.date) for o in form.opinions[1:]] == [
        ("县市场监管局推荐意见", "", "", ""),
        ("市局验收意见", "", "", ""),
    ]
    assert form.code == paper.signing_form(application).code


def test_html_and_script_typed_by_the_applicant_print_as_text_and_nothing_is_fetched(monkeypatch):
    typed = '<script>alert("x")</script><img src="http://example.com/track.png"><b>粗体</b>'
    application = recognised("point")
    Application.objects.filter(pk=application.pk).update(narrative=typed, contact_name="<i>李</i>")
    application.refresh_from_db()
    fetched = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: fetched.append(a) or pytest.fail("network"))

    text = "".join(pdf_text(printing.render(paper.paper_form(application))))

    assert re.sub(r"\s+", "", typed) in text and "<i>李</i>" in text
    assert fetched == []


def test_the_renderer_refuses_every_url_but_the_project_s_static_files_and_data(monkeypatch):
    connections = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a))
    fetcher = url_fetcher()

    for url in ("http://example.com/x.png", "https://static.local.evil.example/x.css", "file:///etc/passwd",
                "http://static.local/static/../settings.py", "http://169.254.169.254/latest/meta-data/"):  # fmt: skip
        with pytest.raises(RefusedFetch):
            fetcher.fetch(url)
    stylesheet = fetcher.fetch("http://static.local/static/css/form-pdf.css")
    page = render_pdf('<html><body><img src="http://example.com/x.png"><p>正文</p></body></html>')

    assert b"@page" in stylesheet.read() and connections == []
    assert "正文" in "".join(pdf_text(page))


def test_the_stylesheet_comes_through_the_fetcher_from_the_static_files():
    """The footer with the page numbers exists only in form-pdf.css: it was read."""
    pages = pdf_text(printing.render(paper.blank_form("point")))

    assert [re.search(r"第(\d+)页，共(\d+)页", page).groups() for page in pages] == [("1", "2"), ("2", "2")]


# --- Rendered once per content -----------------------------------------------------------------------


def test_an_unchanged_application_is_rendered_once_and_a_change_renders_it_again(monkeypatch, private_storage):
    application = recognised("point")
    renders = []
    real = printing.render
    monkeypatch.setattr(printing, "render", lambda form: renders.append(form.code) or real(form))

    first = printing.application_form_pdf(application)
    again = printing.application_form_pdf(Application.objects.get(pk=application.pk))
    Application.objects.filter(pk=application.pk).update(contact_title="总经理")
    changed = printing.application_form_pdf(Application.objects.get(pk=application.pk))

    folder = private_storage / "documents" / "forms" / str(application.pk)
    assert (first.rendered, again.rendered, changed.rendered) == (True, False, True)
    assert again.content == first.content and len(renders) == 2
    assert [p.name for p in folder.iterdir()] == [f"{changed.form.digest[:32]}-{printing.layout_fingerprint()}.pdf"]


def test_a_new_layout_renders_again_with_the_same_code(monkeypatch):
    application = recognised("point")
    first = printing.application_form_pdf(application)
    monkeypatch.setattr(printing, "layout_fingerprint", lambda: "otherlayout0")

    second = printing.application_form_pdf(application)

    assert second.rendered and second.form.code == first.form.code


# --- Who gets it, under which name ----------------------------------------------------------------------


@pytest.fixture
def point():
    application = ApplicationFactory(
        base_type="point",
        complete=True,
        organisation=OrganisationFactory(county=county("越城区"), name="绍兴/越芯:有限公司"),
    )
    return Application.objects.get(pk=application.pk)


@pytest.mark.parametrize("who", ["applicant", "county", "city"])
def test_print_is_served_to_who_may_see_the_application_named_after_it(client, point, who):
    user = {
        "applicant": applicant_of(point),
        "county": county_clerk(county("越城区")),
        "city": UserFactory(city_reviewer=True),
    }[who]
    client.force_login(user)

    response = client.get(reverse("bases:application-print", args=[point.pk]))

    name = f"附表3-绍兴_越芯_有限公司-{point.reference}.pdf"
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"{point.reference}.pdf\"; filename*=UTF-8''{quote(name, safe='')}"
    )
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"%PDF-") and point.reference in "".join(pdf_text(response.content))


@pytest.mark.parametrize("who", ["other_applicant", "other_county"])
def test_print_is_not_found_for_who_may_not_see_the_application(client, point, who):
    user = {
        "other_applicant": UserFactory(applicant=True),
        "other_county": county_clerk(county("柯桥区")),
    }[who]
    client.force_login(user)

    response = client.get(reverse("bases:application-print", args=[point.pk]))

    assert response.status_code == 404 and point.reference not in response.content.decode()


def test_print_sends_an_anonymous_visitor_to_sign_in(client, point):
    url = reverse("bases:application-print", args=[point.pk])

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={url}")


@pytest.mark.parametrize("base_type", sorted(SPECS))
def test_blank_forms_are_public_and_linked_from_the_public_pages(client, base_type):
    url = reverse("bases:form-blank", args=[base_type])

    response = client.get(url)
    pages = [client.get(reverse(name)).content.decode() for name in ("home", "conditions")]

    number, title, _ = NOTICE_TITLES[base_type]
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert quote(f"{number}-{title}（空白）.pdf", safe="") in response["Content-Disposition"]
    assert all(f'href="{url}"' in page for page in pages)


def test_blank_form_of_an_unknown_type_is_not_found(client):
    assert client.get("/forms/castle.pdf").status_code == 404


def test_application_page_offers_the_print_button_to_every_reader(client, point):
    for user in (applicant_of(point), county_clerk(county("越城区"))):
        client.force_login(user)
        page = client.get(reverse("reviews:application-detail", args=[point.pk])).content.decode()

        assert f'href="{reverse("bases:application-print", args=[point.pk])}" download>打印申报表</a>' in page


def test_read_only_view_shows_the_same_cells_and_opinion_labels_as_the_print(client, point):
    client.force_login(applicant_of(point))
    page = client.get(reverse("reviews:application-detail", args=[point.pk])).content.decode()

    form = paper.paper_form(point)
    labels = re.findall(r'<th scope="row">([^<]+)</th>', page.split('class="paper"')[1].split("</table>")[0])
    assert labels == [
        *(cell.label for row in form.rows for cell in row),
        "商业秘密保护工作开展情况",
        "申报企业意见",
        "县市场监管局推荐意见",
        "市局验收意见",
    ]
