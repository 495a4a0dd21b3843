"""Validators for identifiers and uploads used across the bases app."""

import datetime
import io
import re
import unicodedata
import zipfile
import zlib
from typing import NamedTuple

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from .choices import AttachmentKind

# GB 32100-2015 统一社会信用代码: 31 characters (no I, O, S, V, Z), check mod 31.
CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_CODE_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")


def credit_code_check_character(first17: str) -> str:
    """The 18th character of a credit code, computed from the first 17."""
    total = sum(CREDIT_CODE_CHARSET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位，当前为%(n)d位。", code="length", params={"n": len(code)})
    if not _CREDIT_CODE_SHAPE.match(code):
        raise ValidationError(
            "统一社会信用代码含有不允许的字符（只能是数字和除 I、O、S、V、Z 以外的大写字母，第3–8位为行政区划代码）。",
            code="charset",
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对后重新输入。", code="checksum")


# --- Text and dates, whatever the field ------------------------------------------------------------

LINE_BREAKS_AND_TABS = {"\n", "\r", "\t"}


def text_problem(value, *, multiline: bool) -> str:
    """What is wrong with a text a person typed, or "": control characters (a line break in a
    single-line field, which would also break a mail header; NUL; escape sequences) and the Unicode
    line and paragraph separators. A multi-line text may hold line breaks and tabs."""
    if not isinstance(value, str):
        return ""
    for char in value:
        if multiline and char in LINE_BREAKS_AND_TABS:
            continue
        category = unicodedata.category(char)
        if category == "Cc" or category in ("Zl", "Zp"):
            if char in LINE_BREAKS_AND_TABS:
                return "只能填写一行，不能含有换行或制表符。"
            return f"含有不可见的控制字符（U+{ord(char):04X}），请删除后重新填写。"
    return ""


class SingleLineText:
    """Form validator: one line of visible text; the message begins with the field's label."""

    multiline = False

    def __init__(self, label: str = ""):
        self.label = label

    def __call__(self, value):
        problem = text_problem(value, multiline=self.multiline)
        if problem:
            raise ValidationError(f"{self.label}{problem}", code="control_characters")

    def __eq__(self, other):
        return type(self) is type(other)


class MultiLineText(SingleLineText):
    multiline = True


# Dates people enter: nothing before the platform's notice year's century or after this one. Each
# procedural date has its own tighter bounds (bases/workflow.py, DATE_FLOORS); these keep arithmetic
# on dates (periods, 2-year bans) from overflowing whatever is typed.
EARLIEST_DATE = datetime.date(1949, 10, 1)
LATEST_DATE = datetime.date(2099, 12, 31)


def validate_sane_date(value) -> None:
    if isinstance(value, datetime.date) and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise ValidationError(
            "日期超出有效范围（%(start)s至%(end)s），请核对年份。",
            code="date_range",
            params={"start": "1949年10月1日", "end": "2099年12月31日"},
        )


postcode_validator_re = re.compile(r"^\d{6}$")


def validate_postcode(value: str) -> None:
    if value and not postcode_validator_re.match(value):
        raise ValidationError("邮政编码应为6位数字。", code="postcode")


_PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")


def validate_phone(value: str) -> None:
    if value and not _PHONE_RE.match(value.replace(" ", "")):
        raise ValidationError(
            "联系电话格式不正确，请填写11位手机号或带区号的固定电话（如 0575-88888888）。", code="phone"
        )


# The types an evidence file may have, recognised by content: the extension it is stored and
# downloaded under and the Content-Type it is sent with. Nothing the uploader names decides either.
class AttachmentFormat(NamedTuple):
    extension: str
    mime: str


ATTACHMENT_FORMATS = {
    AttachmentKind.PDF: AttachmentFormat("pdf", "application/pdf"),
    AttachmentKind.JPEG: AttachmentFormat("jpg", "image/jpeg"),
    AttachmentKind.PNG: AttachmentFormat("png", "image/png"),
    AttachmentKind.DOCX: AttachmentFormat(
        "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    AttachmentKind.XLSX: AttachmentFormat("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
_MIME_TO_KIND = {form.mime: kind for kind, form in ATTACHMENT_FORMATS.items()}
# Inside an Office Open XML package, the part that tells a Word file from a workbook.
_OOXML_MAIN_PART = {AttachmentKind.DOCX: "word/document.xml", AttachmentKind.XLSX: "xl/workbook.xml"}
ATTACHMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"
ZIP_MAGIC = b"PK\x03\x04"


def attachment_display_name(name: str) -> str:
    """The name an uploader gave a file, fit to show and to build a download name from: no folder
    (a browser may send C:\\fakepath\\…), no control or invisible formatting characters (a
    right-to-left override can make "exe.pdf" read as "fdp.exe"), at most 200 characters with the
    extension kept."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(
        " " if c.isspace() else c for c in name if c.isspace() or unicodedata.category(c) not in ("Cc", "Cf")
    )
    name = " ".join(name.split()).strip(" .")
    if not name:
        return "未命名文件"
    stem, dot, extension = name.rpartition(".")
    if len(name) > 200:
        name = f"{stem[: 199 - len(extension)]}.{extension}" if dot and len(extension) <= 20 else name[:200]
    return name


def detect_attachment_kind(uploaded) -> str:
    """Return the AttachmentKind of an uploaded file judged by its content, or raise.

    The file name and the browser's content type are ignored: a renamed .exe is
    refused, a PDF named .jpg is accepted as a PDF. A ZIP package (DOCX, XLSX) is
    inspected without unpacking it to disk (zip_problem) before its parts are trusted.
    """
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            "文件“%(name)s”大小为 %(size)s，超过 %(limit)s 的上限。",
            code="too_large",
            params={"name": uploaded.name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)},
        )
    if uploaded.size == 0:
        raise ValidationError("文件“%(name)s”是空文件。", code="empty", params={"name": uploaded.name})
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    if head.startswith(ZIP_MAGIC):
        kind = _ooxml_kind(uploaded)
    else:
        guess = filetype.guess(head)
        kind = _MIME_TO_KIND.get(guess.mime) if guess else None
        kind = None if kind in _OOXML_MAIN_PART else kind
    uploaded.seek(0)
    if kind is None:
        raise ValidationError(
            "文件“%(name)s”的内容不是 PDF、JPEG、PNG、DOCX 或 XLSX 格式，不能上传（系统按文件内容而非扩展名判断）。",
            code="file_type",
            params={"name": uploaded.name},
        )
    return kind


def _ooxml_kind(uploaded) -> str | None:
    """Open the ZIP container, refuse it if it is a bomb, and look for the main part of a DOCX or XLSX."""
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            problem = zip_problem(archive)
            names = set(archive.namelist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError):
        return None
    except RuntimeError:  # an encrypted member (zipfile wants a password), which no Office file holds
        return None
    if problem:
        raise ValidationError(
            "文件“%(name)s”%(problem)s，不能上传。", code="zip", params={"name": uploaded.name, "problem": problem}
        )
    if "[Content_Types].xml" not in names:
        return None
    for kind, part in _OOXML_MAIN_PART.items():
        if part in names:
            return kind
    return None


# An embedded object (a chart's workbook in a Word file, say) is itself a package; it is inspected
# with the same limits, one level down, and may hold no package of its own.
_EMBEDDINGS = re.compile(r"^(word|xl)/embeddings/[^/]+\.(docx|xlsx|pptx|docm|xlsm)$", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"(^[/\\])|(^[A-Za-z]:)|((^|[/\\])\.\.([/\\]|$))|\\|\x00")
# Below this many unpacked bytes a member's ratio is not judged: small XML parts compress very well.
ZIP_RATIO_GRACE_BYTES = 1024 * 1024
_CHUNK = 64 * 1024


def zip_problem(archive: zipfile.ZipFile, *, budget: list[int] | None = None, nested: bool = False) -> str:
    """What makes a ZIP package unsafe to keep, or "": more members than ATTACHMENT_ZIP_MAX_MEMBERS,
    a member name that climbs out of the package (../, an absolute path, a drive), more unpacked
    bytes in all than ATTACHMENT_MAX_UNPACKED_BYTES, a member that unpacks to more than
    ATTACHMENT_ZIP_MAX_RATIO times its packed size, or a package inside the package (other than an
    embedded Office object, checked in turn). Nothing is written anywhere: the headers are checked
    first, then every member is read through in chunks and counted, because headers can lie; the
    reading stops as soon as a limit is passed."""
    infos = archive.infolist()
    if len(infos) > settings.ATTACHMENT_ZIP_MAX_MEMBERS:
        return f"内含 {len(infos)} 个部件，超过 {settings.ATTACHMENT_ZIP_MAX_MEMBERS} 个的上限"
    budget = budget if budget is not None else [settings.ATTACHMENT_MAX_UNPACKED_BYTES]
    ratio = settings.ATTACHMENT_ZIP_MAX_RATIO
    unpacked_limit = filesizeformat(settings.ATTACHMENT_MAX_UNPACKED_BYTES)
    declared = sum(info.file_size for info in infos)
    if declared > budget[0]:
        return f"解压后共 {filesizeformat(declared)}，超过 {unpacked_limit} 的上限（疑似“压缩炸弹”）"
    for info in infos:
        if _UNSAFE_NAME.search(info.filename):
            return f"内含路径异常的部件“{info.filename[:80]}”"
        if info.file_size > ZIP_RATIO_GRACE_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            return f"内含压缩比超过 {ratio} 倍的部件（疑似“压缩炸弹”）"
    for info in infos:
        if info.is_dir():
            continue
        member_limit = max(ZIP_RATIO_GRACE_BYTES, ratio * max(info.compress_size, 1))
        read, head = 0, b""
        with archive.open(info) as member:
            while chunk := member.read(_CHUNK):
                head = head or chunk[:4]
                read += len(chunk)
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    return f"解压后超过 {unpacked_limit} 的上限（疑似“压缩炸弹”）"
                if read > member_limit:
                    return f"内含压缩比超过 {ratio} 倍的部件（疑似“压缩炸弹”）"
        if head == ZIP_MAGIC:
            if nested or not _EMBEDDINGS.match(info.filename):
                return f"内含另一个压缩包“{info.filename[:80]}”"
            with archive.open(info) as member, zipfile.ZipFile(io.BytesIO(member.read())) as inner:
                problem = zip_problem(inner, budget=budget, nested=True)
            if problem:
                return problem
    return ""
