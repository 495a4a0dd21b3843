"""The three application forms (附表1–3) and the conditions of 第六/八/十条, declared once.

Each base type has one `BaseTypeSpec`. It drives the online form (field order,
labels, required fields), the read-only view and the printed form (through
bases/paper.py: cells and their columns in the paper's order, the opinion cells
and their signature lines, how the forms read at county level), the
self-assessment, the computed eligibility and, later, the Excel export. Field
names refer to columns of `bases.models.Application`; figure names are keys of
the self-assessment. No other module may branch on the base type.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal

from .choices import BaseType, EnterpriseType, Level, OrganisationKind, ParkType, StationType

# --- Form fields ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One cell of the paper form: an Application column and its label on that form."""

    name: str
    label: str
    choices: type | None = None  # a TextChoices class, for select fields
    help_text: str = ""
    unit: str = ""  # shown after the value on the read-only form and in documents
    span: int = 1  # columns its value takes on the paper form (a row has six: label, value, …)

    def display(self, value) -> str:
        """The value as the printed form shows it (choice labels, units)."""
        if value in (None, ""):
            return ""
        if self.choices is not None:
            return dict(self.choices.choices).get(value, value)
        if isinstance(value, Decimal):
            value = f"{value:,.2f}".rstrip("0").rstrip(".")
        return f"{value} {self.unit}".strip() if self.unit else str(value)


# --- Conditions and thresholds ----------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A number the applicant reports in the self-assessment (not a column of the form)."""

    name: str
    label: str
    unit: str = "个"


@dataclass(frozen=True)
class CheckResult:
    passed: bool | None  # None: the numbers needed are missing
    text: str


def comparison(passed: bool, *, strict: bool = False, at_most: bool = False) -> str:
    """The words of the comparison that holds, as the notice words its thresholds: 达到 / 未达到
    for "…以上"/"不少于", 超过 / 未超过 for the strict "超…以上" of 第八条（五）, and for a ceiling
    (no more than) 未超过 / 超过."""
    if at_most:
        return "未超过" if passed else "超过"
    if strict:
        return "超过" if passed else "未超过"
    return "达到" if passed else "未达到"


def percent_text(ratio: Decimal, percent: int) -> str:
    """A share rounded down, never up, so that 29.96 % does not read as 30.0 %; where one decimal
    would print the threshold itself for a share above it, two are shown (30.04 %)."""
    shown = ratio.quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    if shown == percent and ratio != percent:
        shown = ratio.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{shown}%"


# The most a county may ask of a count (第十七条 lets a county set its own rules; a number beyond this is
# a typing slip, not a rule).
THRESHOLD_COUNT_MAXIMUM = 1000


@dataclass(frozen=True)
class Threshold:
    """One number of the conditions that a county's rules may set for its county-level bases
    (第十七条): `key` is "<condition code>.<figure or field>", `value` the city's (the notice's)."""

    key: str
    label: str
    unit: str
    value: int
    at_most: bool = False
    share: bool = False
    strict: bool = False

    @property
    def condition_code(self) -> str:
        return self.key.partition(".")[0]

    @property
    def maximum(self) -> int:
        if self.share:
            return 99 if self.strict else 100  # more than 100 % cannot be reached
        return THRESHOLD_COUNT_MAXIMUM

    def words(self, value: int) -> str:
        """The requirement with `value`, as the notice words it: 不少于 2 名, 超过 30%, 达到 30%."""
        if self.share:
            return f"{'超过' if self.strict else '达到'} {value}%"
        return f"{'不超过' if self.at_most else '不少于'} {value} {self.unit}".rstrip()

    def text(self, value: int) -> str:
        return f"{self.label}{self.words(value)}"

    def looser(self, value: int) -> bool:
        """Whether `value` asks less than the city's: a county may be stricter, never looser."""
        return value > self.value if self.at_most else value < self.value


