"""What a printed 附表 shows, cell by cell, and its 校验码.

One function builds the content of an application's paper form from the declaration of its type
(forms_spec: title, cells in the paper's order, the opinion cells and their signature lines) and from
the state table (which of the bureaus' opinions stand in its state). The read-only form on the
application page, the PDF (bases/printing.py) and the check of the signed form's scan all read it, so
they cannot disagree. A blank form of each type comes from the same declaration.

The 校验码 printed on every page is the start of the SHA-256 of this content: any value, opinion,
signer or date changes it, the layout does not (a new template keeps the codes of forms printed
before it). `signing_form` is the form as the applicant prints it to sign and seal, just after
submission, with no bureau opinion on it yet; its code is the one the scan must carry.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass
from functools import cached_property

from django.utils import timezone

from . import states
from .choices import Level, State
from .dates import cn_date
from .forms_spec import LEVEL_FORMS, BaseTypeSpec, FieldSpec, OpinionCell, spec_for

CODE_LENGTH = 8  # hexadecimal digits of the SHA-256: printed as two groups of four


@dataclass(frozen=True)
class PaperCell:
    label: str
    value: str
    span: int  # columns the value takes, of the row's six


@dataclass(frozen=True)
class PaperOpinion:
    label: str
    text: str
    signer: str
    date: str  # 2026年9月30日, or "" while not recorded (the paper leaves 年 月 日 to fill in)
    seal: str
    not_applicable: str = ""


@dataclass(frozen=True)
class PaperForm:
    """Everything a printed form shows, as text: what the 校验码 covers."""

    form_number: str
    title: str
    rows: tuple[tuple[PaperCell, ...], ...]
    narrative_label: str
    narrative: str
    opinions: tuple[PaperOpinion, ...]
    note: str
    reference: str  # "" on a blank form
    draft: bool  # not submitted yet: printed with a 草稿 watermark

    @property
    def blank(self) -> bool:
        return not self.reference

    @cached_property
    def digest(self) -> str:
        """SHA-256 of the content (hex): keys the cached PDF, and starts with the 校验码."""
        content = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(content.encode()).hexdigest()

    @property
    def code(self) -> str:
        """The 校验码 printed on every page, e.g. 3F2A-9C1B."""
        short = self.digest[:CODE_LENGTH].upper()
        return f"{short[:4]}-{short[4:]}"


def _code_letters(text: str) -> str:
    return "".join(c for c in str(text or "").upper() if c.isalnum()).replace("O", "0")


def normalised_code(text: str) -> str:
    """A 校验码 as typed (spaces, a dash or none, lower case, O for 0) in the printed form."""
    letters = _code_letters(text)
    if len(letters) != CODE_LENGTH:
        return letters
    return f"{letters[:4]}-{letters[4:]}"


def is_code(text: str) -> bool:
    """Eight hexadecimal digits, however typed."""
    letters = _code_letters(text)
    return len(letters) == CODE_LENGTH and all(c in "0123456789ABCDEF" for c in letters)


def _day(value) -> str:
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localdate(value)
    return cn_date(value)


def _cell(application, field: FieldSpec) -> PaperCell:
    value = "" if application is None else field.display(getattr(application, field.name))
    return PaperCell(field.label, value, field.span)


def _opinion(application, cell: OpinionCell, standing: tuple[str, ...]) -> PaperOpinion:
    shown = application is not None and not cell.not_applicable and (cell.key == "applicant" or cell.key in standing)
    return PaperOpinion(
        label=cell.label,
        text=getattr(application, cell.text) if shown else "",
        signer=getattr(application, cell.signer) if shown else "",
        date=_day(getattr(application, cell.date)) if shown else "",
        seal=cell.seal,
        not_applicable=cell.not_applicable,
    )


def _form(spec: BaseTypeSpec, level: str, title: str, application, state) -> PaperForm:
    standing = states.opinions_on_record(state) if application is not None else ()
    return PaperForm(
        form_number=spec.form_number,
        title=title,
        rows=tuple(tuple(_cell(application, f) for f in row) for row in spec.rows),
        narrative_label=spec.narrative_label,
        narrative=application.narrative if application is not None else "",
        opinions=tuple(_opinion(application, cell, standing) for cell in spec.opinion_cells(level)),
        note=LEVEL_FORMS[level].note,
        reference=application.reference if application is not None else "",
        draft=application is not None and states.is_unsubmitted(state),
    )


def paper_form(application) -> PaperForm:
    """The form of the application as it stands: its values, the applicant's opinion, and the
    bureaus' opinions that stand in its state, with their signers and dates."""
    spec = spec_for(application.base_type)
    title = application.rules().title(application.base_type)  # a county's own title (第十七条)
    return _form(spec, application.level, title, application, application.state)


def signing_form(application) -> PaperForm:
    """The form as the applicant prints it after submission to sign and seal: no draft mark, no
    bureau opinion yet. Its 校验码 changes only when the application is submitted again."""
    spec = spec_for(application.base_type)
    title = application.rules().title(application.base_type)
    return _form(spec, application.level, title, application, State.SUBMITTED)


def blank_form(base_type: str, level: str = Level.CITY, county_name: str = "") -> PaperForm:
    """The empty form of a base type, to fill in by hand or to prepare an application."""
    spec = spec_for(base_type)
    return _form(spec, level, spec.title_at(level, county_name), None, None)
