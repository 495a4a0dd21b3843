"""Reads of the review records: what the application page shows of the review, the 公示 a
user manages, the recognised bases with their upward recommendations, notifications, and the
documents issued (who may download which, what the public verification page says of one)."""

import datetime
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import check_password
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, prefetch_related_objects
from django.db.models.functions import Coalesce
from django.utils import timezone

from bases import cached, lookup_codes, permissions
from bases.choices import UPWARD_LEVELS, BaseStatus, BaseType, Level, ObjectionOutcome, State
from bases.dates import cn_date
from bases.models import Application, ApplicationLog, Base, User
from bases.selectors import application_log, applications_for_user, bases_for_user, normalised_code
from bases.spreadsheets import Column

from . import disclosure
from .choices import (
    ISSUING_TRANSITIONS,
    UPWARD_OPEN,
    DocumentKind,
    DocumentStatus,
    ObjectionChannel,
    ReportStatus,
    RevocationStatus,
    ServiceKind,
    SupportKind,
    UpwardStatus,
)
from .models import (
    REPORT_FIRST_YEAR,
    AcceptanceGroup,
    BaseService,
    BaseSupport,
    FormBundle,
    IssuedDocument,
    LiaisonDesignation,
    Notification,
    Objection,
    Publicity,
    RevocationCase,
    UpwardDocument,
    UpwardRecommendation,
    UpwardRecommendationLog,
    YearlyReport,
    YearlyReportDeadline,
    default_report_deadline,
)


def acceptance_group_members(group: AcceptanceGroup | None) -> list[User]:
    """The members of an acceptance group (its leader among them); nobody without a group."""
    if group is None:
        return []
    return list(group.members.order_by("last_name", "username"))


def with_revocation_cases(application):
    """The application with its revocation procedures read once: the page lists them and the
    workflow's conditions (bases.workflow.open_revocation_case) ask for the open one several times."""
    prefetch_related_objects(
        [application],
        Prefetch("revocation_cases", queryset=RevocationCase.objects.select_related("opened_by", "decided_by")),
    )
    return application


def review_context(application, user) -> dict:
    """What the application page shows of the review, as the user may read it (disclosure.py):
    guidance, the acceptance group and its records, 公示 and objections, the recognised base, the
    revocation procedure, and which records the user may add."""
    whole = disclosure.sees_whole(user)
    group = getattr(application, "acceptance_group", None)  # the reverse one-to-one raises when absent
    return {
        "internal": whole,
        "guidance_visits": list(application.guidance_visits.select_related("recorded_by")),
        "may_log_guidance": permissions.can_log_guidance(application, user),
        "acceptance_group": group if whole else None,
        "acceptance_members": acceptance_group_members(group) if whole else [],
        "acceptance_records": disclosure.for_reader(
            application.acceptance_records.select_related("recorded_by"), "acceptance_record", user
        ),
        "may_record_acceptance": permissions.can_record_acceptance(application, user),
        "objections": disclosure.for_reader(application.objections.select_related("publicity"), "objection", user),
        "publicities": list(application.publicities.all()),
        "base": Base.objects.filter(application=application).first(),
        "revocation_cases": list(with_revocation_cases(application).revocation_cases.all()),
    }


def application_log_for(application, user) -> list:
    """The application's history (办理记录) as the user may read it: each entry with `shown_comment`
    and `shown_actor`."""
    entries = list(application_log(application))
    for entry in entries:
        entry.shown_comment = disclosure.shown_comment(entry, user)
        entry.shown_actor = disclosure.shown_actor(entry, user, application)
    return entries


def _publicities_in_scope(user) -> QuerySet[Publicity]:
    if permissions.is_city(user):
        return Publicity.objects.all()
    if permissions.is_county_staff(user):
        return Publicity.objects.filter(level=Level.COUNTY, county_id=user.county_id)
    return Publicity.objects.none()