@dataclass(frozen=True)
class AtLeast:
    """value ≥ minimum (or ≤ maximum with `at_most=True`)."""

    name: str
    minimum: int
    at_most: bool = False

    @property
    def key(self) -> str:
        return self.name

    def adjusted(self, code: str, thresholds: dict) -> AtLeast:
        """This check with the threshold a county's rules set for it (key "<condition>.<name>")."""
        return replace(self, minimum=thresholds.get(f"{code}.{self.key}", self.minimum))

    def thresholds(self, code: str, labels: dict, units: dict) -> tuple[Threshold, ...]:
        if self.at_most and self.minimum == 0:
            return ()  # "none at all" (第十条（五）): nothing stricter to set
        return (
            Threshold(f"{code}.{self.key}", labels[self.name], units.get(self.name, ""), self.minimum, self.at_most),
        )

    def evaluate(self, values: dict, labels: dict) -> CheckResult:
        label, value = labels[self.name], values.get(self.name)
        if value is None:
            need = "不超过" if self.at_most else "不少于"
            return CheckResult(None, f"{label}未填写（要求{need} {self.minimum}）")
        passed = value <= self.minimum if self.at_most else value >= self.minimum
        return CheckResult(passed, f"{label} {value}，{comparison(passed, at_most=self.at_most)} {self.minimum}")


@dataclass(frozen=True)
class Share:
    """numerator / denominator ≥ percent (strictly greater with `strict=True`)."""

    numerator: str
    denominator: str
    percent: int
    strict: bool = False

    @property
    def key(self) -> str:
        return self.numerator

    def adjusted(self, code: str, thresholds: dict) -> Share:
        return replace(self, percent=thresholds.get(f"{code}.{self.key}", self.percent))

    def thresholds(self, code: str, labels: dict, units: dict) -> tuple[Threshold, ...]:
        label = f"{labels[self.numerator]}占{labels[self.denominator]}的比例"
        return (Threshold(f"{code}.{self.key}", label, "%", self.percent, share=True, strict=self.strict),)

    def evaluate(self, values: dict, labels: dict) -> CheckResult:
        num, den = values.get(self.numerator), values.get(self.denominator)
        need = f"{'超过' if self.strict else '达到'} {self.percent}%"
        what = f"{labels[self.numerator]}占{labels[self.denominator]}的比例"
        if num is None or den is None:
            return CheckResult(None, f"{what}无法计算：数字未填写（要求{need}）")
        if den == 0:
            return CheckResult(False, f"{what}无法计算：{labels[self.denominator]}为 0（要求{need}）")
        ratio = Decimal(num) * 100 / Decimal(den)
        passed = ratio > self.percent if self.strict else ratio >= self.percent
        words = comparison(passed, strict=self.strict)
        return CheckResult(passed, f"{what} {num}/{den} = {percent_text(ratio, self.percent)}，{words} {self.percent}%")


@dataclass(frozen=True)
class AnyOf:
    """At least one of the checks holds (e.g. ≥1 provincial OR ≥3 city-level points)."""

    checks: tuple

    def adjusted(self, code: str, thresholds: dict) -> AnyOf:
        return replace(self, checks=tuple(c.adjusted(code, thresholds) for c in self.checks))

    def thresholds(self, code: str, labels: dict, units: dict) -> tuple[Threshold, ...]:
        return tuple(t for c in self.checks for t in c.thresholds(code, labels, units))

    def evaluate(self, values: dict, labels: dict) -> CheckResult:
        results = [c.evaluate(values, labels) for c in self.checks]
        text = "；或 ".join(r.text for r in results)
        if any(r.passed for r in results):
            return CheckResult(True, text)
        if any(r.passed is None for r in results):
            return CheckResult(None, text)
        return CheckResult(False, text)


@dataclass(frozen=True)
class Condition:
    code: str  # stable key in the self-assessment, e.g. "point-1"
    article: str  # 第十条（一）
    title: str  # 组织架构完整
    text: str  # the requirement, as the notice words it
    evidence: str  # 材料清单: what to upload as evidence
    figures: tuple[Figure, ...] = ()
    checks: tuple = ()


# --- The opinion cells at the foot of every form ------------------------------------------------


@dataclass(frozen=True)
class OpinionCell:
    """One opinion cell of the paper form: its label, the signature line under it (负责人：…
    the seal's words … 年 月 日) and the Application columns that fill it when recorded.

    `key` names the opinion for the state table (states.opinions_on_record): "applicant" is always
    shown, the bureaus' only once recorded in the current round. `not_applicable` is printed in the
    cell instead, where a level has no such opinion."""

    key: str
    label: str
    seal: str
    text: str  # Application column of the opinion
    signer: str  # … of the 负责人
    date: str  # … of the date (a date, or the moment of submission)
    not_applicable: str = ""


