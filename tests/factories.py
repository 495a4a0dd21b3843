"""factory-boy factories. Application states via traits: ApplicationFactory(submitted=True)."""

import datetime
import io
import random
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bases.choices import BaseType, OrganisationKind, OrganisationStatus, Role, State
from bases.dates import cn_date
from bases.forms_spec import spec_for
from bases.models import Application, Attachment, Batch, County, Industry, Organisation, User
from bases.services import application_transition
from bases.validators import CREDIT_CODE_CHARSET, credit_code_check_character

PASSWORD = "Shaoxing#2021"

KIND_FOR_TYPE = {
    BaseType.ZONE: OrganisationKind.PARK,
    BaseType.STATION: OrganisationKind.ASSOCIATION,
    BaseType.POINT: OrganisationKind.ENTERPRISE,
}


def make_credit_code(seed: int) -> str:
    """A valid GB 32100-2015 code, deterministic for a seed."""
    rng = random.Random(seed)
    body = (
        "913306"
        + "".join(rng.choice("0123456789") for _ in range(2))
        + "".join(rng.choice(CREDIT_CODE_CHARSET) for _ in range(9))
    )
    return body + credit_code_check_character(body)


def county(name="越城区") -> County:
    return County.objects.get(name=name)


def industry(name="高端装备") -> Industry:
    return Industry.objects.get(name=name)


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Batch
        django_get_or_create = ("year",)

    year = factory.LazyFunction(lambda: timezone.localdate().year)
    name = factory.LazyAttribute(lambda o: f"{o.year}年度商业秘密保护基地申报")
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))

    class Params:
        closed = factory.Trait(deadline=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=1)))


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"绍兴测试单位{n}有限公司")
    kind = OrganisationKind.ENTERPRISE
    credit_code = factory.Sequence(make_credit_code)
    county = factory.LazyFunction(county)
    industry = factory.LazyFunction(industry)
    address = "绍兴市越城区人民中路1号"
    postcode = "312000"
    legal_representative = "王建国"
    contact_name = "李小红"
    contact_title = "办公室主任"
    contact_phone = "0575-88001234"
    status = OrganisationStatus.CONFIRMED


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "测试"
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    class Params:
        applicant = factory.Trait(role=Role.APPLICANT, organisation=factory.SubFactory(OrganisationFactory))
        county_staff = factory.Trait(role=Role.COUNTY, county=factory.LazyFunction(county))
        city_reviewer = factory.Trait(role=Role.CITY_REVIEWER)
        city_leader = factory.Trait(role=Role.LEADER, county=None)  # 市局分管领导
        county_leader = factory.Trait(role=Role.LEADER, county=factory.LazyFunction(county))  # 县局分管领导
        city_admin = factory.Trait(role=Role.CITY_ADMIN, is_staff=True)
        security_admin = factory.Trait(role=Role.SECURITY_ADMIN, is_staff=True)
        audit_admin = factory.Trait(role=Role.AUDIT_ADMIN, is_staff=True)


def complete_assessment(base_type: str) -> dict:
    """A self-assessment in which every condition of the type holds."""
    spec = spec_for(base_type)
    generous = {"infringements_2y": 0}
    return {
        c.code: {
            "met": True,
            "explanation": f"{c.title}：已按要求落实，相关制度与记录齐全。",
            "figures": {f.name: generous.get(f.name, 50) for f in c.figures},
        }
        for c in spec.conditions
    }


