from django import template

from bases import states

register = template.Library()


@register.simple_tag
def cell(application, field_spec):
    """The value of one form cell as the printed form shows it."""
    return field_spec.display(getattr(application, field_spec.name))


@register.inclusion_tag("bases/_state_badge.html")
def state_badge(state):
    return {"state": state, "label": states.label(state)}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def colspan_for(row):
    """A paper-form row of n (label, value) cells spread over six columns."""
    return (6 - len(row)) // len(row)