COUNTY_RECOMMENDATION = OpinionCell(
    "recommendation", "县市场监管局推荐意见", "（单位公章）", "county_opinion", "county_signer", "county_opinion_on"
)
CITY_ACCEPTANCE = OpinionCell(
    "acceptance", "市局验收意见", "（签名或盖章）", "city_opinion", "city_signer", "city_opinion_on"
)


@dataclass(frozen=True)
class LevelForm:
    """How the forms read at one level. County-level bases are accepted and recognised by the county
    bureau itself (第十七条): the title names the county, the county's acceptance opinion takes the
    last cell, and the recommendation cell says why it stays empty."""

    issuer: str  # "绍兴市", or "" for the county's own name
    bureau_cells: tuple[OpinionCell, ...]
    note: str = ""  # printed under the form


LEVEL_FORMS: dict[str, LevelForm] = {
    Level.CITY: LevelForm(issuer="绍兴市", bureau_cells=(COUNTY_RECOMMENDATION, CITY_ACCEPTANCE)),
    Level.COUNTY: LevelForm(
        issuer="",
        bureau_cells=(
            replace(
                COUNTY_RECOMMENDATION,
                not_applicable="县级基地不经审核推荐，由县市场监管局直接组织验收，本栏不填。",
            ),
            replace(CITY_ACCEPTANCE, label="县市场监管局验收意见"),
        ),
        note="注：本表为县级商业秘密保护基地申报表。依《绍兴市商业秘密保护基地建设指南（试行）》第十七条，县级基地由"
        "所在地县市场监管局组织验收和认定，末栏填写县市场监管局验收意见。",
    ),
}


@dataclass(frozen=True)
class BaseTypeSpec:
    base_type: str
    reference_prefix: str  # letter in the application reference, e.g. SX2026P0001
    form_number: str  # 附表1
    title: str
    article: str  # the article that lists the conditions
    organisation_kinds: frozenset
    rows: tuple[tuple[FieldSpec, ...], ...]  # the paper form's rows, in order
    applicant_opinion: OpinionCell
    conditions: tuple[Condition, ...]
    narrative_label: str = "商业秘密保护工作开展情况"
    narrative_min_length: int = 200

    @property
    def label(self) -> str:
        return BaseType(self.base_type).label

    @property
    def applicant_opinion_label(self) -> str:
        return self.applicant_opinion.label

    def title_at(self, level: str, county_name: str = "") -> str:
        """The title printed on the form of this level: 绍兴市… for city-level bases, the county's own
        name for county-level ones (第十七条)."""
        issuer = LEVEL_FORMS[level].issuer or county_name
        return self.title.replace("绍兴市", issuer, 1)

    def opinion_cells(self, level: str) -> tuple[OpinionCell, ...]:
        """The opinion cells at the foot of the form, in the paper's order: the applicant's, then the
        bureaus' of this level."""
        return (self.applicant_opinion, *LEVEL_FORMS[level].bureau_cells)

    @property
    def fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for row in self.rows for f in row)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(fig for c in self.conditions for fig in c.figures)

    def condition(self, code: str) -> Condition:
        return next(c for c in self.conditions if c.code == code)

    @property
    def labels(self) -> dict[str, str]:
        """Labels of every name a check may refer to: form fields and figures."""
        return {f.name: f.label for f in self.fields} | {f.name: f.label for f in self.figures}

    @property
    def units(self) -> dict[str, str]:
        return {f.name: f.unit for f in self.fields} | {f.name: f.unit for f in self.figures}

    @property
    def thresholds(self) -> tuple[Threshold, ...]:
        """The numbers of the conditions a county's rules may set (the notice's are the defaults)."""
        labels, units = self.labels, self.units
        return tuple(t for c in self.conditions for check in c.checks for t in check.thresholds(c.code, labels, units))


# --- Shared cells ---------------------------------------------------------------------------

POSTCODE = FieldSpec("postcode", "邮政编码")
CONTACT_ROW = (
    FieldSpec("contact_name", "联系人"),
    FieldSpec("contact_title", "职务/职称"),
    FieldSpec("contact_phone", "联系电话"),
)
INDUSTRY = FieldSpec("industry", "所属行业")
PROVINCIAL_BUILT_CHECK = "provincial_sites_built"
CITY_BUILT_CHECK = "city_sites_built"

