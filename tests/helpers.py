"""Reading what the user sees: the field groups of a rendered form, links, list items, the text
of a PDF; and the project's URL patterns. Standard library only (and pypdf for the PDF)."""

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import URLPattern, URLResolver, get_resolver

# --- HTML -----------------------------------------------------------------------------------------


@dataclass
class FieldGroup:
    """One <div class="field"> of templates/django/forms/field.html, as the user sees it."""

    label: str = ""
    errors: list = field(default_factory=list)
    value: str | None = None  # input value, selected option, checked radio or textarea text


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.groups: dict[str, FieldGroup] = {}
        self.links: list[tuple[str, str]] = []
        self.items: dict[str, list[str]] = {}
        self._div_depth = 0
        self._group: FieldGroup | None = None
        self._group_depth = 0
        self._names: list[str] = []
        self._in_label = self._in_error = self._in_textarea = self._in_option = False
        self._skip_hidden = 0
        self._select: str | None = None
        self._option_value: str | None = None
        self._href: str | None = None
        self._link_text: list[str] = []
        self._list_class: str | None = None
        self._li: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "div":
            self._div_depth += 1
            if "field" in classes and self._group is None:
                self._group, self._group_depth, self._names = FieldGroup(), self._div_depth, []
        if tag == "a":
            self._href, self._link_text = a.get("href"), []
        if tag in ("ul", "ol") and classes:
            self._list_class = classes[0]
            self.items.setdefault(self._list_class, [])
        if tag == "li" and self._list_class:
            self._li = []
        if self._group is None:
            return
        if tag in ("label", "legend") and not self._group.label:
            self._in_label = True
        elif tag == "span" and self._in_label and {"required-mark", "visually-hidden"} & set(classes):
            self._skip_hidden += 1
        elif tag == "ul" and "errorlist" in classes:
            self._in_error = True
        elif tag == "input" and a.get("type") not in ("hidden",):
            self._names.append(a.get("name"))
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self._group.value = a.get("value")
            else:
                self._group.value = a.get("value")
        elif tag == "textarea":
            self._names.append(a.get("name"))
            self._in_textarea, self._group.value = True, ""
        elif tag == "select":
            self._names.append(a.get("name"))
            self._select = a.get("name")
        elif tag == "option" and self._select:
            self._option_value = a.get("value")
            if "selected" in a:
                self._group.value = self._option_value

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._link_text).strip()))
            self._href = None
        if tag == "li" and self._li is not None:
            self.items[self._list_class].append("".join(self._li).strip())
            self._li = None
        if tag in ("ul", "ol"):
            self._list_class = None
        if tag in ("label", "legend"):
            self._in_label = False
        elif tag == "span" and self._skip_hidden:
            self._skip_hidden -= 1
        elif tag == "ul":
            self._in_error = False
        elif tag == "textarea":
            self._in_textarea = False
        elif tag == "select":
            self._select = None
        if tag == "div":
            if self._group is not None and self._div_depth == self._group_depth:
                for name in dict.fromkeys(n for n in self._names if n):
                    self.groups[name] = self._group
                self._group = None
            self._div_depth -= 1

    def handle_data(self, data):
        if self._href is not None:
            self._link_text.append(data)
        if self._li is not None:
            self._li.append(data)
        if self._group is None:
            return
        if self._in_label and not self._skip_hidden:
            self._group.label += data.strip()
        elif self._in_error and data.strip():
            self._group.errors.append(data.strip())
        elif self._in_textarea:
            self._group.value += data


def parse(response_or_html) -> _Page:
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    page = _Page()
    page.feed(html)
    page.close()
    return page


def field_groups(response) -> dict[str, FieldGroup]:
    """Each form control's name -> its label, error messages and current value as rendered.

    Django prints a textarea's value after a newline, which browsers drop; so does this.
    """
    groups = parse(response).groups
    for group in groups.values():
        if group.value is not None and group.value.startswith("\n"):
            group.value = group.value[1:]
    return groups


def link_texts(response, href_pattern: str) -> set[str]:
    """The texts of the links whose href matches the pattern (e.g. r"/applications/\\d+/")."""
    regex = re.compile(f"^{href_pattern}$")
    return {text for href, text in parse(response).links if href and regex.match(href)}


def list_items(response, css_class: str) -> list[str]:
    """The <li> texts of the lists with that (first) class, e.g. "problems" or "messages"."""
    return parse(response).items.get(css_class, [])


def messages_shown(response) -> list[str]:
    """The flash messages of the page (base.html's <div class="messages">), in order."""
    box = re.search(r'<div class="messages"[^>]*>(.*?)</div>', response.content.decode(), re.S)
    return [m.strip() for m in re.findall(r'<p class="message message-\w+">(.*?)</p>', box[1], re.S)] if box else []


# --- URLs ---------------------------------------------------------------------------------------


def url_patterns(resolver=None, prefix="", namespace=""):
    """Every (qualified name, route, pattern) the project serves, admin included."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, route, ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", route, entry


class FastHistoryHasher(PBKDF2PasswordHasher):
    """The password history's hasher, at one round: for tests only."""

    iterations = 1


# --- PDF ------------------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    """The text of a PDF in the order it was written (WeasyPrint writes the document's order)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    """Without any white space: a PDF breaks its lines wherever the page ends them."""
    return re.sub(r"\s+", "", text)


def printed_lookup_code(text: str) -> str:
    """The 查询码 as a receipt prints it (two groups of four), joined."""
    found = re.search(r"查询码\s*([2-9A-HJ-NP-Z]{4})\s+([2-9A-HJ-NP-Z]{4})", text)
    assert found, "no 查询码 on the receipt"
    return found[1] + found[2]


def lookup_code_of(application) -> str:
    """A 查询码 that opens the application's progress (only its digest is stored: a new one is issued,
    as the next receipt would, once per application object)."""
    from bases.services import application_lookup_code_issue

    if not hasattr(application, "_test_lookup_code"):
        application._test_lookup_code = application_lookup_code_issue(application=application)
    return application._test_lookup_code
