"""Demo data: the demo accounts and realistic applications across the six counties.

Idempotent: every object is looked up by its natural key (username, credit code,
organisation + batch) and only created when missing. Refuses to run when DEBUG is
off unless --force, so it cannot pollute a production database by accident.

Each history happened in the past: every step runs through the services on the day it
would have happened (time-machine moves the clock), so the rules that hold a real
procedure (a 公示 starts on the day it is opened, each date after the step before and
not after today, the 2-year ban from the decision) hold for the demo too, and no date is
moved by hand afterwards. The documents a step calls for (申报回执, 公示公告, 认定名单 and
认定证书, 撤销决定书) are issued on its day too, by the service the step's task calls at the end
of the seeding (the task then finds them issued). The bases that report on past years (第十四条) were
recognised two years ago, in that year's batch, through the same steps (REPORTING).

Its cost is those documents (43 PDF/A, WeasyPrint, about 0.1 s each) and its ~8,400 queries. The PDFs are
rendered by worker processes (RENDERERS) while the seeding goes on: each document is numbered and its HTML made
here, as inline, and recorded (file, row, log entries) once its PDF is back, before anything else is written on
the log of an application it concerns (reviews.services.documents_rendered_aside), under the clock of its issue.
The seeding is one transaction: the counts kept in the cache are made stale once for all of it
(bases.cached.bulk_changes), not per save; its services make no savepoints (without_savepoints); the steps'
tasks (notifications, their e-mails) run at its end, inside it (bases.services.tasks_run_at_end); Django's
query log (DEBUG) is off while it runs.
"""

import datetime
import multiprocessing
import os
import random
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from decimal import Decimal

import time_machine
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.functional import cached_property

from bases import cached, services
from bases import selectors as base_selectors
from bases.choices import BaseType, Level, OrganisationKind, OrganisationStatus, Role
from bases.dates import cn_date
from bases.forms_spec import spec_for
from bases.models import Base, Batch, County, CountyRules, Industry, Organisation, User
from bases.paper import signing_form
from bases.services import application_transition
from bases.signals import demo_data_seeding
from bases.validators import CREDIT_CODE_CHARSET, credit_code_check_character
from reviews import pdf as review_pdf
from reviews import services as review_services
from reviews.choices import ReviewOutcome, ServiceKind, SupportKind
from reviews.models import BaseService

PASSWORD = "Shaoxing#2021"
# Processes rendering the documents' PDFs beside the one seeding: as many as there are cores, at most four,
# at a lower priority (RENDERER_NICENESS), so that the seeding, which the renders only wait for at a document's
# next log entry, keeps its core. On two cores, two niced renderers did 7.0-8.5 s, two at the same priority
# 7.4-9.8 s and one niced 7.9-8.8 s (four runs each, docs/performance.md).
RENDERERS = max(1, min(4, os.cpu_count() or 1))
RENDERER_NICENESS = 10

STAFF = [
    ("county_yuecheng", Role.COUNTY, "越城区", "陈", "志明"),
    ("county_keqiao", Role.COUNTY, "柯桥区", "周", "丽华"),
    ("county_shangyu", Role.COUNTY, "上虞区", "徐", "建军"),
    ("county_zhuji", Role.COUNTY, "诸暨市", "何", "文斌"),
    ("county_shengzhou", Role.COUNTY, "嵊州市", "吕", "晓燕"),
    ("county_xinchang", Role.COUNTY, "新昌县", "俞", "国平"),
    ("city_reviewer", Role.CITY_REVIEWER, None, "沈", "佳怡"),
    # 分管领导 (报批): the city bureau's approves city-level acceptances, 嵊州's its county-level ones.
    ("leader_city", Role.LEADER, None, "蒋", "卫东"),
    ("leader_shengzhou", Role.LEADER, "嵊州市", "邢", "志刚"),
    # 三员: system, security and audit administrators (the superuser `admin` is kept for emergencies).
    ("sysadmin", Role.CITY_ADMIN, None, "孙", "海涛"),
    ("security_admin", Role.SECURITY_ADMIN, None, "钱", "立新"),
    ("auditor", Role.AUDIT_ADMIN, None, "郑", "秀英"),
]

COUNTY_CODES = {
    "越城区": "330602",
    "柯桥区": "330603",
    "上虞区": "330604",
    "诸暨市": "330681",
    "嵊州市": "330683",
    "新昌县": "330624",
}
STREETS = {
    "越城区": "越城区解放北路",
    "柯桥区": "柯桥区柯桥街道鉴湖路",
    "上虞区": "上虞区百官街道市民大道",
    "诸暨市": "诸暨市暨阳街道浣纱南路",
    "嵊州市": "嵊州市三江街道官河南路",
    "新昌县": "新昌县七星街道人民中路",
}
POSTCODES = {
    "越城区": "312000",
    "柯桥区": "312030",
    "上虞区": "312300",
    "诸暨市": "311800",
    "嵊州市": "312400",
    "新昌县": "312500",
}