SECRECY_OFFICERS = Figure("secrecy_officers", "专（兼）职保密员人数", "名")
LEADING_GROUP_EVIDENCE = "领导小组成立文件、部门设置或职责分工文件、保密员任命文件"
OFFICE_EVIDENCE = "办公场所照片、经费预算或支出凭证"


# --- 附表1 示范区 (第五、六条) ------------------------------------------------------------------

ZONE = BaseTypeSpec(
    base_type=BaseType.ZONE,
    reference_prefix="Z",
    form_number="附表1",
    title="绍兴市商业秘密保护基地（示范区）申报表",
    article="第六条",
    organisation_kinds=frozenset({OrganisationKind.PARK}),
    rows=(
        (FieldSpec("applicant_name", "园区名称", span=3), FieldSpec("leader_name", "负责人")),
        (FieldSpec("address", "联系地址", span=3), POSTCODE),
        (
            FieldSpec("category", "园区类型", choices=ParkType),
            FieldSpec("enterprise_count", "入园企业数量", help_text="单位：家", unit="家"),
            FieldSpec("output_value", "园区产值", help_text="单位：万元", unit="万元"),
        ),
        (
            FieldSpec("provincial_sites_built", "省级示范站（点）已建数", help_text="单位：个", unit="个", span=2),
            FieldSpec("city_sites_built", "市级示范站（点）已建数", help_text="单位：个", unit="个", span=2),
        ),
        CONTACT_ROW,
    ),
    applicant_opinion=OpinionCell(
        "applicant", "园区管委会申报意见", "（单位公章）", "applicant_opinion", "leader_name", "submitted_at"
    ),
    conditions=(
        Condition(
            "zone-1",
            "第六条（一）",
            "工作基础扎实",
            (
                "建设对象所在地政府重视商业秘密保护工作，以政府（或管委会）名义出台相关商业秘密保护政策措施。建设"
                "对象科技型中小企业、国家高新技术企业及其他创新型产业集聚程度高，园区内相关企业开展商业秘密保护工"
                "作的比例达30%以上，省级商业秘密保护示范站（点）1家（含）以上或者市级商业秘密保护示范站（点）"
                "3家（含）以上。"
            ),
            "政府（管委会）出台的政策文件、开展保护工作的企业名单、已建示范站（点）认定文件",
            figures=(Figure("protecting_enterprises", "园区内开展商业秘密保护工作的企业数", "家"),),
            checks=(
                Share("protecting_enterprises", "enterprise_count", 30),
                AnyOf((AtLeast(PROVINCIAL_BUILT_CHECK, 1), AtLeast(CITY_BUILT_CHECK, 3))),
            ),
        ),
        Condition(
            "zone-2",
            "第六条（二）",
            "组织架构健全",
            (
                "建设对象建立包含商业秘密保护在内的相关知识产权综合服务中心（平台），配备具有商业秘密保护经验的专"
                "（兼）职人员1名以上，为企业提供商业秘密保护咨询指导、宣传培训、协助维权等服务。"
            ),
            "服务中心（平台）设立文件、专（兼）职人员名单及经历",
            figures=(Figure("ip_service_staff", "具有商业秘密保护经验的专（兼）职人员数", "名"),),
            checks=(AtLeast("ip_service_staff", 1),),
        ),
        Condition(
            "zone-3",
            "第六条（三）",
            "工作保障到位",
            (
                "建设对象具有一定面积、建设规范的商业秘密（知识产权）保护办公场所，开展商业秘密保护相关的交流考察"
                "、宣传培训、企业维权等工作经费有保障。"
            ),
            OFFICE_EVIDENCE,
        ),
        Condition(
            "zone-4",
            "第六条（四）",
            "机制建设完善",
            "建设对象商业秘密保护运行机制、工作流程设置科学，协助维权机制健全。",
            "运行机制、工作流程、协助维权制度文件",
        ),
        Condition(
            "zone-5",
            "第六条（五）",
            "运行措施落地",
            (
                "建设对象商业秘密保护工作推进有序，整合商业秘密保护服务资源，建立保障专业机构为园区企业提供服务机"
                "制。每年组织企业商业秘密保护培训不少于2次，园区内企业受训率达30%以上，每年开展调研、指导等服"
                "务不少于6次。"
            ),
            "培训通知、签到表、照片，调研指导记录，服务机构合作协议",
            figures=(
                Figure("trainings_per_year", "本年度组织企业培训次数", "次"),
                Figure("trained_enterprises", "本年度受训企业数", "家"),
                Figure("services_per_year", "本年度开展调研、指导等服务次数", "次"),
            ),
            checks=(
                AtLeast("trainings_per_year", 2),
                Share("trained_enterprises", "enterprise_count", 30),
                AtLeast("services_per_year", 6),
            ),
        ),
        Condition(
            "zone-6",
            "第六条（六）",
            "部门协作密切",
            (
                "建设对象与市场监管等部门协同保护长效机制顺畅，积极协助行政、司法等部门开展商业秘密服务指导、纠纷"
                "调解与案件查处等工作。"
            ),
            "协作机制文件、协助调解或查处的记录",
        ),
        Condition(
            "zone-7",
            "第六条（七）",
            "示范引领突出",
            (
                "建设对象充分发挥示范引领作用，吸引商业秘密保护高端人才、国内外商业秘密保护第三方社会服务机构和优"
                "秀企业聚集入驻，为企业提供全方位商业秘密保护专业服务。"
            ),
            "入驻服务机构及人才名单、服务案例",
        ),
    ),
)


