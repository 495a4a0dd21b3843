"""bases.widgets.Select writes the HTML Django's select template writes, without a template per option."""

import re

import pytest
from django import forms
from django.utils.safestring import mark_safe

from bases.filters import ApplicationFilter
from bases.models import Application
from bases.widgets import Select

CHOICES = [
    ("", "全部"),
    ("a&b", '甲 <乙> & "丙"'),
    ("地区", [("1", "越城区"), ("2", "柯桥区")]),
    (3, "三"),
    (mark_safe("<i>"), mark_safe("<i>斜体</i>")),
]


def html_of(widget_class, value, attrs=None):
    field = forms.ChoiceField(choices=CHOICES, widget=widget_class, required=False)
    field.widget.attrs.update(attrs or {})
    form = type("F", (forms.Form,), {"x": field})({"x": value})
    return re.sub(r">\s+<", "><", str(form["x"])).strip()


@pytest.mark.parametrize("value", ["", "a&b", "2", "3", "none of them"])
def test_select_html_equals_djangos(value):
    attrs = {"class": "wide", "disabled": True, "data-x": "<&>", "hidden": False, "title": mark_safe("<b>")}

    assert html_of(Select, value, attrs) == html_of(forms.Select, value, attrs)


def test_select_escapes_labels_and_marks_the_chosen_option():
    html = html_of(Select, "a&b")

    assert '<option value="a&amp;b" selected>甲 &lt;乙&gt; &amp; &quot;丙&quot;</option>' in html
    assert '<optgroup label="地区"><option value="1">越城区</option>' in html


@pytest.mark.django_db
def test_application_filter_selects_use_the_cheap_widget():
    form = ApplicationFilter({}, queryset=Application.objects.none()).form

    assert {name for name, field in form.fields.items() if isinstance(field.widget, Select)} == {
        "batch",
        "county",
        "base_type",
        "level",
        "state",
        "industry",
    }
