"""Volume for `make bench`: what a deployment holds after five yearly batches.

Run after seed_demo, on its accounts and organisations: by default 20,000 applications over the
batches of the last five years (the current one included) across the six counties, the three base
types and every industry, in the proportions a bureau sees (older batches mostly recognised, ended
or left as drafts; the current one in every state), with their sealed log (bases/log_seal.py: each
entry chained to the one before, a LogHead per application, so verify_log passes; no evidence files
and so no upload entries), notifications
(unread ones for the staff of the current batch), 公示 with their applications, acceptance groups
and records, guidance visits and the recognised bases.

Rows are written in bulk (bulk_create in chunks, one password hash for every new account) rather
than through the services, which would take hours: the histories are made up consistently here
instead, each step after the one before and none after now. For benchmarks and demonstrations only:
it refuses to run when DEBUG is off unless given --force, and refuses a database it has filled before.
"""

import datetime
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from bases import cached, lookup_codes
from bases.choices import (
    AcceptanceKind,
    BaseStatus,
    BaseType,
    Level,
    LogAction,
    OrganisationKind,
    OrganisationStatus,
    RevocationGround,
    Role,
    State,
)
from bases.forms_spec import spec_for
from bases.log_seal import entry_digest
from bases.models import (
    Application,
    ApplicationLog,
    Base,
    Batch,
    County,
    Industry,
    LogHead,
    Organisation,
    ReferenceCounter,
    User,
)
from bases.validators import credit_code_check_character
from reviews.choices import NotificationKind
from reviews.models import AcceptanceGroup, AcceptanceRecord, GuidanceVisit, Notification, Publicity

from .seed_demo import GIVEN, PASSWORD, POSTCODES, STREETS, SURNAMES
from .seed_demo import Command as DemoCommand