# --- 附表2 示范指导站 (第七、八条) ------------------------------------------------------------

STATION = BaseTypeSpec(
    base_type=BaseType.STATION,
    reference_prefix="S",
    form_number="附表2",
    title="绍兴市商业秘密保护基地（示范指导站）申报表",
    article="第八条",
    organisation_kinds=frozenset(
        {OrganisationKind.ASSOCIATION, OrganisationKind.CHAMBER, OrganisationKind.TOWNSHIP, OrganisationKind.NONPROFIT}
    ),
    rows=(
        (FieldSpec("applicant_name", "组织名称", span=3), FieldSpec("leader_name", "法定代表人")),
        (FieldSpec("address", "注册地址", span=3), POSTCODE),
        (
            FieldSpec("member_count", "会员数量", help_text="会员企业数，乡镇街道填辖区企业数；单位：家", unit="家"),
            FieldSpec("provincial_sites_built", "省级示范点已建数", help_text="单位：个", unit="个"),
            FieldSpec("city_sites_built", "市级示范点已建数", help_text="单位：个", unit="个"),
        ),
        (
            FieldSpec("category", "组织类型", choices=StationType),
            INDUSTRY,
            FieldSpec("output_value", "行业年产值", help_text="单位：万元", unit="万元"),
        ),
        CONTACT_ROW,
    ),
    applicant_opinion=OpinionCell(
        "applicant", "申报单位意见", "（单位公章）", "applicant_opinion", "leader_name", "submitted_at"
    ),
    conditions=(
        Condition(
            "station-1",
            "第八条（一）",
            "组织架构完整",
            (
                "建设对象应成立由本单位主要负责人牵头的商业秘密（知识产权）保护工作领导小组，设立商业秘密保护部门"
                "或依托相关部门开展商业秘密保护工作，配备专（兼）职保密员不少于1名，制定明确的工作职责。"
            ),
            LEADING_GROUP_EVIDENCE,
            figures=(SECRECY_OFFICERS,),
            checks=(AtLeast("secrecy_officers", 1),),
        ),
        Condition(
            "station-2",
            "第八条（二）",
            "工作保障到位",
            "建设对象有固定的办公场所，配备必要的办公设施，落实相应工作经费，保障商业秘密保护工作正常开展。",
            OFFICE_EVIDENCE,
        ),
        Condition(
            "station-3",
            "第八条（三）",
            "制度建设完善",
            (
                "建设对象制定年度商业秘密保护工作方案，有计划的开展行业指导、宣传培训和学习调研等工作；建立泄密应"
                "急处置和奖惩等管理制度。"
            ),
            "年度工作方案、泄密应急处置制度、奖惩制度",
        ),
        Condition(
            "station-4",
            "第八条（四）",
            "服务机制创新",
            (
                "建设对象根据自身行业（或领域）、区域实际，充分发挥第三方社会服务机构作用，推动构建商业秘密综合服"
                "务体系，研究解决商业秘密保护实际问题，及时向有关部门提出意见建议。"
            ),
            "与服务机构的合作材料、意见建议及其采纳情况",
        ),
        Condition(
            "station-5",
            "第八条（五）",
            "服务成效突出",
            # 第八条（五）“超……以上”: read as strictly more than the share.
            (
                "宣传贯彻省级地方标准，每年培训企业数超会员总数的30%以上；开展商业秘密保护工作的比例超会员（或"
                "辖区企业）总数的20%以上，建设省级商业秘密保护示范点1家（含）或市级商业秘密保护示范点2家（含"
                "）以上。"
            ),
            "培训记录及受训企业名单、开展保护工作的会员名单、已建示范点认定文件",
            figures=(
                Figure("trained_members", "本年度培训企业数", "家"),
                Figure("protecting_members", "开展商业秘密保护工作的会员（辖区企业）数", "家"),
            ),
            checks=(
                Share("trained_members", "member_count", 30, strict=True),
                Share("protecting_members", "member_count", 20, strict=True),
                AnyOf((AtLeast(PROVINCIAL_BUILT_CHECK, 1), AtLeast(CITY_BUILT_CHECK, 2))),
            ),
        ),
    ),
)


