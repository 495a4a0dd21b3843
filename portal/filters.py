"""The filters of the public base list, the same for the portal's pages, the open-data API (and its
OpenAPI schema) and the downloads: one query-string parameter per public field (bases.public_fields),
plus `q` (name or document number) and `year` (认定年度). Input validation only."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from bases import selectors
from bases.choices import BaseStatus, BaseType, Level
from bases.models import Base
from bases.public_fields import FIELDS_BY_NAME
from bases.widgets import Select

YEARS = (2021, 2100)  # the notice's first year, and a bound no year of the platform reaches


# One line of visible text: a query holding a control character is refused before any filter
# (shaoxing_trade_secret.middleware.RefuseControlCharactersInQueries), which the schema says.
@extend_schema_field({"type": "string", "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]*$"})
class TextFilter(django_filters.CharFilter):
    pass


@extend_schema_field({"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]})
class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField  # a whole year in a sane range: never a decimal or an overflow


def _label(name: str) -> str:
    return FIELDS_BY_NAME[name].label


class PublicBaseFilter(django_filters.FilterSet):
    q = TextFilter(label="搜索", method="search", help_text="基地名称或认定文号（部分即可）")
    name = TextFilter(label=_label("name"), lookup_expr="icontains", help_text="基地名称包含的文字")
    base_type = django_filters.ChoiceFilter(
        label=_label("base_type"), choices=BaseType.choices, empty_label="全部类型", widget=Select
    )
    level = django_filters.ChoiceFilter(
        label=_label("level"), choices=Level.choices, empty_label="全部级别", widget=Select
    )
    # By name, as the results give them: a name no base has finds nothing (counties and industries are
    # data, so the schema cannot list them). The page offers them as select boxes.
    county = TextFilter(
        label=_label("county"), field_name="organisation__county__name", help_text="区、县（市）名称，如 越城区"
    )
    industry = TextFilter(
        label=_label("industry"), field_name="organisation__industry__name", help_text="行业名称，如 纺织"
    )
    year = YearFilter(label="认定年度", field_name="year", min_value=YEARS[0], max_value=YEARS[1], help_text="如 2026")
    recognised_on = django_filters.DateFilter(label=_label("recognised_on"), help_text="认定日期，如 2026-05-01")
    document_number = TextFilter(label=_label("document_number"), help_text="认定文号（完整）")
    status = django_filters.ChoiceFilter(
        label=_label("status"), choices=BaseStatus.choices, empty_label="全部", widget=Select
    )

    class Meta:
        model = Base
        fields = [
            "q",
            "name",
            "base_type",
            "level",
            "county",
            "industry",
            "year",
            "recognised_on",
            "document_number",
            "status",
        ]

    # The filters the public list page shows (the API takes every one).
    ON_THE_PAGE = ("q", "base_type", "level", "county", "industry", "year", "status")

    def search(self, queryset, name, value):
        return selectors.public_base_search(queryset, value)
