"""What the public may know of a recognised base (第十四条: recognised bases are published on the
bureau's portal), declared once.

The portal's list and base pages, the open-data API (its serializer, its filters' names and its
OpenAPI schema), and the CSV and Excel downloads all read these fields and nothing else: the public
selector (bases.selectors.public_bases) reads exactly these columns from the database, so a contact,
a figure, an opinion or a file cannot reach a public response by a template's or a serializer's
mistake.

`name` is the key of the API and the downloads (the model's spelling, e.g. `recognised_on`), `label`
the Chinese heading, `source` the ORM path it is read from; `choices` turns a stored code into its
label for people (the API gives the code, which is also what its filter takes).
"""

import datetime
from dataclasses import dataclass

from django.db import models

from .choices import BaseStatus, BaseType, Level


@dataclass(frozen=True)
class PublicField:
    name: str
    label: str
    source: str
    kind: str = "text"  # "text" | "date" | "choice"
    choices: type[models.TextChoices] | None = None
    help: str = ""

    def display(self, row: dict) -> str:
        """The value as people read it (pages, CSV): a choice's label, a date as 2026年5月1日."""
        value = row.get(self.name)
        if value is None or value == "":
            return ""
        if self.choices is not None:
            return str(self.choices(value).label)
        if isinstance(value, datetime.date):
            return f"{value.year}年{value.month}月{value.day}日"
        return str(value)

    def cell(self, row: dict):
        """The value in a spreadsheet: a choice's label, a date as a date, nothing as ""."""
        value = row.get(self.name)
        if value is None:
            return ""
        if self.choices is not None:
            return str(self.choices(value).label)
        return value


PUBLIC_BASE_FIELDS: tuple[PublicField, ...] = (
    PublicField("name", "基地名称", "name"),
    PublicField("base_type", "基地类型", "base_type", kind="choice", choices=BaseType),
    PublicField("level", "级别", "level", kind="choice", choices=Level),
    PublicField("county", "所在地", "organisation__county__name", help="区、县（市）"),
    PublicField("industry", "所属行业", "organisation__industry__name"),
    PublicField("recognised_on", "认定日期", "recognised_on", kind="date"),
    PublicField("document_number", "认定文号", "document_number"),
    PublicField("status", "状态", "status", kind="choice", choices=BaseStatus),
    PublicField("revoked_on", "撤销日期", "revoked_on", kind="date", help="仅已撤销的基地"),
)

FIELDS_BY_NAME = {field.name: field for field in PUBLIC_BASE_FIELDS}
# The key of a base's public page (never the database's own id).
PUBLIC_KEY = "public_id"


def public_columns() -> dict:
    """The columns a public read selects: {name: ORM path}, the page key included."""
    return {PUBLIC_KEY: PUBLIC_KEY, **{field.name: field.source for field in PUBLIC_BASE_FIELDS}}