# --- 附表3 示范点 (第九、十条) ----------------------------------------------------------------

POINT = BaseTypeSpec(
    base_type=BaseType.POINT,
    reference_prefix="P",
    form_number="附表3",
    title="绍兴市商业秘密保护基地（示范点）申报表",
    article="第十条",
    organisation_kinds=frozenset({OrganisationKind.ENTERPRISE, OrganisationKind.INSTITUTION}),
    rows=(
        (FieldSpec("applicant_name", "企业名称", span=3), FieldSpec("leader_name", "法定代表人")),
        (
            FieldSpec("address", "经营地址"),
            POSTCODE,
            FieldSpec("employee_count", "员工数量", help_text="单位：人", unit="人"),
        ),
        (
            FieldSpec("category", "企业类型", choices=EnterpriseType),
            INDUSTRY,
            FieldSpec("output_value", "年产值", help_text="单位：万元", unit="万元"),
        ),
        CONTACT_ROW,
    ),
    applicant_opinion=OpinionCell(
        "applicant", "申报企业意见", "（单位公章）", "applicant_opinion", "leader_name", "submitted_at"
    ),
    conditions=(
        Condition(
            "point-1",
            "第十条（一）",
            "组织架构完整",
            (
                "建设对象应成立由本单位主要负责人牵头的商业秘密（知识产权）保护工作领导小组，设立商业秘密保护部门"
                "或依托相关部门开展商业秘密保护工作，配备专（兼）职保密员不少于1名，制定明确的工作职责。"
            ),
            LEADING_GROUP_EVIDENCE,
            figures=(SECRECY_OFFICERS,),
            checks=(AtLeast("secrecy_officers", 1),),
        ),
        Condition(
            "point-2",
            "第十条（二）",
            "工作保障到位",
            "建设对象有固定的办公场所，配备必要的办公设施，落实相应的工作经费，保障商业秘密保护工作正常开展。",
            OFFICE_EVIDENCE,
        ),
        Condition(
            "point-3",
            "第十条（三）",
            "制度建设完善",
            (
                "建设对象应贯彻实施省级地方标准相关要求，完善内部管理制度；制定实施商业秘密保护培训宣传、研讨交流"
                "、考察学习等年度工作方案；建立泄密应急处置和奖惩等管理制度；每年组织全员商业秘密保护轮训不少于1"
                "次。"
            ),
            "内部管理制度、年度工作方案、泄密应急处置及奖惩制度、全员轮训通知与签到表",
            figures=(Figure("all_staff_trainings", "本年度全员商业秘密保护轮训次数", "次"),),
            checks=(AtLeast("all_staff_trainings", 1),),
        ),
        Condition(
            "point-4",
            "第十条（四）",
            "运行措施有效",
            (
                "建设对象应确定企业商业秘密保护重点部门、重点岗位和重点人员，实行分级管理措施并制定相应的制度；企"
                "业对商业秘密进行核查和评估，开展定密、隐密、解密、销毁等工作；加强对重点人员、涉密信息、涉密区域"
                "、商务活动管理，构建人防、技防、物防综合防护体系。"
            ),
            "重点部门岗位人员清单、分级管理制度、定密解密记录、防护措施照片或说明",
        ),
        Condition(
            "point-5",
            "第十条（五）",
            "示范作用突出",
            (
                "积极发挥示范引领作用，倡导商业秘密保护，辐射周边、上下游、相关行业企业提升商业秘密保护意识，营造"
                "行业创新发展环境；积极开展商业秘密侵权维权工作，近2年来没有发生侵犯他人商业秘密行为。"
            ),
            "示范带动活动材料、维权案例、无侵权行为的书面承诺",
            figures=(Figure("infringements_2y", "近2年侵犯他人商业秘密行为次数", "次"),),
            checks=(AtLeast("infringements_2y", 0, at_most=True),),
        ),
    ),
)