def publicities_for_user(user) -> QuerySet[Publicity]:
    """公示 the user may see: all for the city, its own county's county-level ones for a county.
    Who may act on one is permissions.may_manage_publicity."""
    return (
        _publicities_in_scope(user)
        .select_related("county", "opened_by")
        .prefetch_related(
            Prefetch("applications", queryset=Application.objects.select_related("organisation__county")),
            Prefetch("objections", queryset=Objection.objects.select_related("application")),
        )
    )


def publicities_listed(user) -> QuerySet[Publicity]:
    """The 公示 list: the user's 公示 with how many applications and objections each has, counted
    by the database (no application row is loaded)."""
    queryset = _publicities_in_scope(user)
    members = Publicity.applications.through.objects.filter(publicity=OuterRef("pk"))
    objections = Objection.objects.filter(publicity=OuterRef("pk"))
    return queryset.select_related("county").annotate(
        application_count=counted(members), objection_count=counted(objections)
    )


def counted(queryset: QuerySet) -> Coalesce:
    """The number of rows of a queryset correlated to one 公示 (filtered on OuterRef), as a subquery."""
    per_publicity = queryset.order_by().values("publicity").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(per_publicity), 0)


def objections_for_user(user) -> QuerySet[Objection]:
    """Objections to the 公示 the user may see (the staff who register and reply to them)."""
    return Objection.objects.filter(publicity__in=publicities_for_user(user)).select_related("publicity", "application")


def objection_queue(user, *, pending_only: bool = True) -> QuerySet[Objection]:
    """异议处理: the objections to the 公示 the user manages, filed online and registered by staff
    alike, the pending ones first and the oldest first among them."""
    queryset = Objection.objects.filter(publicity__in=_publicities_in_scope(user)).select_related(
        "publicity", "application"
    )
    if pending_only:
        queryset = queryset.filter(Q(outcome=ObjectionOutcome.PENDING) | Q(reply=""))
    return queryset.order_by("received_on", "pk")


def objections_put_to(user) -> QuerySet[Objection]:
    """Objections raised against the applications of the user's organisation, which it answers in
    writing (what it may read of one is reviews.disclosure's to say: never the objector)."""
    if not permissions.is_applicant(user):
        return Objection.objects.none()
    return Objection.objects.filter(application__in=applications_for_user(user)).select_related(
        "publicity", "application"
    )


def applications_in_publicity(publicity) -> QuerySet[Application]:
    """The applications of a 公示 still waiting in it (公示中)."""
    return publicity.applications.filter(state=State.IN_PUBLICITY)


def recognised_bases(user, *, q: str = "") -> QuerySet[Base]:
    """The recognised bases the user may see, with their upward recommendations; `q` searches
    the name and the document number."""
    queryset = bases_for_user(user).prefetch_related("upward_recommendations")
    if q:
        queryset = queryset.filter(Q(name__icontains=q) | Q(document_number__icontains=q))
    return queryset


# The register of recognised bases (第十四条: published and managed dynamically) as a spreadsheet.
BASE_REGISTER_COLUMNS = (
    Column("基地名称", 36),
    Column("统一社会信用代码", 22),
    Column("基地类型", 11),
    Column("级别", 7),
    Column("所在区、县（市）", 15),
    Column("所属行业", 12),
    Column("认定年度", 9),
    Column("认定文号", 22),
    Column("认定日期", 12),
    Column("状态", 8),
    Column("撤销日期", 12),
    Column("撤销文号", 22),
    Column("向上推荐", 36),
)


def base_register_rows(queryset: QuerySet[Base]) -> Iterator[tuple]:
    """The rows of BASE_REGISTER_COLUMNS for the bases of `queryset` (the base list's, in its order),
    each with its upward recommendations and their outcomes in one cell."""
    queryset = queryset.select_related("organisation__county", "application__industry").prefetch_related(
        "upward_recommendations"
    )
    for base in queryset.iterator(chunk_size=500):
        upward = "；".join(
            f"{item.get_level_display()}：{item.get_status_display()}"
            + (f"（{cn_date(item.outcome_on)}）" if item.outcome_on else "")
            for item in sorted(base.upward_recommendations.all(), key=lambda item: item.pk)
        )
        yield (
            base.name,
            base.organisation.credit_code,
            base.get_base_type_display(),
            base.get_level_display(),
            base.organisation.county.name,
            base.application.industry.name if base.application.industry else "",
            base.year,
            base.document_number,
            base.recognised_on,
            base.get_status_display(),
            base.revoked_on,
            base.revocation_document,
            upward,
        )