# (login or None, name, base type, county, industry, target state)
ORGANISATIONS = [
    ("demo_enterprise", "绍兴越芯微电子科技有限公司", BaseType.POINT, "越城区", "电子信息", "draft_partial"),
    ("demo_park", "柯桥经济技术开发区管理委员会", BaseType.ZONE, "柯桥区", "纺织", "submitted"),
    ("demo_association", "上虞区精细化工行业协会", BaseType.STATION, "上虞区", "化工", "draft_complete"),
    (None, "浙江古越龙山绍兴酒股份有限公司", BaseType.POINT, "越城区", "黄酒", "recognised"),
    (None, "绍兴越城区袍江工业园区管理委员会", BaseType.ZONE, "越城区", "高端装备", "in_publicity"),
    (None, "越城区集成电路产业协会", BaseType.STATION, "越城区", "电子信息", "cultivation"),
    (None, "绍兴华科精密机械有限公司", BaseType.POINT, "越城区", "高端装备", "draft_empty"),
    (None, "浙江柯桥轻纺城面料科技有限公司", BaseType.POINT, "柯桥区", "纺织", "recommended"),
    (None, "绍兴市柯桥区纺织行业协会", BaseType.STATION, "柯桥区", "纺织", "in_acceptance"),
    (None, "浙江柯新印染有限公司", BaseType.POINT, "柯桥区", "纺织", "draft_complete"),
    (None, "绍兴柯桥新材料科技有限公司", BaseType.POINT, "柯桥区", "新材料", "returned"),
    (None, "浙江上虞经济技术开发区管理委员会", BaseType.ZONE, "上虞区", "化工", "accepted"),
    (None, "浙江龙盛染料化工有限公司", BaseType.POINT, "上虞区", "化工", "recognised"),
    (None, "绍兴上虞医药化学有限公司", BaseType.POINT, "上虞区", "现代医药", "withdrawn"),
    (None, "上虞区曹娥街道办事处", BaseType.STATION, "上虞区", "金属加工", "cultivation"),
    (None, "诸暨市珍珠行业协会", BaseType.STATION, "诸暨市", "珍珠", "publicity_ended"),
    (None, "诸暨华东国际珠宝城珍珠有限公司", BaseType.POINT, "诸暨市", "珍珠", "revoked"),
    (None, "浙江诸暨五金机械有限公司", BaseType.POINT, "诸暨市", "金属加工", "draft_partial"),
    (None, "诸暨经济开发区管理委员会", BaseType.ZONE, "诸暨市", "金属加工", "submitted"),
    (None, "浙江诸暨袜业科技有限公司", BaseType.POINT, "诸暨市", "纺织", "declined"),
    (None, "嵊州市领带行业协会", BaseType.STATION, "嵊州市", "纺织", "failed"),
    (None, "浙江嵊州厨具电器有限公司", BaseType.POINT, "嵊州市", "高端装备", "county:recognised"),
    (None, "嵊州高新技术产业园区管理委员会", BaseType.ZONE, "嵊州市", "高端装备", "draft_partial"),
    (None, "绍兴嵊新电机有限公司", BaseType.POINT, "嵊州市", "高端装备", "county:in_acceptance"),
    (None, "浙江新昌制药股份有限公司", BaseType.POINT, "新昌县", "现代医药", "accepted"),
    (None, "新昌县轴承行业协会", BaseType.STATION, "新昌县", "金属加工", "in_publicity"),
    (None, "新昌高新技术产业园区管理委员会", BaseType.ZONE, "新昌县", "现代医药", "submitted"),
    (None, "浙江新昌精工轴承有限公司", BaseType.POINT, "新昌县", "金属加工", "draft_partial"),
    (None, "新昌县茶叶机械科技有限公司", BaseType.POINT, "新昌县", "高端装备", "cultivation"),
    (None, "绍兴越秀新材料股份有限公司", BaseType.POINT, "越城区", "新材料", "recognised"),
    (None, "绍兴柯桥电子信息产业商会", BaseType.STATION, "柯桥区", "电子信息", "draft_complete"),
    (None, "浙江上虞新能源装备有限公司", BaseType.POINT, "上虞区", "高端装备", "in_acceptance"),
]
# Self-registered and still waiting for their county bureau.
PENDING = [
    ("绍兴越州纺织品有限公司", OrganisationKind.ENTERPRISE, "越城区", "纺织"),
    ("柯桥区化纤行业协会", OrganisationKind.ASSOCIATION, "柯桥区", "纺织"),
    ("上虞区光电产业园管理办公室", OrganisationKind.PARK, "上虞区", "电子信息"),
]

KIND = {
    BaseType.ZONE: OrganisationKind.PARK,
    BaseType.STATION: OrganisationKind.ASSOCIATION,
    BaseType.POINT: OrganisationKind.ENTERPRISE,
}
CATEGORY = {BaseType.ZONE: "economic_zone", BaseType.STATION: "association", BaseType.POINT: "limited"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "晓明", "丽娟", "海峰", "志强", "秀英", "伟东", "静怡", "国华", "雪梅", "俊杰", "文涛"]

NARRATIVE = (
    "{name}高度重视商业秘密保护工作，将其纳入年度重点工作。一是健全组织架构，成立了由主要负责人任组长的商业秘密保护"
    "工作领导小组，明确法务部门牵头、各部门协同的工作机制，配备专（兼）职保密员。二是完善制度体系，对照省级地方标准"
    "《商业秘密保护管理与服务规范》，制定了商业秘密管理办法、涉密人员管理规定、泄密应急处置预案和奖惩办法。三是落实"
    "防护措施，对研发图纸、工艺配方、客户信息等核心信息实行分级管理，涉密区域设置门禁和监控，信息系统实行权限管理和"
    "操作留痕。四是加强培训宣传，每年组织全员轮训，新员工入职签订保密协议和竞业限制协议。五是积极维权，与律师事务所"
    "和知识产权服务机构建立合作，近年来未发生侵犯他人商业秘密的行为。"
)


# How many days ago each demo application was submitted (created and filled five days before).
# The steps after it follow at the days of AFTER_SUBMISSION; 公示 and what follows at PUBLICITY.
SUBMITTED_DAYS_AGO = {
    "withdrawn": 8,
    "submitted": 3,
    "returned": 12,
    "declined": 12,
    "recommended": 20,
    "in_acceptance": 40,
    "failed": 40,
    "pending_approval": 42,
    "accepted": 45,
    "sent_back": 48,
    "in_publicity": 50,
    "publicity_ended": 70,
    "recognised": 70,
    "revoked": 70,
}
AFTER_SUBMISSION = {
    "paper": 6,
    "county": 8,
    "group": 15,
    "written_review": 18,
    "meeting": 20,
    "site_visit": 22,
    "decision": 23,
    "approval": 25,  # 报批: the leader approves, or sends back
    "second_decision": 27,  # after a send-back, the group's new opinion
    "second_approval": 28,
}
# Days ago: the first 公示 (ended), its objection, the recognition that followed, then what
# happened to the recognised bases; the second 公示 opens today.
PUBLICITY = {
    "opened": 40,
    "objection": 38,
    "answer": 36,
    "reply": 32,
    "recognised": 28,
    "upward": 20,
    "revocation_notice": 24,
    "statement": 22,
    "revoked": 12,
    "open_notice": 2,
}
CULTIVATION = {"registered": 40, "visits": (30, 10)}

