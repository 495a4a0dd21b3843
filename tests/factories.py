"""factory-boy factories. Application states via traits: ApplicationFactory(submitted=True)."""
import datetime
import io
import random
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bases.choices import BaseType, OrganisationKind, OrganisationStatus, Role
from bases.forms_spec import spec_for
from bases.models import Application, Attachment, Batch, County, Industry, Organisation, User
from bases.validators import CREDIT_CODE_CHARSET, credit_code_check_character
from reviews.choices import State

PASSWORD = "Shaoxing#2021"

KIND_FOR_TYPE = {
    BaseType.ZONE: OrganisationKind.PARK,
    BaseType.STATION: OrganisationKind.ASSOCIATION,
    BaseType.POINT: OrganisationKind.ENTERPRISE,
}


def make_credit_code(seed: int) -> str:
    """A valid GB 32100-2015 code, deterministic for a seed."""
    rng = random.Random(seed)
    body = "913306" + "".join(rng.choice("0123456789") for _ in range(2)) + "".join(
        rng.choice(CREDIT_CODE_CHARSET) for _ in range(9)
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
        city_admin = factory.Trait(role=Role.CITY_ADMIN, is_staff=True)


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
NARRATIVE = "本单位高度重视商业秘密保护工作，" + "建立了领导小组、保密制度、培训计划和泄密应急预案，定期开展自查和全员培训。" * 6


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft by default; `complete=True` fills every cell, `submitted=True` also moves it on."""

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
        submitted = factory.Trait(complete=True, state=State.SUBMITTED,
                                  submitted_at=factory.LazyFunction(timezone.now))


def pdf_bytes() -> bytes:
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


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
        attachment = Attachment(application=application, condition_code=condition.code, original_name="证明.pdf",
                                kind="pdf", size=len(pdf_bytes()), sha256="0" * 64, uploaded_by=user)
        attachment.file.save("evidence", upload(), save=False)
        attachment.save()


def form_data(application: Application, intent: str = "submit", **overrides) -> dict:
    """A POST of the online form (bases:application-edit) in which every cell and condition holds,
    built from the type's declaration: spec.fields, then f"{code}__met", __explanation and figures."""
    spec = application.spec
    cells = {**COMPLETE_CELLS, "applicant_name": application.organisation.name,
             "category": CATEGORY[application.base_type], "industry": industry().pk}
    data = {f.name: cells[f.name] for f in spec.fields}
    for code, entry in complete_assessment(application.base_type).items():
        data[f"{code}__met"] = "yes"
        data[f"{code}__explanation"] = entry["explanation"]
        data |= {f"{code}__{name}": value for name, value in entry["figures"].items()}
    data |= {"narrative": NARRATIVE, "applicant_opinion": "情况属实，同意申报。", "version": application.version,
             "intent": intent}
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