def notifications_for_user(user) -> QuerySet[Notification]:
    if not (user and user.is_authenticated):
        return Notification.objects.none()
    return Notification.objects.filter(user=user).select_related("application")


UNREAD_BADGE_CAP = 100  # the header shows "99+" from here


def unread_notifications_count(user, *, cap: int = UNREAD_BADGE_CAP) -> int:
    """The user's unread notifications, counted up to `cap`: every page's header asks, so the count
    stops there (a LIMITed subquery on the partial index notification_unread_by_user) instead of
    walking an administrator's tens of thousands of rows."""
    if not (user and user.is_authenticated):
        return 0
    # Unordered: the list's ordering would sort every unread row before the limit.
    return Notification.objects.filter(user=user, read_at__isnull=True).order_by()[:cap].count()


def revocation_decision(application_id: int) -> RevocationCase | None:
    """The procedure that revoked the application's base (its latest decision), or None."""
    return (
        RevocationCase.objects.filter(application_id=application_id, status=RevocationStatus.REVOKED)
        .order_by("-decided_on", "-pk")
        .first()
    )


def revocation_cases_for_user(user) -> QuerySet[RevocationCase]:
    """Revocation procedures of the applications the user may see."""
    return RevocationCase.objects.select_related("application__organisation__county", "application__base").filter(
        application__in=applications_for_user(user)
    )


# --- The public portal: 公示 and the objector's lookup --------------------------------------------------


@dataclass(frozen=True)
class PublicListed:
    """An application as a 公示 publishes it: the name, what it is to be recognised as, where."""

    pk: int  # what the objection form names it by
    name: str
    base_type: str
    level: str
    county: str
    industry: str
    in_publicity: bool  # still in the 公示: objections to it are received


@dataclass(frozen=True)
class PublicPublicity:
    pk: int
    title: str
    level: str
    county: str
    starts_on: object
    ends_on: object
    status: str  # 公示中 / 公示期满 / 已结束
    running: bool  # objections are received now
    listed: list[PublicListed]


def publicities_public(*, today=None) -> QuerySet[Publicity]:
    """第十一条（五）: the 公示 the public reads, current and past: every one that has begun, newest first."""
    today = today or timezone.localdate()
    return Publicity.objects.filter(starts_on__lte=today).select_related("county")


def public_publicity_rows(publicities, *, today=None) -> list[PublicPublicity]:
    """The 公示 as the public reads them, each with the applications it lists (two queries whatever
    their number): titles, periods and the listed names, types, levels and places, nothing else."""
    today = today or timezone.localdate()
    publicities = list(publicities)
    members = Publicity.applications.through.objects.filter(publicity__in=[p.pk for p in publicities]).values(
        "publicity_id",
        "application_id",
        "application__applicant_name",
        "application__organisation__name",
        "application__base_type",
        "application__level",
        "application__state",
        "application__organisation__county__name",
        "application__organisation__industry__name",
    )
    listed: dict[int, list[PublicListed]] = {}
    for row in members.order_by("application__organisation__county__order", "application_id"):
        listed.setdefault(row["publicity_id"], []).append(
            PublicListed(
                pk=row["application_id"],
                name=row["application__applicant_name"] or row["application__organisation__name"],
                base_type=BaseType(row["application__base_type"]).label,
                level=Level(row["application__level"]).label,
                county=row["application__organisation__county__name"],
                industry=row["application__organisation__industry__name"] or "",
                in_publicity=row["application__state"] == State.IN_PUBLICITY,
            )
        )
    rows = []
    for publicity in publicities:
        items = listed.get(publicity.pk, [])
        running = not publicity.has_ended(today) and any(item.in_publicity for item in items)
        rows.append(
            PublicPublicity(
                pk=publicity.pk,
                title=publicity.title,
                level=publicity.get_level_display(),
                county=publicity.county.name if publicity.county_id else "",
                starts_on=publicity.starts_on,
                ends_on=publicity.ends_on,
                status="公示中" if running else "已结束",
                running=running,
                listed=items,
            )
        )
    return rows