CHUNK = 2000
YEARS = 5
# Where the applications of a batch end up: the current batch is in every state; older batches
# have ended (recognised, declined, failed, withdrawn, or a draft or a candidate never submitted).
CURRENT_MIX = {
    State.CULTIVATION: 6,
    State.DRAFT: 18,
    State.SUBMITTED: 14,
    State.RETURNED: 5,
    State.DECLINED: 3,
    State.RECOMMENDED: 12,
    State.IN_ACCEPTANCE: 10,
    State.PENDING_APPROVAL: 3,
    State.ACCEPTED: 5,
    State.FAILED: 3,
    State.IN_PUBLICITY: 5,
    State.RECOGNISED: 14,
    State.REVOKED: 1,
    State.WITHDRAWN: 4,
}
PAST_MIX = {
    State.CULTIVATION: 3,
    State.DRAFT: 12,
    State.DECLINED: 10,
    State.FAILED: 8,
    State.RECOGNISED: 54,
    State.REVOKED: 3,
    State.WITHDRAWN: 10,
}
# Organisations by kind, and the base type each kind applies for.
KINDS = [
    (OrganisationKind.ENTERPRISE, BaseType.POINT, 75),
    (OrganisationKind.ASSOCIATION, BaseType.STATION, 8),
    (OrganisationKind.CHAMBER, BaseType.STATION, 4),
    (OrganisationKind.TOWNSHIP, BaseType.STATION, 3),
    (OrganisationKind.PARK, BaseType.ZONE, 10),
]
COUNTY_LEVEL_SHARE = 0.1
PUBLICITY_SIZE = 200
BRANDS_A = "越柯虞暨嵊新兰稽镜鉴会卧若耶秦望龙山天姥沃洲剡溪曹娥浣纱"
BRANDS_B = "华鑫盛达宏远博晟泰恒瑞丰源诚信安捷汇通凯宇利"
SUFFIX = {
    OrganisationKind.ENTERPRISE: ["科技有限公司", "股份有限公司", "实业有限公司", "制造有限公司"],
    OrganisationKind.ASSOCIATION: ["行业协会"],
    OrganisationKind.CHAMBER: ["商会"],
    OrganisationKind.TOWNSHIP: ["街道办事处", "镇人民政府"],
    OrganisationKind.PARK: ["产业园管理委员会", "小镇管理委员会"],
}
# The path to each final state: the steps after the form was created and filled.
TO_SUBMITTED = ["submit"]
TO_RECOMMENDED = [*TO_SUBMITTED, "recommend"]
TO_IN_ACCEPTANCE = [*TO_RECOMMENDED, "start_acceptance", AcceptanceKind.WRITTEN_REVIEW]
TO_DECIDED = [*TO_IN_ACCEPTANCE, AcceptanceKind.MEETING, AcceptanceKind.SITE_VISIT]
TO_PENDING_APPROVAL = [*TO_DECIDED, "pass_acceptance"]
TO_ACCEPTED = [*TO_PENDING_APPROVAL, "approve"]
TO_RECOGNISED = [*TO_ACCEPTED, "open_publicity", "recognise"]
PATHS = {
    State.DRAFT: [],
    State.SUBMITTED: TO_SUBMITTED,
    State.RETURNED: [*TO_SUBMITTED, "return_for_changes"],
    State.DECLINED: [*TO_SUBMITTED, "decline"],
    State.WITHDRAWN: ["withdraw"],
    State.RECOMMENDED: TO_RECOMMENDED,
    State.IN_ACCEPTANCE: TO_IN_ACCEPTANCE,
    State.PENDING_APPROVAL: TO_PENDING_APPROVAL,
    State.ACCEPTED: TO_ACCEPTED,
    State.FAILED: [*TO_DECIDED, "fail_acceptance"],
    State.IN_PUBLICITY: [*TO_ACCEPTED, "open_publicity"],
    State.RECOGNISED: TO_RECOGNISED,
    State.REVOKED: [*TO_RECOGNISED, "revoke"],
}
# Who takes each step: the applicant, its county, the authority's leader (报批) or the acceptance authority.
APPLICANT_STEPS = {"submit", "withdraw"}
COUNTY_STEPS = {"recommend", "return_for_changes", "decline"}
LEADER_STEPS = {"approve"}
COMMENTS = {
    "return_for_changes": "1. 年产值未附审计报告；2. 定密、解密记录不完整，请补充近一年的记录。",
    "decline": "近两年存在商业秘密侵权纠纷尚未了结，暂不符合申报条件。",
    "recommend": "经审核，该单位申报材料真实完整，符合申报条件，同意推荐。",
    "pass_acceptance": "经书面预审、会议验收和实地考察，符合认定条件，验收通过。",
    "fail_acceptance": "实地考察发现保密制度未有效运行，验收不通过。",
    "withdraw": "本年度暂不申报，明年完善后再报。",
    "revoke": "经查证存在严重失信行为记录，依据第十五条撤销认定。",
}


