"""Enumerations of the bases app. Imports nothing from the app."""

from django.db import models


class Role(models.TextChoices):
    APPLICANT = "applicant", "申报单位"
    COUNTY = "county", "县局工作人员"
    CITY_REVIEWER = "city_reviewer", "市局验收人员"
    CITY_ADMIN = "city_admin", "市局管理员"


CITY_ROLES = frozenset({Role.CITY_REVIEWER, Role.CITY_ADMIN})


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


APPLICATION_LEVELS = (Level.CITY, Level.COUNTY)


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


class BaseStatus(models.TextChoices):
    VALID = "valid", "有效"
    REVOKED = "revoked", "已撤销"