# 第三条（四）: the demo's upward recommendations, one at each stage: (base, level, steps), each step
# (days ago, what, the opinion / reasons / 文号). The bases are recognised 28 days ago (PUBLICITY).
UPWARD_DEMO = [
    (
        "浙江古越龙山绍兴酒股份有限公司",
        "provincial",
        [
            (26, "county", "该企业商业秘密保护制度健全，连续两年年度报告合格，示范作用突出，同意推荐申报省级示范点。"),
            (22, "recommend", "经审核，符合省级商业秘密保护示范点条件，同意推荐上报省局。"),
            (6, "recognised", "浙市监竞争〔{year}〕21号"),
        ],
    ),
    (
        "浙江古越龙山绍兴酒股份有限公司",
        "national",
        [(3, "county", "该企业已获评省级示范点，黄酒酿造工艺保护经验具有全国示范意义，同意推荐申报国家级。")],
    ),
    (
        "绍兴越秀新材料股份有限公司",
        "provincial",
        [
            (18, "county", "新材料配方和工艺分级保护措施到位，同意推荐申报省级示范点。"),
            (14, "recommend", "同意推荐上报，请省局评审。"),
        ],
    ),
    (
        "浙江嵊州厨具电器有限公司",
        "provincial",
        [
            (25, "county", "县级示范点建设成效明显，同意推荐申报省级示范点。"),
            (21, "recommend", "同意推荐上报。"),
            (8, "not_recognised", "省局评审意见：辐射带动作用尚需加强，建议下一年度再次申报。"),
        ],
    ),
    (
        "绍兴越秀新材料股份有限公司",
        "national",
        [
            (12, "county", "企业新材料工艺保护做法较好，推荐申报国家级示范点。"),
            (9, "decline", "该企业尚未获评省级示范点，本年度不予推荐申报国家级，待省级评审结果后再议。"),
        ],
    ),
]
UPWARD_FILES = {
    "county": "县局初审推荐表",
    "recommend": "市局推荐函",
    "recognised": "省局评审结果通知",
    "decline": "",
    "not_recognised": "",
}
# 第十四条: bases recognised two years ago (REPORTING_SINCE days before last year's 1 January, through
# the same steps as this year's), each with its yearly reports on the two years since, telling one
# story per report: (login, name, base type, county, industry, story of the first year, of the last).
REPORTING = [
    ("demo_base", "绍兴鉴湖精密仪器有限公司", BaseType.POINT, "越城区", "高端装备", "passed", "submitted"),
    (None, "绍兴市柯桥区面料设计行业协会", BaseType.STATION, "柯桥区", "纺织", "rectified", "rectify"),
    (None, "上虞区化工新材料产业园管理委员会", BaseType.ZONE, "上虞区", "化工", "passed", "resubmitted"),
    (None, "绍兴鉴湖黄酒酿造有限公司", BaseType.POINT, "越城区", "黄酒", "draft", "failed"),
]
REPORTING_SINCE = 42  # days before 1 January of last year: 20 November, two years ago
# The days of the reports on the first year (month, day in the spring after it) and, in days ago, on
# last year (None: filed on time; "due": the 整改期限, in days after the review).
SPRING = {"file": (1, 12), "review": (2, 24), "resubmit": (4, 8), "final": (4, 20), "due": (4, 24)}
LAST_YEAR_DAYS = {
    "submitted": {"file": 6},  # late
    "rectify": {"file": None, "review": 12, "due": 60},
    "resubmitted": {"file": None, "review": 35, "due": 60, "resubmit": 6},
    "failed": {"file": 70, "review": 50, "due": 40, "resubmit": 20, "final": 8},
}
REPORT_TEXT = {
    "work_plan": "按年度工作计划修订了商业秘密管理办法和涉密人员管理规定，完成涉密岗位梳理和核心信息分级，"
    "涉密区域门禁、监控和信息系统权限管理运行正常。",
    "trainings": "组织全员商业秘密保护轮训，新入职员工岗前培训并签订保密协议；邀请县局和律师事务所专题授课。",
    "all_staff_trainings": 2,
    "services": "为周边企业提供商业秘密保护咨询和制度建设指导，参加县局组织的商业秘密保护宣传周活动。",
    "infringements": "本年度未发生商业秘密侵权事件，也未发生侵犯他人商业秘密的行为。",
    "changes": "无变更。",
}


@contextmanager
def days_ago(days: int):
    """Run the services as they would have run `days` days ago, at this time of day."""
    if days <= 0:
        yield
        return
    with time_machine.travel(timezone.now() - datetime.timedelta(days=days), tick=True):
        yield


class Workers:
    """The processes that render the documents' PDFs (RENDERERS), started when the first task comes (a run
    that finds the demo complete starts none), each loading the renderer and the fonts at once."""

    def __init__(self):
        self.pool = None

    def submit(self, function, *args) -> Future:
        if self.pool is None:
            self.pool = ProcessPoolExecutor(
                RENDERERS,
                mp_context=multiprocessing.get_context("fork"),
                initializer=os.nice,
                initargs=(RENDERER_NICENESS,),
            )
            first = self.pool.submit(function, *args)
            for _ in range(RENDERERS):
                self.pool.submit(review_pdf.warm_up)
            return first
        return self.pool.submit(function, *args)

    def close(self):
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


@contextmanager
def without_savepoints():
    """Within the seeding's one transaction, the services' own atomic blocks make no savepoints: nothing in the
    seeding is ever rolled back in part, a failure fails it all, and its own block, entered before, rolls it all
    back. The connection's `savepoint()` gives no savepoint, which Django's atomic blocks take as they take
    `savepoint=False` (on any backend; SQLite's ignores the `uses_savepoints` feature). About 3,000 queries
    (SAVEPOINT, RELEASE) fewer. A service that raised inside would leave the transaction marked for rollback,
    so the seeding could not go on quietly past it."""
    connection.savepoint = lambda: None  # shadows the method of the connection's class until the end
    try:
        yield
    finally:
        del connection.savepoint


def on_the_day(moment):
    """The clock a document issued at `moment` is recorded under (documents_rendered_aside)."""
    return time_machine.travel(moment, tick=False)


def credit_code(county: str, seed: str) -> str:
    rng = random.Random(seed)
    body = "91" + COUNTY_CODES[county] + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
    return body + credit_code_check_character(body)


def person(rng) -> tuple[str, str]:
    return rng.choice(SURNAMES), rng.choice(GIVEN)