COMPLETE_CELLS = {
    "leader_name": "王建国",
    "address": "绍兴市越城区人民中路1号",
    "postcode": "312000",
    "enterprise_count": 100,
    "member_count": 100,
    "employee_count": 320,
    "output_value": "52000.00",
    "provincial_sites_built": 1,
    "city_sites_built": 3,
    "contact_name": "李小红",
    "contact_title": "办公室主任",
    "contact_phone": "13905751234",
}
CATEGORY = {BaseType.ZONE: "high_tech_zone", BaseType.STATION: "association", BaseType.POINT: "limited"}
NARRATIVE = (
    "本单位高度重视商业秘密保护工作，"
    + "建立了领导小组、保密制度、培训计划和泄密应急预案，定期开展自查和全员培训。" * 6
)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft by default; `complete=True` fills every cell, `submitted=True` also moves it on
    (state written directly, no log). `advanced_to=State.X` (or a trait: `recommended=True`,
    `accepted=True`, …) gets there through the real services instead; see advance(), whose
    keyword arguments go in `advance_with={"city_user": …, "leader": …}`."""

    class Meta:
        model = Application

    organisation = factory.SubFactory(
        OrganisationFactory, kind=factory.LazyAttribute(lambda o: KIND_FOR_TYPE[o.factory_parent.base_type])
    )
    batch = factory.SubFactory(BatchFactory)
    base_type = BaseType.POINT
    level = "city"
    reference = factory.Sequence(lambda n: f"SXT{n:06d}")
    applicant_name = factory.LazyAttribute(lambda o: o.organisation.name)
    created_by = factory.LazyAttribute(lambda o: UserFactory(role=Role.APPLICANT, organisation=o.organisation))

    class Params:
        complete = factory.Trait(
            **COMPLETE_CELLS,
            category=factory.LazyAttribute(lambda o: CATEGORY[o.base_type]),
            industry=factory.LazyFunction(industry),
            narrative=NARRATIVE,
            applicant_opinion="情况属实，同意申报。",
            self_assessment=factory.LazyAttribute(lambda o: complete_assessment(o.base_type)),
        )
        submitted = factory.Trait(complete=True, state=State.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now))
        # Through the services (log entries, acceptance group, 公示, Base included):
        cultivation = factory.Trait(state=State.CULTIVATION)  # candidate_register creates it so, too
        returned = factory.Trait(complete=True, advanced_to=State.RETURNED)
        recommended = factory.Trait(complete=True, advanced_to=State.RECOMMENDED)
        in_acceptance = factory.Trait(complete=True, advanced_to=State.IN_ACCEPTANCE)
        pending_approval = factory.Trait(complete=True, advanced_to=State.PENDING_APPROVAL)
        accepted = factory.Trait(complete=True, advanced_to=State.ACCEPTED)
        in_publicity = factory.Trait(complete=True, advanced_to=State.IN_PUBLICITY)
        recognised = factory.Trait(complete=True, advanced_to=State.RECOGNISED)
        revoked = factory.Trait(complete=True, advanced_to=State.REVOKED)

    advanced_to = None  # popped by _create: not a model field
    advance_with = None  # keyword arguments of advance()

    @classmethod
    def _create(cls, model_class, *args, advanced_to=None, advance_with=None, **kwargs):
        application = super()._create(model_class, *args, **kwargs)
        if advanced_to:
            advance(application, advanced_to, **(advance_with or {}))
        return application

    @classmethod
    def _build(cls, model_class, *args, advanced_to=None, advance_with=None, **kwargs):
        assert advanced_to is None, "advanced_to runs services: use create(), not build()"
        return super()._build(model_class, *args, **kwargs)


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    return bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
    )


def ooxml_bytes(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<x/>")
    return buffer.getvalue()


def upload(name="证明.pdf", content=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content)


def add_evidence(application: Application, user=None) -> None:
    """One PDF per condition, written directly (bypasses the service)."""
    user = user or application.created_by
    for condition in application.spec.conditions:
        attachment = Attachment(
            application=application,
            condition_code=condition.code,
            original_name="证明.pdf",
            kind="pdf",
            size=len(pdf_bytes()),
            sha256="0" * 64,
            uploaded_by=user,
        )
        attachment.file.save("evidence", upload(), save=False)
        attachment.save()


def add_signed_form(application: Application, user=None, code: str | None = None) -> Attachment:
    """The scan of the signed and sealed form, carrying the 校验码 of the form printed after this
    submission (or `code`), written directly (bypasses the service)."""
    from bases.paper import signing_form

    application = Application.objects.select_related("organisation__county").get(pk=application.pk)
    attachment = Attachment(
        application=application,
        purpose="signed",
        original_name="申报表（签章）.pdf",
        kind="pdf",
        size=len(pdf_bytes()),
        sha256="0" * 64,
        form_code=signing_form(application).code if code is None else code,
        uploaded_by=user or applicant_of(application),
    )
    attachment.file.save("signed", upload(), save=False)
    attachment.save()
    return attachment


def form_data(application: Application, intent: str = "submit", **overrides) -> dict:
    """A POST of the online form (bases:application-edit) in which every cell and condition holds,
    built from the type's declaration: spec.fields, then f"{code}__met", __explanation and figures."""
    spec = application.spec
    cells = {
        **COMPLETE_CELLS,
        "applicant_name": application.organisation.name,
        "category": CATEGORY[application.base_type],
        "industry": industry().pk,
    }
    data = {f.name: cells[f.name] for f in spec.fields}
    for code, entry in complete_assessment(application.base_type).items():
        data[f"{code}__met"] = "yes"
        data[f"{code}__explanation"] = entry["explanation"]
        data |= {f"{code}__{name}": value for name, value in entry["figures"].items()}
    data |= {
        "narrative": NARRATIVE,
        "applicant_opinion": "情况属实，同意申报。",
        "version": application.version,
        "intent": intent,
    }
    return data | overrides


