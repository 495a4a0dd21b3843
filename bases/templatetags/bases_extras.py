from django import template

from bases import states

register = template.Library()


@register.inclusion_tag("bases/_state_badge.html")
def state_badge(state):
    return {"state": state, "label": states.label(state)}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def masked(value) -> str:
    """A phone number or e-mail address as lists show it (个人信息保护法第五十一条: 去标识化): the
    middle of a phone number and most of the mailbox hidden; shown whole only where the case is
    handled."""
    text = str(value or "")
    if not text:
        return ""
    if "@" in text:
        name, _, domain = text.partition("@")
        return f"{name[:1]}***@{domain}"
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    if len(digits) <= 4:
        return "*" * len(text)
    if "-" in text:  # a landline: the area code stays
        area = text.index("-")
        hidden = {i for i in digits[:-4] if i > area}
    else:  # a mobile number: the first three and the last four stay
        hidden = set(digits[3:-4])
    return "".join("*" if i in hidden else c for i, c in enumerate(text))