SPECS: dict[str, BaseTypeSpec] = {spec.base_type: spec for spec in (ZONE, STATION, POINT)}


def spec_for(base_type: str) -> BaseTypeSpec:
    return SPECS[base_type]


def base_types_for_organisation(kind: str) -> list[str]:
    """The base types an organisation of this kind may apply for (第五、七、九条)."""
    return [bt for bt, spec in SPECS.items() if kind in spec.organisation_kinds]


def condition_of(code: str) -> Condition:
    """A condition by its code, whatever its type (zone-1, station-5, point-3 …)."""
    return next(c for spec in SPECS.values() for c in spec.conditions if c.code == code)


def all_thresholds() -> dict[str, Threshold]:
    """Every threshold of the three types by key: what a county's rules hold, and the city's values."""
    return {t.key: t for spec in SPECS.values() for t in spec.thresholds}


def local_rule_notes(condition: Condition, thresholds: dict | None) -> tuple[str, ...]:
    """What a county's rules ask of a condition beyond the notice: one line per threshold they set
    otherwise, e.g. 专（兼）职保密员人数不少于 2 名（市级标准：不少于 1 名）."""
    if not thresholds:
        return ()
    notes = []
    for threshold in all_thresholds().values():
        value = thresholds.get(threshold.key, threshold.value)
        if threshold.condition_code == condition.code and value != threshold.value:
            notes.append(f"{threshold.text(value)}（市级标准：{threshold.words(threshold.value)}）")
    return tuple(notes)


# --- Evaluating a self-assessment -------------------------------------------------------------


@dataclass
class ConditionResult:
    condition: Condition
    met: bool | None  # the applicant's own answer
    explanation: str
    figures: dict
    checks: list[CheckResult] = field(default_factory=list)
    local_rules: tuple[str, ...] = ()  # what a county's rules ask beyond the notice (local_rule_notes)

    @property
    def computed(self) -> bool | None:
        """What the figures say: None when the condition has no figures or some are missing."""
        if not self.checks:
            return None
        if any(c.passed is False for c in self.checks):
            return False
        if any(c.passed is None for c in self.checks):
            return None
        return True

    @property
    def complete(self) -> bool:
        return (
            self.met is not None
            and bool(self.explanation.strip())
            and all(self.figures.get(f.name) is not None for f in self.condition.figures)
        )

    @property
    def holds(self) -> bool:
        """Claimed met, and the figures (if any) confirm it."""
        return self.met is True and (not self.checks or self.computed is True)


def evaluate(
    spec: BaseTypeSpec, form_values: dict, assessment: dict, thresholds: dict | None = None
) -> list[ConditionResult]:
    """Evaluate every condition of `spec` against the form columns and the self-assessment.

    `assessment` is Application.self_assessment: {code: {"met": bool|None, "explanation": str,
    "figures": {name: int}}}. `thresholds` are a county's rules ({key: value}, Threshold.key); the
    notice's numbers stand for any key they leave out.
    """
    thresholds = thresholds or {}
    labels = spec.labels
    results = []
    for condition in spec.conditions:
        entry = assessment.get(condition.code) or {}
        figures = {k: v for k, v in (entry.get("figures") or {}).items() if v is not None}
        values = dict(form_values) | figures
        results.append(
            ConditionResult(
                condition=condition,
                met=entry.get("met"),
                explanation=entry.get("explanation") or "",
                figures=figures,
                checks=[
                    check.adjusted(condition.code, thresholds).evaluate(values, labels) for check in condition.checks
                ],
                local_rules=local_rule_notes(condition, thresholds),
            )
        )
    return results