def objection_by_lookup(reference: str, code: str) -> Objection | None:
    """The objector's own objection, by its reference number and the 查询码 given when it was filed
    online; None for an unknown reference and for a wrong code alike. The code is checked against its
    keyed digest (bases/lookup_codes.py), in microseconds either way; a code kept before digests were used
    (a password hash, with "$") is checked as the password hasher does."""
    reference, code = normalised_code(reference), normalised_code(code)
    objection = (
        Objection.objects.select_related("publicity", "application")
        .filter(reference=reference, channel=ObjectionChannel.ONLINE)
        .exclude(lookup_code_hash="")
        .first()
        if reference and len(reference) <= 20
        else None
    )
    if objection is None:
        return None
    stored = objection.lookup_code_hash
    if "$" in stored:
        return objection if check_password(code, stored) else None
    matches = lookup_codes.matches(objection.reference, stored, code, length=lookup_codes.OBJECTION_LENGTH)
    return objection if matches else None


# --- Issued documents ------------------------------------------------------------------------------


def documents_for_user(user) -> QuerySet[IssuedDocument]:
    """The issued documents the user may download: those concerning an application the user may see
    (the same scope as the application pages: applications_for_user). A 公示公告 or 认定名单 names
    several applications; whoever may see one of them may download it (it is published anyway)."""
    concerned = IssuedDocument.applications.through.objects.filter(
        issueddocument=OuterRef("pk"), application__in=applications_for_user(user)
    )
    return IssuedDocument.objects.filter(Exists(concerned))


def documents_of_application(application) -> list[IssuedDocument]:
    """The documents issued about an application, in the order they were issued (its page lists them)."""
    return list(application.documents.order_by("issued_at", "pk"))


def documents_of_publicity(publicity) -> list[IssuedDocument]:
    """A 公示's documents: its 公告, and the 认定名单 of the applications recognised after it."""
    return list(
        IssuedDocument.objects.filter(
            Q(publicity=publicity)
            | Q(kind=DocumentKind.RECOGNITION_LIST, applications__in=publicity.applications.all())
        )
        .distinct()
        .order_by("issued_at", "pk")
    )


def documents_of_base(base) -> list[IssuedDocument]:
    """A recognised base's 认定证书 and, if revoked, its 撤销决定书."""
    return list(IssuedDocument.objects.filter(base=base).order_by("issued_at", "pk"))


def issuing_steps() -> QuerySet[ApplicationLog]:
    """Every step taken that calls for a document, in the order taken."""
    return (
        ApplicationLog.objects.filter(transition__in=ISSUING_TRANSITIONS)
        .select_related("application")
        .order_by("created_at", "pk")
    )


def recognition_list_key(application, document_number: str) -> str:
    """The one 认定名单 per document number and issuing bureau (the city, or the county for
    county-level bases): what it is keyed by among the issued documents."""
    authority = f"county-{application.county_id}" if application.level == Level.COUNTY else "city"
    return f"list:{authority}:{document_number}"


def recognition_list_issued(application, document_number: str) -> IssuedDocument | None:
    """The 认定名单 already issued under this number by the application's bureau, if any."""
    return IssuedDocument.objects.filter(key=recognition_list_key(application, document_number)).first()


def document_for_verification(public_id: str) -> QuerySet[IssuedDocument]:
    """The document behind a verification URL (/verify/<id>/), for anyone: the id is 128 random bits,
    known only from the document itself."""
    return (
        IssuedDocument.objects.filter(public_id=public_id)
        .select_related("base")
        .prefetch_related(Prefetch("applications", queryset=Application.objects.select_related("base")))
    )


