"""Filters of the application list (django-filter): input validation of the query string."""

import django_filters

from . import selectors
from .choices import APPLICATION_LEVELS, BaseType, State, choices_of
from .models import Application
from .widgets import Select


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="搜索", method="search", help_text="申报编号、单位名称或统一社会信用代码")
    batch = django_filters.ModelChoiceFilter(
        label="批次", queryset=selectors.batches(), empty_label="全部批次", widget=Select
    )
    county = django_filters.ModelChoiceFilter(
        label="区、县（市）",
        field_name="county",
        queryset=selectors.counties(),
        empty_label="全部",
        widget=Select,
    )
    base_type = django_filters.ChoiceFilter(
        label="基地类型", choices=BaseType.choices, empty_label="全部类型", widget=Select
    )
    level = django_filters.ChoiceFilter(
        label="级别", choices=choices_of(APPLICATION_LEVELS), empty_label="全部级别", widget=Select
    )
    state = django_filters.ChoiceFilter(label="状态", choices=State.choices, empty_label="全部状态", widget=Select)
    industry = django_filters.ModelChoiceFilter(
        label="行业", queryset=selectors.all_industries(), empty_label="全部行业", widget=Select
    )

    class Meta:
        model = Application
        fields = ["q", "batch", "county", "base_type", "level", "state", "industry"]

    def search(self, queryset, name, value):
        return selectors.applications_search(queryset, value)
