"""`make print-samples`: the printed forms as a reviewer sees them, without running the site.

    DJANGO_DEBUG=1 python scripts/print_samples.py [--out docs/print] [--dpi 60]

Renders, through the application's own code (bases/paper.py, bases/printing.py), sample applications
built in memory (no database): 附表1, 附表2 and 附表3 filled with an 800-character narrative and every
opinion recorded, a draft (草稿) and a county-level 附表3, and writes one PNG of each (its pages side
by side) with pdftoppm (poppler-utils), in sixteen greys. The same samples feed `make bench` (scripts/bench.py) and
the tests.
"""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# An 800-character narrative as applicants write them (324 different characters): numbered parts,
# figures, book titles, full-width punctuation. Two pages for 附表3.
SAMPLE_NARRATIVE = "\n".join(
    (
        "本公司自2015年起将商业秘密保护列为企业管理的重点工作，2020年对照浙江省地方标准《商业秘密保护"
        "管理与服务规范》全面梳理了研发、生产、销售和人事各环节的保护措施。",
        "一、组织架构。成立由董事长任组长、分管副总任副组长的商业秘密保护工作领导小组，下设办公室于法务部，配"
        "备专职保密员2名、各部门兼职保密员11名，明确了领导小组、保密办公室、部门负责人和涉密员工四级职责。",
        "二、制度建设。先后制定《商业秘密管理办法》《涉密人员管理规定》《涉密载体管理细则》《信息系统安全管理"
        "制度》《泄密事件应急处置预案》和《保密工作奖惩办法》等十二项制度，每年修订一次，并纳入员工手册。",
        "三、运行措施。对芯片设计版图、工艺参数、测试程序、供应商报价和客户名单等核心信息进行定密，按绝密、机"
        "密、秘密三级分级管理；研发中心和测试车间设置门禁、视频监控与访客登记，涉密计算机禁用移动存储并实行操"
        "作留痕；对外合作一律签订保密协议，离职人员进行脱密期管理和竞业限制。",
        "四、培训宣传。每年组织全员轮训两次，新员工入职培训中保密课程不少于4学时；2024年共开展专题培训6"
        "场，参训1,280人次，考试合格率98.6%。",
        "五、示范带动。牵头成立园区集成电路企业保密联盟，向上下游17家企业分享制度模板和管理经验；近两年协助"
        "市场监管部门调解纠纷3起，本公司未发生侵犯他人商业秘密的行为。",
        "六、经费与场所。公司每年在预算中单列商业秘密保护经费，2024年投入86万元，用于门禁与监控升级、数"
        "据防泄漏系统采购和外部律师服务；在研发楼三层设立120平方米的保密工作室，存放涉密档案并用于培训。",
        "七、下一步打算。计划引入第三方机构开展年度合规审计，完善核心技术人员的激励与约束机制，建设覆盖全部涉"
        "密岗位的电子台账，力争三年内建成省级商业秘密保护示范点，并带动周边二十家企业开展贯标工作，形成可复制"
        "推广的经验，为绍兴市集成电路产业的创新发展营造良好环境。",
    )
)

ORGANISATIONS = {
    "zone": ("绍兴滨海新区集成电路产业园管理委员会", "high_tech_zone", "周立新"),
    "station": ("绍兴市柯桥区纺织行业协会", "association", "孙建华"),
    "point": ("绍兴越芯微电子科技有限公司", "limited", "王建国"),
}


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoxing_trade_secret.settings")
    import django

    django.setup()


def sample_application(base_type: str = "point", *, state: str = "recognised", level: str = "city", pk: int = 0):
    """An application as the database would hand it over (values, opinions, signers, dates), built
    in memory: unsaved model instances, so nothing is read or written."""
    from decimal import Decimal

    from django.utils import timezone

    from bases.models import Application, County, Industry, Organisation

    name, category, leader = ORGANISATIONS[base_type]
    county = County(name="越城区", bureau_name="绍兴市越城区市场监督管理局")
    organisation = Organisation(name=name, county=county)
    submitted = timezone.make_aware(datetime.datetime(2026, 9, 12, 10, 30))
    on_record = state not in ("draft", "cultivation", "returned")
    return Application(
        pk=pk or None,
        reference=f"SX2026{'ZSP'[['zone', 'station', 'point'].index(base_type)]}0007",
        organisation=organisation,
        county=county,
        base_type=base_type,
        level=level,
        state=state,
        applicant_name=name,
        leader_name=leader,
        address="绍兴市越城区皋埠街道银桥路326号1幢",
        postcode="312000",
        category=category,
        enterprise_count=186,
        member_count=243,
        employee_count=1260,
        output_value=Decimal("386500.00"),
        provincial_sites_built=1,
        city_sites_built=4,
        industry=Industry(name="电子信息"),
        contact_name="李晓红",
        contact_title="法务部经理",
        contact_phone="0575-88012345",
        narrative=SAMPLE_NARRATIVE,
        applicant_opinion="经自查，本单位符合申报条件，申报材料真实有效，同意申报。",
        submitted_at=submitted if on_record else None,
        county_opinion="经审核，该单位申报材料真实完整，符合申报条件，同意推荐。" if level == "city" else "",
        county_signer="陈志明" if level == "city" else "",
        county_opinion_on=datetime.date(2026, 9, 20) if level == "city" else None,
        city_opinion="经书面预审、会议验收和实地考察，符合建设指南规定条件，验收通过。",
        city_signer="沈佳怡",
        city_opinion_on=datetime.date(2026, 10, 16),
    )


SAMPLES = {
    # file stem: (base type, state, level)
    "附表1": ("zone", "recognised", "city"),
    "附表2": ("station", "recognised", "city"),
    "附表3": ("point", "recognised", "city"),
    "附表3-草稿": ("point", "draft", "city"),
    "附表3-县级": ("point", "in_publicity", "county"),
}


def side_by_side(pages: list[Path], target: Path) -> None:
    """The pages of one form next to each other in one PNG, in sixteen greys (a third of the bytes;
    Pillow comes with WeasyPrint)."""
    from PIL import Image

    images = [Image.open(page).convert("L") for page in pages]
    gap = 12
    sheet = Image.new("L", (sum(i.width for i in images) + gap * (len(images) - 1), max(i.height for i in images)), 160)
    left = 0
    for image in images:
        sheet.paste(image, (left, 0))
        left += image.width + gap
    sheet.quantize(16).save(target, optimize=True)
    for page in pages:
        page.unlink()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "print"))
    parser.add_argument("--dpi", type=int, default=60)
    args = parser.parse_args()
    setup_django()
    from bases import paper, printing

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as scratch:
        for stem, (base_type, state, level) in SAMPLES.items():
            pdf = Path(scratch) / f"{stem}.pdf"
            pdf.write_bytes(printing.render(paper.paper_form(sample_application(base_type, state=state, level=level))))
            subprocess.run(["pdftoppm", "-r", str(args.dpi), "-gray", "-png", str(pdf), str(out / stem)], check=True)
            side_by_side(sorted(out.glob(f"{stem}-[0-9]*.png")), out / f"{stem}.png")
    for png in sorted(out.glob("*.png")):
        print(f"{png.relative_to(ROOT) if png.is_relative_to(ROOT) else png}  {png.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