def docx_bytes() -> bytes:
    """A minimal but well-formed Word document (content types, relationships, main part)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
            'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main'
            '+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>保密制度</w:t></w:r></w:p></w:body></w:document>',
        )
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    """A workbook written by openpyxl, as Excel users produce."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["企业名称", "受训人数"])
    workbook.active.append(["绍兴测试单位", 12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Any state, through the real services --------------------------------------------------------
#
# advance() walks an application along the declared workflow by calling the services a user
# would call (reviews.services.application_transition, acceptance_record_add, publicity_open …),
# so every state it reaches comes with its log entries, acceptance group, 公示 and Base.


def _edges(level: str) -> list[tuple[str, str, str]]:
    """(from, to, action) for every step advance() knows, as declared in bases/workflow.py."""
    acceptance_from = State.RECOMMENDED if level == "city" else State.SUBMITTED
    edges = [
        (State.CULTIVATION, State.DRAFT, "start"),
        (State.DRAFT, State.SUBMITTED, "submit"),
        (State.RETURNED, State.SUBMITTED, "submit"),
        (State.CULTIVATION, State.WITHDRAWN, "withdraw"),
        (State.DRAFT, State.WITHDRAWN, "withdraw"),
        (State.SUBMITTED, State.WITHDRAWN, "withdraw"),
        (State.RETURNED, State.WITHDRAWN, "withdraw"),
        (State.SUBMITTED, State.RETURNED, "return_for_changes"),
        (State.SUBMITTED, State.DECLINED, "decline"),
        (acceptance_from, State.IN_ACCEPTANCE, "start_acceptance"),
        (State.IN_ACCEPTANCE, State.PENDING_APPROVAL, "pass_acceptance"),
        (State.IN_ACCEPTANCE, State.FAILED, "fail_acceptance"),
        (State.PENDING_APPROVAL, State.ACCEPTED, "approve"),
        (State.ACCEPTED, State.IN_PUBLICITY, "open_publicity"),
        (State.IN_PUBLICITY, State.RECOGNISED, "recognise"),
        (State.RECOGNISED, State.REVOKED, "revoke"),
    ]
    if level == "city":
        edges.append((State.SUBMITTED, State.RECOMMENDED, "recommend"))
    return edges


def _route(level: str, start: str, goal: str) -> list[tuple[str, str, str]]:
    """The shortest chain of declared steps from start to goal (breadth first)."""
    edges = _edges(level)
    paths = {start: []}
    frontier = [start]
    while frontier and goal not in paths:
        following = []
        for state in frontier:
            for edge in (e for e in edges if e[0] == state and e[1] not in paths):
                paths[edge[1]] = paths[state] + [edge]
                following.append(edge[1])
        frontier = following
    if goal not in paths:
        raise ValueError(f"advance(): no route from {start} to {goal} for a {level}-level application")
    return paths[goal]


def applicant_of(application: Application) -> User:
    """A user of the applying organisation: its creator, or (for a candidate the county registered)
    the organisation's first applicant user."""
    if application.created_by.role == Role.APPLICANT:
        return application.created_by
    return User.objects.filter(role=Role.APPLICANT, organisation=application.organisation).order_by("pk").first()


def county_clerk(county_obj: County) -> User:
    """An active member of that county bureau (the first one, or a new one)."""
    return User.objects.filter(role=Role.COUNTY, county=county_obj, is_active=True).order_by(
        "pk"
    ).first() or UserFactory(county_staff=True, county=county_obj)


def city_clerk() -> User:
    """An active city reviewer (the first one, or a new one)."""
    return User.objects.filter(role=Role.CITY_REVIEWER, is_active=True).order_by("pk").first() or UserFactory(
        city_reviewer=True
    )


def approving_leader(application: Application) -> User:
    """An active 分管领导 who approves the application (报批): the city's for city level, its county's
    for county level (the first one, or a new one)."""
    county_obj = application.organisation.county if application.level == "county" else None
    return User.objects.filter(role=Role.LEADER, county=county_obj, is_active=True).order_by(
        "pk"
    ).first() or UserFactory(role=Role.LEADER, county=county_obj, last_name="领导")


def advance(
    application: Application,
    to_state: str,
    *,
    county_user=None,
    city_user=None,
    leader=None,
    approver=None,
    members=(),
    publicity_ended: bool | None = None,
    recognised_on=None,
    revoked_on=None,
    ground: str = "other",
) -> Application:
    """Move the application to `to_state` by running the real services as the right users.

    - applicant steps (start, submit, withdraw) run as applicant_of(application); before the first
      submission the form is completed and one PDF per condition is added (add_evidence);
    - county steps as `county_user` (default: a clerk of the application's county); before the
      county's first step after a submission the applicant's signed form comes back (add_signed_form);
    - acceptance, publicity, recognition and revocation as the acceptance authority: `city_user`
      (default: a city reviewer) for city level, `county_user` for county level;
    - the acceptance group is led by `leader` (default: that authority user) with `members`; the
      leader records 书面预审 and 会议验收 before 验收通过;
    - 报批 is approved by `approver` (default: approving_leader(application));
    - the 公示 lies in the past (ended) when going beyond 公示中, else it runs from today for 5
      working days; `publicity_ended` overrides.
    Returns the application, refreshed.
    """
    from bases.choices import AcceptanceKind, RevocationGround
    from reviews import services

    today = timezone.localdate()
    level = application.level
    county_user = county_user or county_clerk(application.organisation.county)
    authority = (city_user or city_clerk()) if level == "city" else county_user
    leader = leader or authority
    if publicity_ended is None:
        publicity_ended = to_state in (State.RECOGNISED, State.REVOKED)
    opinion = {"opinion": "经审核，材料真实完整，符合条件。", "signer": "负责人", "signed_on": today}
    # The log comments the action forms would write (reviews.forms.*.log_comment).
    signed = f"（负责人：负责人，{cn_date(today)}）"

    def run(action, user, **kwargs):
        current = Application.objects.get(pk=application.pk)
        application_transition(application=current, action=action, user=user, version=current.version, **kwargs)

    start = Application.objects.values_list("state", flat=True).get(pk=application.pk)  # the instance may be stale
    for _, _, how in _route(level, start, to_state):
        current = Application.objects.get(pk=application.pk)
        if how in ("start", "withdraw"):
            run(how, applicant_of(current))
        elif how == "submit":
            if current.submission_problems():
                Application.objects.filter(pk=current.pk).update(
                    **COMPLETE_CELLS,
                    category=CATEGORY[current.base_type],
                    industry=industry(),
                    narrative=NARRATIVE,
                    applicant_opinion="情况属实，同意申报。",
                    self_assessment=complete_assessment(current.base_type),
                )
                if not current.attachments.exists():
                    add_evidence(current)
            run("submit", applicant_of(current))
        elif how == "return_for_changes":
            run(how, county_user, comment="请补充材料。", details={"items": []})
        elif how == "decline":
            run(how, county_user, comment="不符合条件。")
        elif how == "recommend":
            _signed_form_back(current)
            run(how, county_user, method_kwargs=opinion, comment=opinion["opinion"] + signed)
        elif how == "start_acceptance":
            _signed_form_back(current)
            names = "、".join(u.display_name for u in dict.fromkeys([leader, *members]))
            run(how, authority, effect_kwargs={"leader": leader, "members": list(members)}, comment=f"验收组：{names}")
        elif how == "pass_acceptance":
            for kind in (AcceptanceKind.WRITTEN_REVIEW, AcceptanceKind.MEETING):
                services.acceptance_record_add(
                    application=current,
                    user=leader,
                    kind=kind,
                    held_on=today,
                    members="验收组全体",
                    findings="符合要求。",
                )
            run(how, leader, method_kwargs=opinion, comment=opinion["opinion"] + signed)
        elif how == "approve":
            approver = approver or approving_leader(current)
            run(
                how,
                approver,
                method_kwargs={"approved_on": today, "approved_by": approver.display_name, "opinion": ""},
                comment=f"同意（{cn_date(today)}）",
            )
        elif how == "fail_acceptance":
            run(
                how,
                leader,
                method_kwargs={**opinion, "opinion": "不符合条件，验收不通过。"},
                comment="不符合条件，验收不通过。" + signed,
            )
        elif how == "open_publicity":
            publicity = services.publicity_open(
                applications=[(current, current.version)],
                user=authority,
                title=f"{current.batch.year}年度拟认定名单公示",
                starts_on=today,
            )
            if publicity_ended:  # as if it had been opened ten days ago
                backdate_publicity(publicity, days=10)
        elif how == "recognise":
            data = {"document_number": f"绍市监管〔{today.year}〕12号", "recognised_on": recognised_on or today}
            run(
                how,
                authority,
                effect_kwargs=data,
                comment=f"{data['document_number']}，{cn_date(data['recognised_on'])}",
            )
        elif how == "revoke":
            # 撤销告知, then the organisation's statement, then the decision (第十五条).
            case = services.revocation_notice_serve(
                application=current, user=authority, ground=ground, facts="经查证属实。", served_on=today
            )
            services.revocation_statement_submit(case=case, user=applicant_of(current), statement="我单位已整改。")
            data = {
                "reasons": "陈述申辩理由不能成立，不予采纳。",
                "document_number": f"绍市监管〔{today.year}〕20号",
                "revoked_on": revoked_on or today,
            }
            comment = f"{RevocationGround(ground).label}（{data['document_number']}，{data['revoked_on']:%Y-%m-%d}）"
            run(how, authority, effect_kwargs=data, comment=comment)
    application.refresh_from_db()
    return application


def _signed_form_back(application: Application) -> None:
    """The paper form the county reviews (workflow.signed_form_received), if it is not back yet."""
    from bases.workflow import signed_form_received

    if not signed_form_received(application):
        add_signed_form(application)


def backdate_publicity(publicity, *, days: int, length: int = 7):
    """Move a 公示 into the past (it began `days` ago and lasted `length` days), as if it had been
    opened then: services open a 公示 from today at the earliest."""
    from reviews.models import Publicity

    today = timezone.localdate()
    Publicity.objects.filter(pk=publicity.pk).update(
        starts_on=today - datetime.timedelta(days=days),
        ends_on=today - datetime.timedelta(days=days - length),
    )
    publicity.refresh_from_db()
    return publicity


def backdate_revocation(application: Application, revoked_on) -> Application:
    """Move a revocation decided today back to `revoked_on` (recognition 200 days before it)."""
    from bases.models import Base
    from reviews.models import RevocationCase

    Base.objects.filter(application=application).update(
        recognised_on=revoked_on - datetime.timedelta(days=200), revoked_on=revoked_on
    )
    RevocationCase.objects.filter(application=application).update(decided_on=revoked_on, served_on=revoked_on)
    application.refresh_from_db()
    return application


# --- What the statistics count, written directly -------------------------------------------------
#
# The counting rules (targets.selectors.actuals) are about dates and statuses of bases, upward
# outcomes and register entries; these write such rows in any year without walking the procedure
# (advance() can only reach today). Direct writes bypass the cached counts' receivers: they move the
# generation on themselves.


def recognised_base(
    county_name: str = "越城区",
    *,
    level: str = "city",
    recognised_on: datetime.date,
    revoked_on: datetime.date | None = None,
    base_type: str = BaseType.POINT,
):
    """A Base of a fresh organisation of the county, recognised (and revoked) on these dates."""
    from bases import cached
    from bases.choices import BaseStatus
    from bases.models import Base

    organisation = OrganisationFactory(county=county(county_name), kind=KIND_FOR_TYPE[base_type])
    state = State.REVOKED if revoked_on else State.RECOGNISED
    application = ApplicationFactory(organisation=organisation, base_type=base_type, level=level, complete=True)
    Application.objects.filter(pk=application.pk).update(state=state)
    base = Base.objects.create(
        application=application,
        organisation=organisation,
        name=organisation.name,
        base_type=base_type,
        level=level,
        year=recognised_on.year,
        document_number=f"绍市监管〔{recognised_on.year}〕{application.pk}号",
        recognised_on=recognised_on,
        status=BaseStatus.REVOKED if revoked_on else BaseStatus.VALID,
        revoked_on=revoked_on,
        revocation_document=f"绍市监管〔{revoked_on.year}〕99号" if revoked_on else "",
    )
    cached.changed()
    return base


def upward_outcome(base, *, level: str = "provincial", recommended_on, outcome: str = "recognised", outcome_on=None):
    """An upward recommendation of the base, recommended by its county and the city on one day, with
    its outcome ("pending": still awaiting it)."""
    from bases import cached
    from reviews.models import UpwardRecommendation

    item = UpwardRecommendation.objects.create(
        base=base,
        level=level,
        status="city_recommended" if outcome == "pending" else outcome,
        county_on=recommended_on,
        city_on=recommended_on,
        outcome_on=outcome_on,
        outcome_document="浙市监竞争〔2026〕1号" if outcome == "recognised" else "",
        opened_by=city_clerk(),
    )
    cached.changed()
    return item


def standard_enterprise(county_name: str = "越城区", *, year: int, seed: int | None = None, **fields):
    """A 贯标企业 of the county counted in `year`, with a valid credit code of its own."""
    from bases import cached
    from targets.models import StandardEnterprise

    seed = seed if seed is not None else StandardEnterprise.objects.count() + 10_000 + year * 100
    enterprise = StandardEnterprise.objects.create(
        credit_code=make_credit_code(seed),
        name=fields.pop("name", f"绍兴贯标企业{seed}有限公司"),
        county=county(county_name),
        year=year,
        practice=fields.pop("practice", "implementing"),
        recorded_by=fields.pop("recorded_by", None) or city_clerk(),
        **fields,
    )
    cached.changed()
    return enterprise