@dataclass
class ListedBase:
    name: str
    kind: str
    status: str  # DocumentStatus
    label: str


@dataclass
class DocumentState:
    """What the verification page says of a document today: valid, revoked (a certificate whose base
    was revoked, with the date and the decision) or superseded (a receipt followed by a newer one)."""

    status: str
    label: str
    note: str = ""
    listed: list[ListedBase] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.status == DocumentStatus.VALID


def _base_state(base) -> tuple[str, str]:
    if base.is_revoked:
        return DocumentStatus.REVOKED, f"已撤销（{cn_date(base.revoked_on)}，{base.revocation_document}）"
    return DocumentStatus.VALID, "有效"


def document_status(document: IssuedDocument) -> DocumentState:
    if document.kind == DocumentKind.CERTIFICATE and document.base is not None:
        status, label = _base_state(document.base)
        note = "" if status == DocumentStatus.VALID else "该基地的认定已被撤销，本证书自撤销之日起失效。"
        return DocumentState(status, label, note)
    if document.kind == DocumentKind.RECEIPT:
        application = document.applications.first()
        newer = (
            IssuedDocument.objects.filter(kind=DocumentKind.RECEIPT, applications=application, pk__gt=document.pk)
            .order_by("-pk")
            .first()
        )
        if newer is not None:
            issued = cn_date(timezone.localtime(newer.issued_at).date())
            note = f"该申报于{issued}再次提交，已出具新回执 {newer.reference}，本回执所载查询码已失效。"
            return DocumentState(DocumentStatus.SUPERSEDED, "已被新回执取代", note)
    if document.kind == DocumentKind.RECOGNITION_LIST:
        listed = []
        for application in sorted(document.applications.all(), key=lambda a: a.pk):
            base = getattr(application, "base", None)
            if base is None:
                continue
            status, label = _base_state(base)
            listed.append(
                ListedBase(base.name, f"{base.get_level_display()}{base.get_base_type_display()}", status, label)
            )
        revoked = sum(item.status == DocumentStatus.REVOKED for item in listed)
        note = f"名单中已有 {revoked} 个基地的认定被撤销，见下表。" if revoked else ""
        return DocumentState(DocumentStatus.VALID, "有效", note, listed)
    return DocumentState(DocumentStatus.VALID, "有效")


@dataclass
class UploadCheck:
    matches: bool
    sha256: str
    size: int


def upload_check(document: IssuedDocument, uploaded) -> UploadCheck:
    """Whether an uploaded file is, byte for byte, the document as issued: its SHA-256 and size
    against those recorded when the document was issued."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    return UploadCheck(
        matches=digest.hexdigest() == document.sha256 and uploaded.size == document.size,
        sha256=digest.hexdigest(),
        size=uploaded.size,
    )


def form_bundles_for_user(user) -> QuerySet[FormBundle]:
    """The zips of printed forms the user asked for (nobody else's, not even the city's)."""
    if not permissions.is_bureau_staff(user):
        return FormBundle.objects.none()
    return FormBundle.objects.filter(requested_by=user)


def form_bundles_expired(*, today=None, days: int) -> QuerySet[FormBundle]:
    """Zips of printed forms asked for more than `days` days before `today`."""
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time()))
    return FormBundle.objects.filter(created_at__lt=cutoff)


# --- 第十四条: yearly reports ---------------------------------------------------------------------------

UNSUBMITTED = (ReportStatus.DRAFT,)
FAILED_STATES = (ReportStatus.FAILED,)


def yearly_report_deadline(year: int) -> datetime.date:
    """The deadline of the reports on `year`: the city's, else 31 January of the next year."""
    row = YearlyReportDeadline.objects.filter(year=year).first()
    return row.deadline if row else default_report_deadline(year)


