"""Widgets whose HTML is built in Python: the form renderer (TemplatesSetting) renders Django's own
select through one template include per option and another per option's attributes, most of the
cost of the application list's filter bar and its 40 options (issue 10)."""

import html

from django import forms
from django.utils.safestring import mark_safe


def escaped(value) -> str:
    """What `{{ value }}` and `{{ value|stringformat:'s' }}` write: escaped unless already safe
    (conditional_escape, without its wrapper for lazy text)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def attributes(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: in order, False left out, True written bare."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """The HTML of django/forms/widgets/select.html, byte for byte but for the blank lines, without
    a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escaped(widget["name"])}"{attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{escaped(group_name)}">')
            parts.extend(
                f'\n  <option value="{escaped(option["value"])}"{attributes(option["attrs"])}>'
                f"{escaped(option['label'])}</option>"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))