def evidence_pdf(title: str) -> bytes:
    """A small but valid one-page PDF, so downloads open in any viewer."""
    text = title.encode("ascii", "ignore") or b"Evidence"
    stream = b"BT /F1 14 Tf 72 760 Td (" + text + b") Tj ET"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj".encode() + body + b"endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class Command(BaseCommand):
    help = "创建演示账号和演示申报数据（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时也执行（仅用于演示环境）")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG 已关闭：为防止污染生产数据，seed_demo 拒绝执行。确需执行请加 --force。")
        # The documents' PDFs are rendered by worker processes while the seeding goes on (Workers).
        self.workers = Workers()
        try:
            self.seed()
        finally:
            self.workers.close()

    def seed(self):
        # The cache's table first: `migrate` alone does not create it, and on PostgreSQL the first cache
        # query failing inside the seeding's transaction would abort it.
        call_command("createcachetable", verbosity=0)
        # The demo's notifications stay in the app; no e-mail is sent or printed while seeding. The
        # counts kept in the cache are made stale once for all the seeding's saves (bulk_changes).
        # With DEBUG on, Django keeps the text of every query, which on SQLite costs a second query each
        # (about a fifth of the seeding's time): the seeding runs as production would. The steps' tasks
        # (notifications and their e-mails) run at the end, in the seeding's transaction, after the last
        # document is recorded: run after the commit, each of their rows was a commit of its own.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", DEBUG=False),
            cached.bulk_changes(),
            transaction.atomic(),
            without_savepoints(),
            services.tasks_run_at_end(),
            review_services.documents_rendered_aside(self.workers.submit, clock=on_the_day),
        ):
            # A first run: the accounts' password hash is made by a worker while the reference data loads.
            if not User.objects.filter(username=ORGANISATIONS[0][0]).exists():
                self.password_hash_made = self.workers.submit(make_password, PASSWORD)
            call_command("load_reference_data", verbosity=0)
            batch = self.batch()
            self.staff()
            done = [r for r in (self.organisation_and_application(batch, *row) for row in ORGANISATIONS) if r]
            for application, target in done:
                self.advance(application, target)
            self.publicise(done)
            done += self.yearly_reports()
            self.support()
            self.upward()
            self.county_rules(batch)
            self.pending()
            created = len(done) + self.approvals(batch)
            # The apps above (the targets and the 贯标企业 register) add their demo data.
            more = sum(n for _, n in demo_data_seeding.send(sender=self.__class__))
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪：{batch}，新建申报 {created} 份，其他演示记录 {more} 条；演示账号密码均为 {PASSWORD}"
            )
        )
        if getattr(self, "online_objection", None):
            reference, code = self.online_objection
            self.stdout.write(
                f"演示网上异议（已答复）：异议编号 {reference}，查询码 {code}（仅此一次显示），"
                "可在 /public/objections/ 查询答复"
            )

    password_hash_made = None

    @cached_property
    def password_hash(self) -> str:
        # Made by a worker (a third of a second of PBKDF2), on a first run while the reference data loads.
        return (self.password_hash_made or self.workers.submit(make_password, PASSWORD)).result()

    def batch(self) -> Batch:
        today = timezone.localdate()
        deadline = datetime.date(today.year, 9, 30)
        name = f"{today.year}年度绍兴市商业秘密保护基地申报"
        if deadline < today + datetime.timedelta(days=14):
            # The demo must be usable all year: past 30 September the demo batch is extended.
            deadline = today + datetime.timedelta(days=60)
            name += "（演示批次，截止日期已顺延）"
        batch, _ = Batch.objects.get_or_create(year=today.year, defaults={"name": name, "deadline": deadline})
        return batch

    def user(self, username, **fields) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, **fields)
            # One hash for all 43 accounts (each is ~0.3 s of PBKDF2, most of the command's time once):
            # the salt is shared, which only matters for a password everybody is told anyway. Setting
            # the field instead of set_password() also skips the password-history validator's own
            # hash per account, so a demo account may later "change" to the demo password again.
            user.password = self.password_hash
            user.password_changed_at = timezone.now()
            user.full_clean()
            user.save()
        return user

    def staff(self):
        for username, role, county, last, first in STAFF:
            self.user(
                username,
                role=role,
                county=County.objects.get(name=county) if county else None,
                last_name=last,
                first_name=first,
                email=f"{username}@sxamr.example.gov.cn",
            )
        admin = self.user(
            "admin",
            role=Role.CITY_ADMIN,
            last_name="市局",
            first_name="管理员",
            is_staff=True,
            is_superuser=True,
            email="admin@sxamr.example.gov.cn",
        )
        if not admin.is_superuser:
            raise CommandError("已存在名为 admin 的非管理员账号。")

    def organisation(self, name, kind, county, industry, status=OrganisationStatus.CONFIRMED) -> Organisation:
        existing = Organisation.objects.filter(name=name).first()
        if existing:
            return existing
        rng = random.Random(name)
        last, first = person(rng)
        contact_last, contact_first = person(rng)
        organisation = Organisation(
            name=name,
            kind=kind,
            credit_code=credit_code(county, name),
            county=County.objects.get(name=county),
            industry=Industry.objects.get(name=industry),
            address=f"{STREETS[county]}{rng.randint(1, 999)}号",
            postcode=POSTCODES[county],
            legal_representative=last + first,
            contact_name=contact_last + contact_first,
            contact_title=rng.choice(["办公室主任", "法务经理", "知识产权专员", "综合科科长"]),
            contact_phone=f"139{rng.randint(10_000_000, 99_999_999)}",
            status=status,
        )
        organisation.full_clean()
        organisation.save()
        return organisation

    def pending(self):
        for name, kind, county, industry in PENDING:
            self.organisation(name, kind, county, industry, status=OrganisationStatus.PENDING)

    def organisation_and_application(self, batch, login, name, base_type, county, industry, target):
        """Create the organisation, its user and its application up to `target`'s first stage.

        Returns (application, target) for a new application, None when it existed already."""
        organisation = self.organisation(name, KIND[base_type], county, industry)
        username = login or f"org{organisation.credit_code[-6:].lower()}"
        contact = organisation.contact_name
        user = self.user(
            username,
            role=Role.APPLICANT,
            organisation=organisation,
            last_name=contact[0],
            first_name=contact[1:],
            email=f"{username}@example.com",
        )
        if organisation.applications.filter(batch=batch).exists():
            return None
        level, _, target = target.rpartition(":")
        level = level or Level.CITY
        if target == "cultivation":
            with days_ago(CULTIVATION["registered"]):
                application = review_services.candidate_register(
                    organisation=organisation,
                    base_type=base_type,
                    level=level,
                    batch=batch,
                    user=self.county_user(county),
                )
            for visit, content in zip(
                CULTIVATION["visits"],
                (
                    "宣讲《商业秘密保护管理与服务规范》，指导建立领导小组和保密员制度。",
                    "现场检查涉密区域管理，指导完善泄密应急处置预案。",
                ),
                strict=True,
            ):
                with days_ago(visit):
                    review_services.guidance_add(
                        application=application,
                        user=self.county_user(county),
                        visited_on=timezone.localdate(),
                        officer=self.county_user(county).display_name,
                        content=content,
                    )
            return application, target
        submitted = SUBMITTED_DAYS_AGO.get(target, 0)
        with days_ago(submitted + 5 if submitted else 0):
            application = services.application_create(
                organisation=organisation, user=user, base_type=base_type, level=level, batch=batch
            )
            if target == "draft_empty":
                return application, target
            rng = random.Random(name + "form")
            values, assessment = self.filled(application, rng, complete=target != "draft_partial")
            application = services.application_save_draft(
                application=application,
                user=user,
                values=values,
                self_assessment=assessment,
                version=application.version,
            )
            if target == "draft_partial":
                return application, target
            for condition in application.spec.conditions:
                pdf = SimpleUploadedFile(
                    f"{condition.article}{condition.title}证明材料.pdf",
                    evidence_pdf(f"{organisation.credit_code} {condition.code}"),
                )
                services.attachment_add(application=application, user=user, uploaded=pdf, condition_code=condition.code)
            application.refresh_from_db()
            if target in ("draft_complete",):
                return application, target
        with days_ago(submitted):
            if target == "withdrawn":
                self.act(application, "withdraw", user, comment="本年度暂不申报，明年完善后再报。")
                return application, target
            self.act(application, "submit", user)
        return application, target

    # --- Moving demo applications along the workflow, always through the services --------------

    def county_user(self, county_name) -> User:
        if county_name not in self.county_users:
            self.county_users[county_name] = User.objects.get(role=Role.COUNTY, county__name=county_name)
        return self.county_users[county_name]

    @cached_property
    def county_users(self) -> dict:
        return {}

    @cached_property
    def city_user(self) -> User:
        return User.objects.get(username="city_reviewer")

    def authority(self, application) -> User:
        if application.level == Level.COUNTY:
            return self.county_user(application.organisation.county.name)
        return self.city_user

    def act(self, application, action, user, *, issue=True, **kwargs):
        application.refresh_from_db()
        try:
            application_transition(
                application=application, action=action, user=user, version=application.version, **kwargs
            )
        except ValidationError as exc:
            raise CommandError(f"{application.display_name}：{action} 未能执行：{exc.messages}") from exc
        entry = base_selectors.latest_log_entry(application)  # the step's own entry
        if issue:
            self.issue(entry)
        application.refresh_from_db()
        return entry

    def issue(self, entry):
        """The documents the step of this log entry calls for, issued now (on the step's day)."""
        review_services.documents_issue_for_step(log_id=entry.pk)

    def signed_form_back(self, application):
        """The applicant prints its submitted form, signs and seals it and uploads the scan with the
        校验码 printed on it (第十一条（三）); the county reviews it before its step."""
        application.refresh_from_db()
        code = signing_form(application).code
        scan = SimpleUploadedFile(f"{application.reference}申报表（签字盖章）.pdf", evidence_pdf(f"Signed form {code}"))
        applicant = (
            User.objects.filter(organisation=application.organisation, role=Role.APPLICANT).order_by("pk").first()
        )
        services.signed_form_add(application=application, user=applicant, uploaded=scan, code=code.replace("-", ""))

    def advance(self, application, target):
        """From 已申报 to the target's stage short of 公示 (公示 is grouped afterwards), each step
        on its day: AFTER_SUBMISSION days after the application was submitted."""
        reached = {
            "returned": 0,
            "declined": 0,
            "submitted": 0,
            "recommended": 1,
            "in_acceptance": 2,
            "failed": 2,
            "pending_approval": 3,
            "sent_back": 3,
            "accepted": 3,
            "in_publicity": 3,
            "publicity_ended": 3,
            "recognised": 3,
            "revoked": 3,
        }.get(target)
        if reached is None:
            return
        submitted = SUBMITTED_DAYS_AGO[target]

        def on(step):
            return days_ago(submitted - AFTER_SUBMISSION[step])

        county = self.county_user(application.organisation.county.name)
        if reached >= 1:
            with on("paper"):
                self.signed_form_back(application)
        if target == "returned":
            with on("county"):
                self.act(
                    application,
                    "return_for_changes",
                    county,
                    comment="1. 年产值未附审计报告；2. 第十条（四）的定密、解密记录不完整，请补充近一年的记录。",
                    details={
                        "items": [
                            {"key": "output_value", "label": "年产值"},
                            {"key": "point-4", "label": "第十条（四）运行措施有效"},
                        ]
                    },
                )
            return
        if target == "declined":
            with on("county"):
                self.act(
                    application,
                    "decline",
                    county,
                    comment="近两年存在商业秘密侵权纠纷尚未了结，暂不符合第十条（五）的条件。",
                )
            return
        if application.level == Level.CITY and reached >= 1:
            with on("county"):
                self.act(
                    application,
                    "recommend",
                    county,
                    method_kwargs={
                        "opinion": "经审核，该单位申报材料真实完整，符合申报条件，同意推荐。",
                        "signer": county.display_name,
                        "signed_on": timezone.localdate(),
                    },
                )
        if reached < 2:
            return
        leader = self.authority(application)
        with on("group"):
            members = [u for u in User.objects.filter(role__in=[Role.CITY_ADMIN]) if application.level == Level.CITY]
            self.act(
                application,
                "start_acceptance",
                leader,
                comment=f"验收组：{leader.display_name}",
                effect_kwargs={"leader": leader, "members": members, "external_experts": "浙江工业大学 王教授"},
            )
        records = [
            ("written_review", f"{leader.display_name}、王教授", "申报材料齐全，制度文件规范，数据与证明材料一致。")
        ]
        if target == "failed":
            records.append(("site_visit", leader.display_name, "现场未见保密员履职记录，培训签到表与会员名单不符。"))
        elif reached >= 3:
            records += [
                ("meeting", leader.display_name, "会议验收：汇报清晰，答辩充分，一致同意通过。"),
                ("site_visit", leader.display_name, "实地考察：涉密区域门禁、监控和台账齐全。"),
            ]
        for kind, members, findings in records:
            with on(kind):
                review_services.acceptance_record_add(
                    application=application,
                    user=leader,
                    kind=kind,
                    held_on=timezone.localdate(),
                    members=members,
                    findings=findings,
                )
        if target == "failed":
            with on("decision"):
                self.act(
                    application,
                    "fail_acceptance",
                    leader,
                    comment="验收不通过",
                    method_kwargs={
                        "opinion": "经实地考察，服务成效与申报不符，不予通过验收。",
                        "signer": leader.display_name,
                        "signed_on": timezone.localdate(),
                    },
                )
        elif reached >= 3:
            with on("decision"):
                self.pass_acceptance(application, leader)
            if target == "pending_approval":
                return
            approver = self.approver(application)
            if target == "sent_back":
                with on("approval"):
                    self.act(
                        application,
                        "send_back",
                        approver,
                        comment="验收意见未写明实地考察发现的问题及整改情况，请验收组补充后重新出具意见。",
                    )
                with on("second_decision"):
                    self.pass_acceptance(application, leader, note="实地考察发现的台账缺漏已当场整改到位。")
            with on("second_approval" if target == "sent_back" else "approval"):
                self.act(
                    application,
                    "approve",
                    approver,
                    comment=f"同意（{cn_date(timezone.localdate())}）",
                    method_kwargs={
                        "approved_on": timezone.localdate(),
                        "approved_by": approver.display_name,
                        "opinion": "",
                    },
                )

    def pass_acceptance(self, application, leader, note=""):
        self.act(
            application,
            "pass_acceptance",
            leader,
            comment="验收通过",
            method_kwargs={
                "opinion": f"经书面预审、会议验收和实地考察，符合建设指南规定条件，验收通过。{note}",
                "signer": leader.display_name,
                "signed_on": timezone.localdate(),
            },
        )

    def approver(self, application) -> User:
        """The 分管领导 who approves the acceptance (报批): the city's, or the county's for county level."""
        county = application.organisation.county if application.level == Level.COUNTY else None
        return User.objects.get(role=Role.LEADER, county=county)

    def approvals(self, batch) -> int:
        """报批 in the demo: one application waiting for the city leader's approval, one the leader sent
        back to its group once and then approved (its history shows both). Returns how many are new."""
        rows = [
            (None, "绍兴柯桥纺织机械股份有限公司", BaseType.POINT, "柯桥区", "高端装备", "pending_approval"),
            (None, "浙江越城黄酒文化产业协会", BaseType.STATION, "越城区", "黄酒", "sent_back"),
        ]
        done = [r for r in (self.organisation_and_application(batch, *row) for row in rows) if r]
        for application, target in done:
            self.advance(application, target)
        return len(done)

    def publicise(self, done):
        """Group the accepted demo applications into 公示, then recognise, object, revoke, each on
        its day (PUBLICITY): the first 公示 ran and ended weeks ago, the second opens today."""
        by_target = {}
        for application, target in done:
            by_target.setdefault((application.level, target), []).append(application)
        city = self.city_user
        ended = by_target.get((Level.CITY, "publicity_ended"), [])
        recognised = by_target.get((Level.CITY, "recognised"), [])
        revoked = by_target.get((Level.CITY, "revoked"), [])
        past = recognised + revoked + ended
        if past:
            with days_ago(PUBLICITY["opened"]):
                publicity = self.open_publicity(past, city, "拟认定名单公示（第一批）")
            for application in ended:
                with days_ago(PUBLICITY["objection"]):
                    objection = review_services.objection_add(
                        publicity=publicity,
                        application=application,
                        user=city,
                        name="赵明",
                        phone="13857500000",
                        organisation="诸暨某珍珠经营户",
                        reasons="认为该协会培训企业数统计偏高，附培训名单复印件。",
                        received_on=timezone.localdate(),
                    )
                with days_ago(PUBLICITY["answer"]):
                    review_services.objection_answer(
                        objection=objection,
                        user=application.organisation.users.first(),
                        answer="本会培训企业数以签到表为准，附2026年度培训签到表及会员名单。",
                    )
                with days_ago(PUBLICITY["reply"]):
                    review_services.objection_reply(
                        objection=objection,
                        user=city,
                        outcome="dismissed",
                        reply="经核查培训签到表和会员名单，培训企业数统计属实，异议不成立。",
                    )
            with days_ago(PUBLICITY["recognised"]):
                # One document (认定名单) for all of them: issued once every one is recognised.
                steps = [
                    self.recognise(application, city, f"绍市监管〔{timezone.localdate().year}〕8号", issue=False)
                    for application in recognised + revoked
                ]
                for entry in steps:
                    self.issue(entry)
        for application in revoked:
            # 第十五条: the notice, the organisation's statement, then the decision.
            with days_ago(PUBLICITY["revocation_notice"]):
                case = review_services.revocation_notice_serve(
                    application=application,
                    user=city,
                    ground="forged",
                    facts="经查，申报材料中的培训签到表系事后补签，存在伪造情形。",
                    served_on=timezone.localdate(),
                )
            with days_ago(PUBLICITY["statement"]):
                review_services.revocation_statement_submit(
                    case=case,
                    user=application.organisation.users.first(),
                    statement="签到表确为培训结束后补签，但培训确已开展，请求从轻处理。",
                )
            with days_ago(PUBLICITY["revoked"]):
                self.act(
                    application,
                    "revoke",
                    city,
                    comment="伪造虚假申报材料",
                    effect_kwargs={
                        "reasons": "申报单位承认签到表系事后补签，申辩意见不能改变伪造申报材料的事实，不予采纳。",
                        "document_number": f"绍市监管〔{timezone.localdate().year}〕15号",
                        "revoked_on": timezone.localdate(),
                    },
                )
        if len(recognised) > 1:  # a revocation procedure under way: notice served, statement awaited
            with days_ago(PUBLICITY["open_notice"]):
                review_services.revocation_notice_serve(
                    application=recognised[1],
                    user=city,
                    ground="violation",
                    facts="据生态环境部门通报，该企业本年度存在环境违法行为并受到行政处罚，正在核实。",
                    served_on=timezone.localdate(),
                )
        ongoing = by_target.get((Level.CITY, "in_publicity"), [])
        if ongoing:
            publicity = self.open_publicity(ongoing, city, "拟认定名单公示（第二批）")
            review_services.objection_add(
                publicity=publicity,
                application=ongoing[0],
                user=city,
                name="孙立",
                phone="0575-85123456",
                organisation="绍兴某机械有限公司",
                received_on=timezone.localdate(),
                reasons="该园区所报开展保护工作的企业比例与我司了解的情况不符，请予核实。附园区企业走访记录。",
            )
            # 网上异议: filed on the public 公示 page and answered in writing, so the public lookup has a
            # reply to show (its code is printed once, as the page shows it once).
            online, code = review_services.objection_file_online(
                publicity=publicity,
                application=ongoing[-1],
                name="吴晓峰",
                phone="13957512345",
                organisation="新昌某轴承有限公司",
                reasons="该协会所报会员培训覆盖率偏高，据我司了解部分会员企业未参加培训。",
                evidence=SimpleUploadedFile("会员培训情况说明.pdf", evidence_pdf("Training note")),
            )
            review_services.objection_reply(
                objection=online,
                user=city,
                outcome="dismissed",
                reply="经核对该协会提供的培训签到表和会员名单，会员培训覆盖率统计属实，异议不成立。感谢您的监督。",
            )
            self.online_objection = (online.reference, code)
        for application in by_target.get((Level.COUNTY, "recognised"), []):
            county = self.authority(application)
            with days_ago(PUBLICITY["opened"]):
                self.open_publicity([application], county, "拟认定名单公示")
            with days_ago(PUBLICITY["recognised"]):
                self.recognise(application, county, f"嵊市监〔{timezone.localdate().year}〕3号")

    def yearly_reports(self) -> list:
        """第十四条: REPORTING's bases, recognised two years ago (in that year's batch, through the same
        services and steps as this year's), and their yearly reports on the two years since, filed by
        the bases' own users and reviewed by their county on the days they would have been, so that the
        reports show every state: 填报中 and overdue, 已提交 (late), 合格, 限期整改 awaiting resubmission,
        整改后已重新提交, 不合格; the last one, after an unreported year, makes a revocation procedure due
        (第十五条) that the city finds flagged in its list and has not opened yet. Returns the
        (application, target) pairs it created (none when run again)."""
        today = timezone.localdate()
        first, last = today.year - 2, today.year - 1
        city = self.city_user
        with days_ago((today - datetime.date(last, 1, 1)).days + REPORTING_SINCE):
            batch, _ = Batch.objects.get_or_create(
                year=first,
                defaults={"name": f"{first}年度绍兴市商业秘密保护基地申报", "deadline": datetime.date(first, 9, 30)},
            )
            done = [
                r for r in (self.organisation_and_application(batch, *row[:5], "recognised") for row in REPORTING) if r
            ]
            if not done:
                return []
            for application, target in done:
                self.advance(application, target)
            applications = [application for application, _ in done]
            with days_ago(PUBLICITY["opened"]):
                self.open_publicity(applications, city, "拟认定名单公示")
            with days_ago(PUBLICITY["recognised"]):
                steps = [self.recognise(a, city, f"绍市监管〔{first}〕21号", issue=False) for a in applications]
                for entry in steps:
                    self.issue(entry)

        since_new_year = (today - datetime.date(today.year, 1, 1)).days
        for (_, _, _, county, _, *stories), application in zip(REPORTING, applications, strict=True):
            base = Base.objects.get(application=application)
            filer = application.organisation.users.order_by("pk").first()
            reviewer = self.county_user(county)
            for year, story in zip((first, last), stories, strict=True):
                if year == first:  # on the days of the spring after the year
                    ago = {k: (today - datetime.date(year + 1, *md)).days for k, md in SPRING.items()}
                    due = today - datetime.timedelta(days=ago.pop("due"))
                else:  # on LAST_YEAR_DAYS, none before 1 January (in January some fall on one day)
                    ago = dict(LAST_YEAR_DAYS[story])
                    after_review = datetime.timedelta(days=ago.pop("due", 0))
                    if ago["file"] is None:  # on time, by 20 January
                        ago["file"] = max((today - datetime.date(today.year, 1, 20)).days, ago.get("review", 0) + 1)
                    ago = {k: min(v, since_new_year) for k, v in ago.items()}
                    due = today - datetime.timedelta(days=ago.get("review", 0)) + after_review
                steps = {k: days_ago(v) for k, v in ago.items()}
                self.yearly_report(base, year, story, filer, reviewer, steps, due)
        return done

    def yearly_report(self, base, year, story, filer, reviewer, steps, due):
        """One report's story, each step through reviews.services on its day (`steps`)."""
        data = {**REPORT_TEXT, "work_plan": f"{year}年度{REPORT_TEXT['work_plan']}"}
        with steps["file"]:
            report = review_services.yearly_report_file(
                base=base, user=filer, year=year, version=0, data=data, submit=story != "draft"
            )
        if story in ("draft", "submitted"):
            return
        with steps["review"]:
            if story == "passed":
                review_services.yearly_report_review(
                    report=report,
                    user=reviewer,
                    version=report.version,
                    outcome=ReviewOutcome.PASSED,
                    reasons="年度工作计划执行到位，培训和服务记录齐全。",
                )
                return
            report = review_services.yearly_report_review(
                report=report,
                user=reviewer,
                version=report.version,
                outcome=ReviewOutcome.RECTIFY,
                reasons="报告所述培训情况缺少签到记录，服务情况未列明服务对象和次数。",
                fix_items=["补充全员轮训的时间、人数和签到记录", "列明提供服务的对象、次数和内容"],
                rectify_due=due,
            )
        if story == "rectify":
            return
        with steps["resubmit"]:
            report = review_services.yearly_report_save(
                report=report,
                user=filer,
                version=report.version,
                data={"trainings": f"{data['trainings']}全员轮训两次，参训{base.name}员工共计186人次，签到表已附后。"},
                submit=True,
            )
        if story == "resubmitted":
            return
        with steps["final"]:
            if story == "failed":
                review_services.yearly_report_review(
                    report=report,
                    user=reviewer,
                    version=report.version,
                    outcome=ReviewOutcome.FAILED,
                    reasons="重报材料仍未提供培训签到记录，所列服务无法核实，不合格。",
                )
            else:
                review_services.yearly_report_review(
                    report=report,
                    user=reviewer,
                    version=report.version,
                    outcome=ReviewOutcome.PASSED,
                    reasons="已按整改事项补充培训记录和服务明细，合格。",
                )

    def support(self):
        """第十六条: funding, an award, 重点企业联系单位 (one ended and designated anew) and the three kinds
        of service for the valid demo bases that have none yet, entered by their county or the city."""
        city = self.city_user
        bases = list(Base.objects.filter(status="valid").select_related("organisation__county").order_by("pk"))
        for i, base in enumerate(bases):
            if BaseService.objects.filter(base=base).exists():
                continue
            county = self.county_user(base.organisation.county.name)
            year = base.recognised_on.year
            with days_ago(PUBLICITY["upward"]):
                kind = SupportKind.FUNDING if i % 2 == 0 else SupportKind.AWARD
                review_services.base_support_add(
                    base=base,
                    user=city,
                    kind=kind,
                    year=year,
                    amount=Decimal("20") + i * 5,
                    document=f"绍市监〔{year}〕{20 + i}号 关于商业秘密保护基地{kind.label}的通知",
                )
                review_services.liaison_designate(
                    base=base,
                    user=county,
                    officer_name="王建华",
                    officer_phone="0575-8800" + f"{1000 + i}",
                    since=timezone.localdate(),
                )
                for kind, what in (
                    (ServiceKind.GUIDANCE, "上门指导完善商业秘密分级管理制度。"),
                    (ServiceKind.RIGHTS, "协助固定侵权证据并对接执法部门。"),
                    (ServiceKind.EMERGENCY, "核心技术人员离职后的应急处置指导。"),
                ):
                    review_services.base_service_add(
                        base=base,
                        user=county,
                        kind=kind,
                        served_on=timezone.localdate(),
                        provider="县局 陈志明",
                        content=what,
                    )
            if i == 0:
                with days_ago(10):
                    current = base.liaisons.get(ended_on__isnull=True)
                    review_services.liaison_end(item=current, user=county, ended_on=timezone.localdate())
                    review_services.liaison_designate(
                        base=base,
                        user=county,
                        officer_name="李晓东",
                        officer_phone="0575-88002222",
                        since=timezone.localdate(),
                    )

    def upward(self):
        """第三条（四）: upward recommendations at each stage, each step through the services on its day:
        县局初审推荐 only; recommended on by the city; 获评; 未获评; 不予推荐. A base that has a
        recommendation of the level already is left as it is."""
        city = User.objects.get(username="city_reviewer")
        bases = {b.name: b for b in Base.objects.filter(status="valid").select_related("organisation__county")}
        for name, level, steps in UPWARD_DEMO:
            base = bases.get(name)
            if base is None or base.upward_recommendations.filter(level=level).exists():
                continue
            county = self.county_user(base.organisation.county.name)
            item = None
            for days, step, text in steps:
                with days_ago(days):
                    today = timezone.localdate()
                    files = (
                        [SimpleUploadedFile(f"{UPWARD_FILES[step]}.pdf", evidence_pdf("Upward recommendation"))]
                        if UPWARD_FILES[step]
                        else []
                    )
                    if step == "county":
                        item = review_services.upward_recommendation_open(
                            base=base, user=county, level=level, county_on=today, opinion=text, files=files
                        )
                    elif step in ("recommend", "decline"):
                        item = review_services.upward_recommendation_decide(
                            item=item,
                            user=city,
                            version=item.version,
                            decision=step,
                            city_on=today,
                            opinion=text,
                            files=files,
                        )
                    else:
                        item = review_services.upward_recommendation_outcome(
                            item=item,
                            user=city,
                            version=item.version,
                            outcome=step,
                            outcome_on=today,
                            document_number=text.format(year=today.year) if step == "recognised" else "",
                            note="" if step == "recognised" else text,
                            files=files,
                        )

    def county_rules(self, batch):
        """嵊州市, whose county-level applications the demo has, makes its own rules (第十七条): its
        staff member county_shengzhou is its county rules administrator, copies the city's and asks
        two secrecy officers and two all-staff trainings of a point, a 7-working-day 公示, a later
        deadline and a title of its own. A county-level draft of 嵊州市 with one secrecy officer then
        meets the city's threshold but not the county's. Once: nothing is done when the rules exist."""
        county = County.objects.get(name="嵊州市")
        if CountyRules.objects.filter(county=county, batch=batch).exists():
            return
        admin = self.county_user(county.name)
        services.county_rules_manager_set(account=admin, granted=True, user=User.objects.get(username="admin"))
        admin = User.objects.get(pk=admin.pk)  # the permission cache starts afresh
        rules = services.county_rules_copy(county=county, batch=batch, user=admin)
        thresholds = dict(rules.thresholds) | {"point-1.secrecy_officers": 2, "point-3.all_staff_trainings": 2}
        services.county_rules_update(
            county_rules=rules,
            user=admin,
            version=rules.version,
            deadline=rules.deadline + datetime.timedelta(days=15),
            publicity_working_days=7,
            titles=dict(rules.titles) | {BaseType.POINT: "嵊州市商业秘密保护示范点申报表"},
            thresholds=thresholds,
            reason="依据《嵊州市县级商业秘密保护基地管理办法（试行）》：示范点须配备2名以上保密员、每年2次以上全员轮训，公示7个工作日。",
        )
        done = self.organisation_and_application(
            batch, None, "嵊州市甘霖精密制造有限公司", BaseType.POINT, "嵊州市", "高端装备", "county:draft_complete"
        )
        if done:
            application, _ = done
            application.refresh_from_db()
            assessment = application.self_assessment
            assessment["point-1"]["figures"]["secrecy_officers"] = 1  # the city's 1, not the county's 2
            services.application_save_draft(
                application=application,
                user=application.created_by,
                values={},
                self_assessment=assessment,
                version=application.version,
            )

    def recognise(self, application, user, document_number, *, issue=True):
        return self.act(
            application,
            "recognise",
            user,
            issue=issue,
            comment=document_number,
            effect_kwargs={"document_number": document_number, "recognised_on": timezone.localdate()},
        )

    def open_publicity(self, applications, user, title):
        """A 公示 opened through the service, from the (demo) day it is opened."""
        for application in applications:
            application.refresh_from_db()
        today = timezone.localdate()
        level = Level(applications[0].level).label
        publicity = review_services.publicity_open(
            applications=[(a, a.version) for a in applications],
            user=user,
            title=f"{today.year}年度{level}商业秘密保护基地{title}",
            starts_on=today,
        )
        self.issue(base_selectors.latest_log_entry(applications[0]))  # its open_publicity step: the 公示公告
        return publicity

    def filled(self, application, rng, *, complete: bool):
        spec = spec_for(application.base_type)
        organisation = application.organisation
        count = rng.randint(60, 400)
        values = {
            "applicant_name": organisation.name,
            "leader_name": organisation.legal_representative,
            "address": organisation.address,
            "postcode": organisation.postcode,
            "category": CATEGORY[application.base_type],
            "enterprise_count": count,
            "member_count": count,
            "employee_count": rng.randint(80, 2000),
            "output_value": rng.randint(8_000, 900_000),
            "provincial_sites_built": rng.randint(0, 2),
            "city_sites_built": rng.randint(3, 8),
            "industry": organisation.industry,
            "contact_name": organisation.contact_name,
            "contact_title": organisation.contact_title,
            "contact_phone": organisation.contact_phone,
            "narrative": NARRATIVE.format(name=organisation.name)
            if complete
            else NARRATIVE.format(name=organisation.name)[:80],
            "applicant_opinion": "经自查，本单位符合申报条件，申报材料真实有效，同意申报。" if complete else "",
        }
        values = {k: v for k, v in values.items() if k in (*spec.field_names, "narrative", "applicant_opinion")}
        if not complete:
            for name in ("contact_title", "output_value", "category"):
                values.pop(name, None)
        assessment = {}
        for index, condition in enumerate(spec.conditions):
            if not complete and index >= 2:
                break
            figures = {}
            for figure in condition.figures:
                if figure.name == "infringements_2y":
                    figures[figure.name] = 0
                elif figure.name in (
                    "protecting_enterprises",
                    "trained_enterprises",
                    "trained_members",
                    "protecting_members",
                ):
                    figures[figure.name] = int(count * rng.uniform(0.35, 0.8))
                elif figure.name == "services_per_year":
                    figures[figure.name] = rng.randint(6, 20)
                else:
                    figures[figure.name] = rng.randint(2, 6)
            assessment[condition.code] = {
                "met": True,
                "explanation": f"{condition.title}：{condition.evidence}均已具备，详见证明材料。",
                "figures": figures,
            }
        return values, assessment