def bases_reporting_on(year: int) -> QuerySet[Base]:
    """Every valid base recognised by the end of `year` reports on it (revoked ones no longer)."""
    return Base.objects.filter(status=BaseStatus.VALID, recognised_on__year__lte=year).select_related(
        "organisation__county", "application"
    )


def report_years_open(base: Base, today: datetime.date) -> list[int]:
    """The years the base may report on now: from the year of its recognition to last year."""
    return list(range(max(base.recognised_on.year, REPORT_FIRST_YEAR), today.year))


def yearly_reports_for_user(user) -> QuerySet[YearlyReport]:
    """Yearly reports of the bases the user may see (the city all, a county its own, an
    organisation its own): the same scope as the base list."""
    return YearlyReport.objects.filter(base__in=bases_for_user(user)).select_related(
        "base__organisation__county", "base__application", "submitted_by", "reviewed_by", "revocation_case"
    )


def yearly_report_history(base: Base) -> list[YearlyReport]:
    """The base's reports, newest year first, each with its log (the base page for staff)."""
    return list(base.yearly_reports.prefetch_related("log__actor").order_by("-year"))


def year_failed(base: Base, year: int, today: datetime.date) -> bool:
    """A failed year: the report was found 不合格, or the deadline passed without a report submitted."""
    report = YearlyReport.objects.filter(base=base, year=year).first()
    if report is not None and report.status in FAILED_STATES:
        return True
    submitted = report is not None and report.submitted_at is not None
    return not submitted and today > yearly_report_deadline(year) and base.recognised_on.year <= year


def reports_to_remind(year: int) -> QuerySet[Base]:
    """Bases that have not yet submitted their report on `year`."""
    done = YearlyReport.objects.filter(year=year).exclude(status__in=UNSUBMITTED).values("base")
    return bases_reporting_on(year).exclude(pk__in=done)


@dataclass(frozen=True)
class ReportFlag:
    base: Base
    year: int
    reason: str
    report: YearlyReport | None


FLAG_YEARS = 3  # the city's list looks back over the last three reporting years


class ReportFlags(Sequence):
    """The city's flags in their order (newest year first, then the base's name), kept as keys and made
    into ReportFlag rows only for the part read (a page: two queries), since a year's overdue bases
    may number thousands."""

    def __init__(self, keys: list[tuple]):
        self.keys = keys  # (year, base name, base id, reason, report id or None)

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._made(self.keys[index])
        return self._made([self.keys[index]])[0]

    def __iter__(self):
        return iter(self._made(self.keys))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    @staticmethod
    def _made(keys) -> list[ReportFlag]:
        bases = Base.objects.select_related("organisation__county").in_bulk({key[2] for key in keys})
        reports = YearlyReport.objects.in_bulk({key[4] for key in keys if key[4]})
        return [ReportFlag(bases[base], year, reason, reports.get(report)) for year, _, base, reason, report in keys]


def yearly_report_flags(user, *, today: datetime.date) -> ReportFlags:
    """For the city: the reports overdue (deadline passed, not submitted) or failed, of the last
    reporting years, and those on which a revocation procedure is due."""
    if not permissions.is_city(user):
        return ReportFlags([])
    # Kept until a base or a report changes (about 100 ms for the 29,000 flags of 9,724 bases that report
    # nothing, make bench's volume); reviews.apps connects YearlyReport.
    return ReportFlags(cached.kept("yearly-report-flags", [today.isoformat()], lambda: _report_flag_keys(today)))