@contextmanager
def given_timestamps(*fields):
    """Let bulk_create keep the times the made-up histories give instead of now (auto_now)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Command(BaseCommand):
    help = "批量生成多年度的申报、办理记录、通知、公示和基地数据（用于性能测试；需先运行 seed_demo）"

    def add_arguments(self, parser):
        parser.add_argument("--applications", type=int, default=20_000, help="申报总数，平均分配到各年度批次")
        parser.add_argument("--years", type=int, default=YEARS, help="年度批次数（含当年）")
        parser.add_argument("--seed", type=int, default=2021, help="随机数种子")
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时也执行（仅用于测试环境）")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG 已关闭：为防止污染生产数据，seed_volume 拒绝执行。确需执行请加 --force。")
        started = time.monotonic()
        self.rng = random.Random(options["seed"])
        self.now = timezone.now()
        self.today = timezone.localdate()
        with transaction.atomic():
            self.prepare(options["years"])
            counts = self.fill(options["applications"])
        cached.changed()  # bulk_create sends no save signals: counts kept from before are stale
        if connection.vendor == "postgresql":
            # A bulk load leaves the planner's statistics and the visibility map behind (autovacuum
            # catches up on a live system); the name search's GIN index, for one, is only chosen once
            # the tables are analysed, and counts read an index alone only once it is vacuumed.
            with connection.cursor() as cursor:
                # (VACUUM cannot run in a transaction: a test's seeding only analyses.)
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        seconds = time.monotonic() - started
        summary = "，".join(f"{name} {n}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"批量数据就绪（{seconds:.0f} 秒）：{summary}"))

    # --- What there is already -----------------------------------------------------------------

    def prepare(self, years: int):
        try:
            self.city = User.objects.get(username="city_reviewer")
            self.admin = User.objects.get(username="admin")
        except User.DoesNotExist as exc:
            raise CommandError("找不到演示账号：请先运行 seed_demo。") from exc
        if User.objects.filter(username__startswith="volume").exists():
            raise CommandError("该数据库已生成过批量数据；请换一个空数据库。")
        self.counties = list(County.objects.order_by("order", "code"))
        self.county_staff = {u.county_id: u for u in User.objects.filter(role=Role.COUNTY).order_by("pk")}
        if len(self.county_staff) < len(self.counties):
            raise CommandError("缺少县局演示账号：请先运行 seed_demo。")
        self.industries = list(Industry.objects.filter(is_active=True))
        current = self.today.year
        self.batches = []
        for year in range(current - years + 1, current + 1):
            batch, _ = Batch.objects.get_or_create(
                year=year,
                defaults={"name": f"{year}年度绍兴市商业秘密保护基地申报", "deadline": datetime.date(year, 9, 30)},
            )
            self.batches.append(batch)
        self.taken = set(Organisation.objects.values_list("credit_code", flat=True))
        self.labels = {
            t.name: t.custom["label"] for t in Application._meta.get_field("state").get_all_transitions(Application)
        }
        self.password = make_password(PASSWORD)  # once: hashing dominates otherwise
        self.template = DemoCommand()
        # 报批: the city's leader and each county's (seed_demo has the city's and 嵊州's; the others are added).
        self.leaders = {county.pk if county else None: self.leader(county) for county in [None, *self.counties]}

    def leader(self, county) -> User:
        found = User.objects.filter(role=Role.LEADER, county=county).order_by("pk").first()
        if found:
            return found
        return User.objects.create(
            username=f"volume_leader_{county.code if county else 'city'}",
            role=Role.LEADER,
            county=county,
            last_name="分管",
            first_name="领导",
            password=self.password,
        )

    # --- Organisations and their accounts ------------------------------------------------------

    def new_organisations(self, n: int) -> list[Organisation]:
        rng = self.rng
        organisations = []
        for _ in range(n):
            kind, _, _ = rng.choices(KINDS, weights=[w for *_, w in KINDS])[0]
            county = rng.choice(self.counties)
            industry = rng.choice(self.industries)
            while True:
                body = "91" + county.code + "".join(rng.choice("0123456789ABCDEFGH") for _ in range(9))
                code = body + credit_code_check_character(body)
                if code not in self.taken:
                    self.taken.add(code)
                    break
            place = county.name[:2]
            brand = rng.choice(BRANDS_A) + rng.choice(BRANDS_B)
            trade = industry.name if kind != OrganisationKind.TOWNSHIP else ""
            name = f"{'浙江' if rng.random() < 0.3 else '绍兴'}{place}{brand}{trade}{rng.choice(SUFFIX[kind])}"
            if kind == OrganisationKind.TOWNSHIP:
                name = f"{county.name}{brand}{rng.choice(SUFFIX[kind])}"
            organisations.append(
                Organisation(
                    name=name[:100],
                    kind=kind,
                    credit_code=code,
                    county=county,
                    industry=industry,
                    address=f"{STREETS.get(county.name, county.name)}{rng.randint(1, 999)}号",
                    postcode=POSTCODES.get(county.name, "312000"),
                    legal_representative=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    contact_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    contact_title=rng.choice(["办公室主任", "法务经理", "知识产权专员", "综合科科长"]),
                    contact_phone=f"139{rng.randint(10_000_000, 99_999_999)}",
                    status=OrganisationStatus.CONFIRMED,
                    confirmed_by=self.county_staff[county.pk],
                    confirmed_at=self.now - datetime.timedelta(days=rng.randint(200, 365 * len(self.batches))),
                )
            )
        Organisation.objects.bulk_create(organisations, batch_size=CHUNK)
        start = User.objects.filter(username__startswith="volume").count()
        users = [
            User(
                username=f"volume{start + i:05d}",
                role=Role.APPLICANT,
                organisation=organisation,
                last_name=organisation.contact_name[0],
                first_name=organisation.contact_name[1:],
                email=f"volume{start + i:05d}@example.com",
                password=self.password,
                password_changed_at=self.now,
            )
            for i, organisation in enumerate(organisations)
        ]
        User.objects.bulk_create(users, batch_size=CHUNK)
        for organisation, user in zip(organisations, users, strict=True):
            organisation.applicant = user
        return organisations

    # --- Applications and everything about them -------------------------------------------------

    def fill(self, total: int) -> dict:
        per_batch = [total // len(self.batches) + (i < total % len(self.batches)) for i in range(len(self.batches))]
        pool: list[Organisation] = []
        done: set[int] = set()  # recognised or revoked: a base does not apply again
        counters = self.reference_counters()
        planned = []
        for batch, n in zip(self.batches, per_batch, strict=True):
            available = [o for o in pool if o.pk not in done]
            if len(available) < n:
                fresh = self.new_organisations(n - len(available) + n // 10)
                pool.extend(fresh)
                available.extend(fresh)
            mix = CURRENT_MIX if batch.year == self.today.year else PAST_MIX
            states = self.rng.choices(list(mix), weights=list(mix.values()), k=n)
            for organisation, state in zip(self.rng.sample(available, n), states, strict=True):
                planned.append(self.plan(batch, organisation, state, counters))
                if state in (State.RECOGNISED, State.REVOKED):
                    done.add(organisation.pk)
        self.schedule_publicities(planned)
        applications = [p.application for p in planned]
        with given_timestamps(Application._meta.get_field("created_at"), Application._meta.get_field("updated_at")):
            Application.objects.bulk_create(applications, batch_size=CHUNK)
        for stem, last in counters.items():
            ReferenceCounter.objects.update_or_create(stem=stem, defaults={"last": last})
        return self.write_records(planned)

    def reference_counters(self) -> dict:
        counters = dict(ReferenceCounter.objects.values_list("stem", "last"))
        for reference in Application.objects.values_list("reference", flat=True):
            stem, number = reference[:-4], int(reference[-4:])
            counters[stem] = max(counters.get(stem, 0), number)
        return counters

    def plan(self, batch, organisation, state, counters) -> SimpleNamespace:
        """One application: its row, and the steps of its history with their times."""
        rng = self.rng
        base_type = next(t for k, t, _ in KINDS if k == organisation.kind)
        level = Level.COUNTY if rng.random() < COUNTY_LEVEL_SHARE else Level.CITY
        stem = f"SX{batch.year}{spec_for(base_type).reference_prefix}"
        counters[stem] = counters.get(stem, 0) + 1
        county_user = self.county_staff[organisation.county_id]
        authority = county_user if level == Level.COUNTY else self.city
        approver = self.leaders[organisation.county_id if level == Level.COUNTY else None]
        steps = list(PATHS.get(state, []))
        if level == Level.COUNTY:
            steps = [s for s in steps if s != "recommend"]
        complete = state not in (State.CULTIVATION, State.DRAFT) or rng.random() < 0.5
        shell = SimpleNamespace(base_type=base_type, organisation=organisation)
        values, assessment = self.template.filled(shell, rng, complete=complete)
        application = Application(
            reference=f"{stem}{counters[stem]:04d}",
            organisation=organisation,
            county_id=organisation.county_id,  # bulk_create skips Application.save, which copies it
            batch=batch,
            base_type=base_type,
            level=level,
            state=state,
            created_by=county_user if state == State.CULTIVATION else organisation.applicant,
            self_assessment=assessment,
            **values,
        )
        # The history: created in spring, each step a few days after the one before; the 公示 and
        # what follows it get their days from the 公示 they are grouped in (schedule_publicities).
        start = datetime.datetime(batch.year, 3, 1, 9, tzinfo=datetime.UTC) + datetime.timedelta(
            days=rng.randint(0, 110), minutes=rng.randint(0, 480)
        )
        history = []
        if state == State.CULTIVATION:
            history.append(("create", county_user, start))
            for days in (20, 45):
                history.append((LogAction.GUIDANCE, county_user, start + datetime.timedelta(days=days)))
        else:
            history.append(("create", organisation.applicant, start))
            at = start + datetime.timedelta(hours=1)
            history.append((LogAction.EDIT, organisation.applicant, at))
            for step in steps:
                if step in ("open_publicity", "recognise", "revoke"):
                    break
                at += datetime.timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 300))
                actor = (
                    organisation.applicant
                    if step in APPLICANT_STEPS
                    else county_user
                    if step in COUNTY_STEPS
                    else approver
                    if step in LEADER_STEPS
                    else authority
                )
                history.append((step, actor, at))
        return SimpleNamespace(
            application=application,
            state=state,
            steps=steps,
            history=history,
            authority=authority,
            county_user=county_user,
            approver=approver,
            publicity=None,
        )

    def schedule_publicities(self, planned):
        """Group the applications that went to 公示 by batch, level and county, PUBLICITY_SIZE to a
        公示: ended ones from October of their year on (the current year's before last week), the
        running one of this year opened two days ago; then recognition and revocation after them."""
        groups = defaultdict(list)
        for p in planned:
            if "open_publicity" in p.steps:
                a = p.application
                running = p.state == State.IN_PUBLICITY
                county = a.organisation.county if a.level == Level.COUNTY else None
                groups[(a.batch.year, a.level, county.pk if county else 0, running)].append(p)
        self.publicities = []
        for (year, level, _, running), members in sorted(groups.items(), key=lambda item: item[0]):
            for index in range(0, len(members), PUBLICITY_SIZE):
                chunk = members[index : index + PUBLICITY_SIZE]
                first = chunk[0].application
                if running:
                    starts_on = self.today - datetime.timedelta(days=2)
                else:
                    starts_on = datetime.date(year, 10, 8) + datetime.timedelta(days=7 * (index // PUBLICITY_SIZE))
                    if year == self.today.year:
                        starts_on = min(starts_on, self.today - datetime.timedelta(days=25))
                ends_on = starts_on + datetime.timedelta(days=7)
                county = first.organisation.county if level == Level.COUNTY else None
                opened = datetime.datetime.combine(starts_on, datetime.time(9), tzinfo=datetime.UTC)
                publicity = Publicity(
                    title=f"{year}年度{county.name if county else '绍兴市'}商业秘密保护基地拟认定名单公示"
                    f"（第{index // PUBLICITY_SIZE + 1}批）",
                    level=level,
                    county=county,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    opened_by=chunk[0].authority,
                    opened_at=opened,
                    closed_at=None if running else opened + datetime.timedelta(days=8),
                )
                publicity.members = chunk
                self.publicities.append(publicity)
                for p in chunk:
                    p.publicity = publicity
                    at = opened + datetime.timedelta(minutes=self.rng.randint(0, 30))
                    if p.history[-1][2] >= at:  # a late acceptance: its history ends just before
                        at = p.history[-1][2] + datetime.timedelta(minutes=5)
                    p.history.append(("open_publicity", p.authority, at))
                    if "recognise" in p.steps:
                        at = opened + datetime.timedelta(days=10, minutes=self.rng.randint(0, 60))
                        p.history.append(("recognise", p.authority, at))
                    if "revoke" in p.steps:
                        at = min(at + datetime.timedelta(days=self.rng.randint(60, 400)), self.now)
                        p.history.append(("revoke", p.authority, at - datetime.timedelta(hours=1)))
        for p in planned:
            latest = p.history[-1][2]
            if latest > self.now:  # the current batch: move the whole history back before now
                shift = latest - self.now + datetime.timedelta(hours=self.rng.randint(1, 48))
                p.history = [(step, actor, at - shift) for step, actor, at in p.history]
            a = p.application
            a.created_at, a.updated_at = p.history[0][2], p.history[-1][2]
            a.version = len(p.history)
            # A submitted application has the digest of its receipt's 查询码 (the receipts themselves,
            # PDFs, are not made at this volume: the pages measured do not show them).
            submitted = "submit" in p.steps or a.state == State.WITHDRAWN
            a.lookup_code_hash = lookup_codes.digest(a.reference, lookup_codes.new_code()) if submitted else ""
            self.opinions(p)

    def opinions(self, p):
        a, times = p.application, {step: at for step, _, at in p.history}
        decided = times.get("recommend") or (times.get("start_acceptance") if a.level == Level.COUNTY else None)
        if decided:
            a.county_opinion, a.county_signer = COMMENTS["recommend"], p.county_user.display_name
            a.county_opinion_on = timezone.localdate(decided)
        for step in ("pass_acceptance", "fail_acceptance"):
            if step in times:
                a.city_opinion, a.city_signer = COMMENTS[step], p.authority.display_name
                a.city_opinion_on = timezone.localdate(times[step])
        if "approve" in times:
            a.approved_by, a.approved_on = p.approver.display_name, timezone.localdate(times["approve"])

    def write_records(self, planned) -> dict:
        logs, heads, visits, groups, records, bases, notifications = [], [], [], [], [], [], []
        documents = defaultdict(int)
        for p in planned:
            a = p.application
            applicant = a.organisation.applicant
            previous, state = "", State.CULTIVATION if p.state == State.CULTIVATION else State.DRAFT
            for seq, (step, actor, at) in enumerate(p.history):
                entry = self.log_entry(a, step, actor, at, state)
                state = entry.to_state or state
                entry.previous_digest = previous
                entry.digest = previous = entry_digest(entry)
                logs.append(entry)
                if step == LogAction.GUIDANCE:
                    visits.append(
                        GuidanceVisit(
                            application=a,
                            visited_on=timezone.localdate(at),
                            officer=actor.display_name,
                            content="指导建立商业秘密保护领导小组和保密员制度，完善泄密应急处置预案。",
                            recorded_by=actor,
                            created_at=at,
                        )
                    )
                elif step == "start_acceptance":
                    groups.append(
                        AcceptanceGroup(
                            application=a,
                            leader=actor,
                            formed_by=actor,
                            formed_at=at,
                            external_experts="浙江工业大学 王教授",
                        )
                    )
                elif step in AcceptanceKind.values:
                    records.append(
                        AcceptanceRecord(
                            application=a,
                            kind=step,
                            held_on=timezone.localdate(at),
                            members=f"{actor.display_name}、浙江工业大学 王教授",
                            findings="材料齐全，制度健全，措施落实，档案规范。",
                            recorded_by=actor,
                            created_at=at,
                        )
                    )
                elif step == "recognise":
                    documents[(a.batch.year, a.level)] += 1
                    number = documents[(a.batch.year, a.level)]
                    prefix = "绍市监竞" if a.level == Level.CITY else f"{a.organisation.county.name[:2]}市监"
                    revoked = p.state == State.REVOKED
                    revoked_on = timezone.localdate(p.history[-1][2]) if revoked else None
                    bases.append(
                        Base(
                            application=a,
                            organisation=a.organisation,
                            name=a.display_name,
                            base_type=a.base_type,
                            level=a.level,
                            year=a.batch.year,
                            document_number=f"{prefix}〔{a.batch.year}〕{number}号",
                            recognised_on=timezone.localdate(at),
                            status=BaseStatus.REVOKED if revoked else BaseStatus.VALID,
                            revoked_on=revoked_on,
                            revocation_ground=RevocationGround.DISHONESTY if revoked else "",
                            revocation_details=COMMENTS["revoke"] if revoked else "",
                            revocation_document=f"{prefix}〔{revoked_on.year}〕撤{documents[(a.batch.year, a.level)]}号"
                            if revoked
                            else "",
                        )
                    )
                if entry.action == LogAction.TRANSITION:
                    notifications.extend(self.notifications_of(p, entry, seq, applicant))
            heads.append(LogHead(application=a, digest=previous))
        self.bulk(ApplicationLog, logs)
        self.bulk(LogHead, heads)
        with given_timestamps(Publicity._meta.get_field("opened_at")):
            self.bulk(Publicity, self.publicities)
        Through = Publicity.applications.through
        self.bulk(
            Through,
            [Through(publicity=pub, application=p.application) for pub in self.publicities for p in pub.members],
        )
        with given_timestamps(GuidanceVisit._meta.get_field("created_at")):
            self.bulk(GuidanceVisit, visits)
        self.bulk(AcceptanceGroup, groups)
        with given_timestamps(AcceptanceRecord._meta.get_field("created_at")):
            self.bulk(AcceptanceRecord, records)
        self.bulk(Base, bases)
        with given_timestamps(Notification._meta.get_field("created_at")):
            self.bulk(Notification, notifications)
        return {
            "申报": len(planned),
            "办理记录": len(logs),
            "通知": len(notifications),
            "未读通知": sum(n.read_at is None for n in notifications),
            "公示": len(self.publicities),
            "验收记录": len(records),
            "基地": len(bases),
        }

    def log_entry(self, a, step, actor, at, state) -> ApplicationLog:
        fields = {"action": step, "label": LogAction(step).label} if step in LogAction.values else {}
        if step == "create":
            cultivation = state == State.CULTIVATION
            fields = {
                "action": LogAction.CREATE,
                "label": "登记培育对象" if cultivation else LogAction.CREATE.label,
                "to_state": state,
            }
        elif step in AcceptanceKind.values:
            fields = {"action": LogAction.ACCEPTANCE_RECORD, "label": LogAction.ACCEPTANCE_RECORD.label}
        elif step in self.labels:
            target = {
                "submit": State.SUBMITTED,
                "withdraw": State.WITHDRAWN,
                "return_for_changes": State.RETURNED,
                "decline": State.DECLINED,
                "recommend": State.RECOMMENDED,
                "start_acceptance": State.IN_ACCEPTANCE,
                "pass_acceptance": State.PENDING_APPROVAL,
                "approve": State.ACCEPTED,
                "fail_acceptance": State.FAILED,
                "open_publicity": State.IN_PUBLICITY,
                "recognise": State.RECOGNISED,
                "revoke": State.REVOKED,
            }[step]
            fields = {
                "action": LogAction.TRANSITION,
                "transition": step,
                "label": self.labels[step],
                "from_state": state,
                "to_state": target,
                "comment": COMMENTS.get(step, ""),
            }
        return ApplicationLog(application=a, actor=actor, actor_role=actor.get_role_display(), created_at=at, **fields)

    def notifications_of(self, p, entry, seq, applicant):
        """The applicant hears of every step; the county of a submission, the city of a recommendation.
        Staff leave this year's unread, and a third of older ones."""
        a = p.application
        current = a.batch.year == self.today.year
        recipients = [applicant]
        if entry.transition == "submit":
            recipients.append(p.county_user)
        elif entry.transition == "pass_acceptance":
            recipients.append(p.approver)
        elif entry.transition in ("recommend", "approve") and a.level == Level.CITY:
            recipients.extend([self.city, self.admin])
        message = f"{a.reference} {a.display_name}：{entry.label}（{State(entry.to_state).label}）"
        out = []
        for user in recipients:
            staff = user is not applicant
            unread = (current and (staff or self.rng.random() < 0.4)) or (staff and self.rng.random() < 0.3)
            out.append(
                Notification(
                    user=user,
                    application=a,
                    kind=NotificationKind.TRANSITION,
                    key=f"volume:{a.reference}:{seq}",
                    message=message[:300],
                    created_at=entry.created_at,
                    read_at=None if unread else entry.created_at + datetime.timedelta(hours=self.rng.randint(1, 72)),
                )
            )
        return out

    def bulk(self, model, rows):
        model.objects.bulk_create(rows, batch_size=CHUNK)
