"""Enumerations of the application aggregate and its surroundings. Imports nothing from the app.

The vocabulary of the procedure (states, log actions, acceptance kinds, objection outcomes,
revocation grounds) lives here too: the workflow declaration beside the model reads it, and
the reviews app, which builds on this one, shares it."""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "申报单位"
    COUNTY = "county", "县局工作人员"
    CITY_REVIEWER = "city_reviewer", "市局验收人员"
    CITY_ADMIN = "city_admin", "市局系统管理员"
    # 分管领导 (第十一条（四）: the acceptance opinion goes for approval, 报批): without a county the city
    # bureau's leader, who approves city-level applications; with one that county bureau's leader, who
    # approves its county-level applications (第十七条). A leader reads and approves, nothing else.
    LEADER = "leader", "分管领导"
    # 三员分立 (等保2.0 level 3): beside the system administrator above, who keeps accounts and
    # reference data, a security administrator grants roles, enables and unlocks accounts, and an
    # auditor reads the security events and the logs. None of them sees what the others may do; the
    # superuser is kept for emergencies.
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "安全审计员"


CITY_ROLES = frozenset({Role.CITY_REVIEWER, Role.CITY_ADMIN})
# Accounts of the city that belong to neither an organisation nor a county.
CITY_LEVEL_ROLES = frozenset({*CITY_ROLES, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# The three administrators: they work in the admin site only.
ADMIN_ROLES = frozenset({Role.CITY_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Everyday roles, which the system administrator may give; the administrators' roles only the
# security administrator gives.
EVERYDAY_ROLES = frozenset({Role.APPLICANT, Role.COUNTY, Role.CITY_REVIEWER, Role.LEADER})


class SecurityEventKind(models.TextChoices):
    """安全事件 kept at least 6 months (网络安全法第二十一条; settings.SECURITY_EVENT_RETENTION_DAYS)."""

    SIGN_IN = "sign_in", "登录成功"
    SIGN_IN_FAILED = "sign_in_failed", "登录失败"
    LOCKED_OUT = "locked_out", "账号锁定"
    SIGN_OUT = "sign_out", "退出登录"
    TWO_FACTOR_ENROLLED = "two_factor_enrolled", "绑定动态口令"
    TWO_FACTOR_FAILED = "two_factor_failed", "动态口令错误"
    TWO_FACTOR_REMOVED = "two_factor_removed", "解绑动态口令"
    PASSWORD_CHANGED = "password_changed", "修改密码"
    ACCOUNT_CHANGED = "account_changed", "账号权限变更"
    PERMISSION_CHANGED = "permission_changed", "对象权限变更"
    PERSONAL_DATA_EXPORTED = "personal_data_exported", "导出个人信息"


class BaseType(models.TextChoices):
    ZONE = "zone", "示范区"
    STATION = "station", "示范指导站"
    POINT = "point", "示范点"


class Level(models.TextChoices):
    """Recognition level. Applications are made at city or county level (第十七条);
    provincial and national recognitions are recommendations the city tracks."""

    NATIONAL = "national", "国家级"
    PROVINCIAL = "provincial", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


# Applications are made at these levels; recognised bases are recommended upwards to the others.
APPLICATION_LEVELS = (Level.CITY, Level.COUNTY)
UPWARD_LEVELS = (Level.PROVINCIAL, Level.NATIONAL)


def choices_of(members) -> list[tuple[str, str]]:
    """(value, label) pairs of some members of a TextChoices, for a field limited to them."""
    return [(member.value, member.label) for member in members]


class OrganisationKind(models.TextChoices):
    PARK = "park", "园区及产业集聚区"
    ASSOCIATION = "association", "行业协会"
    CHAMBER = "chamber", "商会"
    TOWNSHIP = "township", "乡镇（街道）"
    NONPROFIT = "nonprofit", "其他非营利性组织"
    ENTERPRISE = "enterprise", "企业"
    INSTITUTION = "institution", "事业单位"


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", "待县局确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过确认"


class IndustryCategory(models.TextChoices):
    EMERGING = "emerging", "新兴产业"
    TRADITIONAL = "traditional", "传统产业"
    CLASSIC = "classic", "历史经典产业"
    OTHER = "other", "其他"


class ParkType(models.TextChoices):
    """园区类型 of 附表1, the park kinds named in 第五条."""

    HIGH_TECH_ZONE = "high_tech_zone", "高新技术产业园区"
    ECONOMIC_ZONE = "economic_zone", "经济技术开发区"
    HIGH_TECH_BASE = "high_tech_base", "高新技术特色产业基地"
    INCUBATOR = "incubator", "科技企业孵化器"
    TALENT_PARK = "talent_park", "海外高层次人才创业园"
    TOWN = "town", "特色小镇"
    CLUSTER = "cluster", "产业集聚区"


class StationType(models.TextChoices):
    """组织类型 of 附表2, the organisations named in 第七条."""

    ASSOCIATION = "association", "行业协会"
    CHAMBER = "chamber", "商会"
    TOWNSHIP = "township", "乡镇（街道）"
    NONPROFIT = "nonprofit", "其他非营利性组织"


class EnterpriseType(models.TextChoices):
    """企业类型 of 附表3."""

    LIMITED = "limited", "有限责任公司"
    JOINT_STOCK = "joint_stock", "股份有限公司"
    STATE_OWNED = "state_owned", "国有企业"
    FOREIGN = "foreign", "外商投资企业"
    PARTNERSHIP = "partnership", "合伙企业"
    SOLE = "sole", "个人独资企业"
    INSTITUTION = "institution", "事业单位"
    OTHER = "other", "其他"


class AttachmentKind(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG 图片"
    PNG = "png", "PNG 图片"
    DOCX = "docx", "Word 文档"
    XLSX = "xlsx", "Excel 工作簿"


class AttachmentPurpose(models.TextChoices):
    EVIDENCE = "evidence", "证明材料"
    STATEMENT = "statement", "陈述申辩材料"
    SIGNED_FORM = "signed", "签章申报表扫描件"  # the printed form, signed and sealed, scanned


class BaseStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"


class State(models.TextChoices):
    """Every state of the procedure of 第十一条 (and 第十五条 for revocation).

    What each state means for the applicant, the offices and the work queues is in states.py.
    """

    CULTIVATION = "cultivation", "培育中"
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已申报"
    RETURNED = "returned", "退回修改"
    DECLINED = "declined", "不予推荐"
    RECOMMENDED = "recommended", "已推荐"
    IN_ACCEPTANCE = "in_acceptance", "验收中"
    PENDING_APPROVAL = "pending_approval", "验收通过待报批"
    ACCEPTED = "accepted", "已批准"  # the acceptance passed and its approval (报批) given: it may enter a 公示
    FAILED = "failed", "验收不通过"
    IN_PUBLICITY = "in_publicity", "公示中"
    RECOGNISED = "recognised", "已认定"
    REVOKED = "revoked", "已撤销"
    WITHDRAWN = "withdrawn", "已撤回"


class Office(models.TextChoices):
    """Who has an application on its desk (per state, in states.py)."""

    APPLICANT = "applicant", "申报单位"
    COUNTY = "county", "所在地县局"
    AUTHORITY = "authority", "验收认定机关"  # the city for city-level bases, the county for county-level (第十七条)
    LEADER = "leader", "分管领导"  # the authority's leader, who approves the acceptance opinion (报批)


class LogAction(models.TextChoices):
    """Entries of the append-only application log that are not transitions."""

    CREATE = "create", "创建申报"
    EDIT = "edit", "保存申报表"
    ATTACHMENT_ADD = "attachment_add", "上传证明材料"
    ATTACHMENT_DELETE = "attachment_delete", "删除证明材料"
    TRANSITION = "transition", "流程操作"
    GUIDANCE = "guidance", "培育指导"
    ACCEPTANCE_RECORD = "acceptance_record", "验收记录"
    OBJECTION = "objection", "公示异议"
    UPWARD = "upward", "向上推荐"
    REVOCATION = "revocation", "撤销程序"
    DOCUMENT = "document", "出具文书"


class AcceptanceKind(models.TextChoices):
    """第十一条（四）: the four ways the acceptance group checks an application."""

    WRITTEN_REVIEW = "written_review", "书面预审"
    SPOT_CHECK = "spot_check", "重点抽查"
    MEETING = "meeting", "会议验收"
    SITE_VISIT = "site_visit", "实地考察"


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", "待处理"
    DISMISSED = "dismissed", "异议不成立"
    UPHELD = "upheld", "异议成立"


class RevocationGround(models.TextChoices):
    """第十五条: the five grounds for revoking a recognition."""

    FORGED = "forged", "（一）伪造虚假申报材料"
    VIOLATION = "violation", "（二）在知识产权、重大生产安全、质量安全和环境保护等方面有严重违法违规行为"
    DISHONESTY = "dishonesty", "（三）存在严重失信行为记录"
    INFRINGEMENT = "infringement", "（四）发生重大商业秘密被侵权事件未积极维权或侵犯他人商业秘密"
    OTHER = "other", "（五）其他不符合本指南规定的情形"