def _report_flag_keys(today: datetime.date) -> list[tuple]:
    keys = []
    for year in range(today.year - FLAG_YEARS, today.year):
        if year < REPORT_FIRST_YEAR:
            continue
        reports = YearlyReport.objects.filter(year=year)
        if today > yearly_report_deadline(year):
            # Every base not submitted by now, with its draft if it has one.
            drafts = dict(reports.filter(submitted_at__isnull=True).values_list("base_id", "pk"))
            overdue = Base.objects.filter(status=BaseStatus.VALID, recognised_on__year__lte=year).exclude(
                pk__in=reports.filter(submitted_at__isnull=False).values("base_id")
            )
            keys += [(year, name, pk, "逾期未报送", drafts.get(pk)) for pk, name in overdue.values_list("pk", "name")]
        flagged = reports.filter(
            Q(status=ReportStatus.FAILED) | (Q(revocation_case__isnull=True) & ~Q(revocation_ground=""))
        ).values_list("pk", "base_id", "base__name", "status")
        for pk, base, name, status in flagged:
            reason = "审核不合格" if status == ReportStatus.FAILED else "县局认定存在第十五条情形"
            keys.append((year, name, base, reason, pk))
    return sorted(keys, key=lambda key: (-key[0], key[1], key[2]))


# --- 第十六条: incentives and services ---------------------------------------------------------------------


def support_records(base: Base) -> dict:
    """What the base page shows staff of the support given to the base."""
    return {
        "supports": list(BaseSupport.objects.filter(base=base).select_related("recorded_by")),
        "liaisons": list(LiaisonDesignation.objects.filter(base=base).select_related("recorded_by")),
        "services": list(BaseService.objects.filter(base=base).select_related("recorded_by")),
    }


def current_liaison(base: Base) -> LiaisonDesignation | None:
    return LiaisonDesignation.objects.filter(base=base, ended_on__isnull=True).first()


def support_counts(county, year: int) -> list[tuple]:
    """A county's yearly summary lines of 第十六条: funding and awards (number and amount in 万元),
    liaison units designated, and the services given by kind, for its bases in `year`."""
    lines = []
    for kind in SupportKind:
        rows = BaseSupport.objects.filter(base__organisation__county=county, year=year, kind=kind)
        total = Decimal(str(rows.aggregate(total=Sum("amount"))["total"] or 0)).quantize(Decimal("0.01"))
        lines.append((f"{kind.label}（第十六条）", rows.count(), f"{year}年登记的{kind.label}，合计{total}万元"))
    liaisons = LiaisonDesignation.objects.filter(base__organisation__county=county, since__year__lte=year).filter(
        Q(ended_on__isnull=True) | Q(ended_on__year__gte=year)
    )
    lines.append(("重点企业联系单位", liaisons.count(), f"{year}年内为重点企业联系单位的基地"))
    for kind in ServiceKind:
        count = BaseService.objects.filter(base__organisation__county=county, served_on__year=year, kind=kind).count()
        lines.append((f"服务：{kind.label}", count, f"{year}年为本县基地提供的{kind.label}"))
    return lines


# --- 第三条（四）, 第十六条（三）: upward recommendations -----------------------------------------------------


def upward_recommendations_for_user(user) -> QuerySet[UpwardRecommendation]:
    """The upward recommendations the bureaus work on: all for the city, its own bases' for a county.
    Applicants read their bases' recommendations on the base page only (reviews.disclosure), never
    the opinions, the log or the documents: nothing here for them."""
    queryset = UpwardRecommendation.objects.select_related("base__organisation__county", "base__application")
    if permissions.is_city(user):
        return queryset.all()
    if permissions.is_county_staff(user):
        return queryset.filter(base__organisation__county_id=user.county_id)
    return UpwardRecommendation.objects.none()


def upward_listed(user, *, status: str = "", level: str = "", county_id: int | None = None):
    """The list page: the user's recommendations, filtered by stage, level and (for the city) county,
    newest first."""
    queryset = upward_recommendations_for_user(user)
    if status:
        queryset = queryset.filter(status=status)
    if level:
        queryset = queryset.filter(level=level)
    if county_id:
        queryset = queryset.filter(base__organisation__county_id=county_id)
    return queryset.order_by("-created_at", "-pk")


def upward_waiting_count(user) -> int | None:
    """For the city's start page: the counties' 初审推荐 waiting for its decision; None for others."""
    if not permissions.is_city(user):
        return None
    return cached.count(UpwardRecommendation.objects.filter(status=UpwardStatus.COUNTY_RECOMMENDED))


def upward_history(item: UpwardRecommendation) -> list[UpwardRecommendationLog]:
    """The steps of a recommendation in the order taken, each with who took it and its documents."""
    return list(item.log.select_related("actor").prefetch_related("documents"))


def upward_documents_for_user(user) -> QuerySet[UpwardDocument]:
    """The documents of the recommendations the user works on (the bureaus' staff in scope)."""
    return UpwardDocument.objects.filter(recommendation__in=upward_recommendations_for_user(user))


def upward_base_refusal(base: Base) -> str:
    """Why the base may not be recommended upwards now, or "": its recognition revoked, a revocation
    procedure under way, or its organisation within the 2-year ban after a revocation (第十五条)."""
    if base.status != BaseStatus.VALID:
        return "该基地的认定已被撤销，不能向上推荐。"
    if RevocationCase.objects.filter(application_id=base.application_id, status=RevocationStatus.OPEN).exists():
        return "该基地正在撤销认定程序中（撤销告知已送达），程序办结前不能向上推荐。"
    banned = base.organisation.reapply_ban_message()
    if banned:
        return banned
    return ""


def upward_levels_taken(base: Base) -> dict[str, str]:
    """The levels the base may not be recommended to again, with why: a recommendation under way,
    or 获评 already."""
    taken = {}
    for item in UpwardRecommendation.objects.filter(
        base=base, status__in=[*UPWARD_OPEN, UpwardStatus.RECOGNISED]
    ).order_by("pk"):
        level = item.get_level_display()
        if item.status == UpwardStatus.RECOGNISED:
            taken[item.level] = f"该基地已获评{level}商业秘密保护基地，无需再次推荐。"
        else:
            taken[item.level] = f"该基地已有一项{level}推荐正在办理（{item.get_status_display()}）。"
    return taken


def upward_refusal(base: Base, *, level: str | None = None) -> str:
    """Why the county may not open a recommendation of the base (to `level`, or to any level), or ""."""
    refusal = upward_base_refusal(base)
    if refusal:
        return refusal
    taken = upward_levels_taken(base)
    if level is not None:
        return taken.get(level, "")
    if all(lv in taken for lv in UPWARD_LEVELS):
        return "".join(taken[lv] for lv in UPWARD_LEVELS)
    return ""


def upward_counts(county, year: int) -> list[tuple]:
    """A county's yearly summary lines of its upward recommendations, by the date of each step in
    `year` (one grouped query per step). The provincial bases 获评 are counted towards the target by
    targets.selectors.actuals, not here."""
    mine = UpwardRecommendation.objects.filter(base__organisation__county=county)
    steps = (
        ("county_on", None, "县局初审推荐", "县局初审推荐至市局"),
        ("city_on", UpwardStatus.CITY_RECOMMENDED, "市局推荐上报", "经市局推荐上报"),
        ("city_on", UpwardStatus.CITY_DECLINED, "市局不予推荐", "市局决定不予推荐"),
        ("outcome_on", UpwardStatus.RECOGNISED, "获评", "获评"),
        ("outcome_on", UpwardStatus.NOT_RECOGNISED, "未获评", "未获评"),
    )
    lines = []
    for date_field, status, short, what in steps:
        rows = mine.filter(**{f"{date_field}__year": year})
        if status == UpwardStatus.CITY_RECOMMENDED:
            # Recommended on in the year, whatever happened after (an outcome may have followed).
            rows = rows.exclude(status__in=[UpwardStatus.COUNTY_RECOMMENDED, UpwardStatus.CITY_DECLINED])
        elif status is not None:
            rows = rows.filter(status=status)
        counts = dict(rows.order_by().values_list("level").annotate(n=Count("pk")))
        split = "、".join(f"{Level(level).label}{counts.get(level, 0)}个" for level in UPWARD_LEVELS)
        lines.append((f"向上推荐：{short}", sum(counts.values()), f"{year}年{what}的省级、国家级推荐（{split}）"))
    return lines
