"""`make fuzz`: post generated submissions to every form a served instance shows its users, and
count the answers. Standard library only, so it runs against any instance from any Python 3.11.

    python scripts/fuzz.py [--url http://127.0.0.1:8000] [--posts 10000] [--db var/fuzz.sqlite3]

Each demo user signs in, the crawler follows the links of the site from the start page (the admin's
pages that could lock the run out aside: deletions, passwords, users, sign-out) and collects every
<form method="post"> with its fields; then the forms are posted in turn, each field kept as
rendered, dropped, or replaced by a hostile value (control characters, NUL, line breaks, very long
text, unicode, absurd dates and numbers), with extra fields and other objects' ids now and then.

What counts as failure (exit 1, the requests listed):
- any 5xx answer;
- with --db (the SQLite file the server writes to): a rejected post, i.e. one answered 4xx or by
  the form again (200), after which some table has a different number of rows or a different
  largest rowid — something was stored (or deleted) although the post was refused. The cache
  table (throttle counters) is left out. The application form's "saved as a draft, gaps marked"
  answer (400 that says 已保存为草稿) is a saved post, not a rejected one.

The form parser and the hostile values are shared with tests/test_fuzz_forms.py.
"""

import argparse
import collections
import http.cookiejar
import random
import re
import sqlite3
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser

PASSWORD = "Shaoxing#2021"
DEMO_USERS = (
    "demo_enterprise",
    "demo_park",
    "demo_association",
    "county_yuecheng",
    "county_keqiao",
    "county_shangyu",
    "city_reviewer",
    "admin",
)

# --- Hostile values -------------------------------------------------------------------------------

# Values that have broken form handling somewhere: control characters and NUL, line breaks in
# one-line fields, bidirectional overrides, dates out of every range, numbers beyond int64 and
# float, markup and SQL, path tricks, full-width digits, lone whitespace.
HOSTILE = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "名称\r\nBcc: x@example.com",
    "\t",
    "\x1b[31m红\x1b[0m",
    "\u2028",
    "\u202eabc",
    "\ufeff",
    "\x85",
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "99999-01-01",
    "1949-09-30",
    "2100-01-01",
    "2026/13/01",
    "-1",
    "0",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999999",
    "0.0000000000000000000001",
    "1,000",
    "１２３",
    "true",
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
    "😀" * 3,
    "字" * 300,
    "x" * 5000,
    "长" * 20001,
)

# Field names a client might add to reach what the form does not offer.
EXTRA_NAMES = (
    "version",
    "id",
    "pk",
    "application",
    "applications",
    "organisation",
    "state",
    "role",
    "is_superuser",
    "is_staff",
    "created_by",
    "intent",
    "confirm",
    "decision",
    "next",
)


# --- Forms as a browser sees them ---------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea" or "button"
    value: str = ""
    options: list = field(default_factory=list)  # select options; values of a radio/checkbox/button group
    checked: bool = False
    multiple: bool = False


@dataclass
class Form:
    action: str
    fields: dict = field(default_factory=dict)  # name -> Field (groups merged)

    def rendered(self) -> dict[str, list[str]]:
        """What a browser would post with nothing touched (the first submit button pressed)."""
        data = {}
        for f in self.fields.values():
            if f.kind in ("radio", "checkbox"):
                chosen = [f.value] if f.checked else []
            elif f.kind == "select":
                chosen = [f.value] if f.value is not None else (f.options[:1] if not f.multiple else [])
            elif f.kind == "button":
                chosen = f.options[:1]
            elif f.kind == "file":
                continue
            else:
                chosen = [f.value]
            if chosen:
                data[f.name] = chosen
        return data


class FormParser(HTMLParser):
    """Every <form method="post"> of a page with its named controls; links too."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: str | None = None
        self._option_text = ""
        self._textarea: Field | None = None

    def _add(self, f: Field):
        have = self._form.fields.get(f.name)
        if have is None:
            if f.kind in ("radio", "checkbox", "button"):
                f.options = [f.value]
            self._form.fields[f.name] = f
        elif have.kind in ("radio", "checkbox", "button"):
            have.options.append(f.value)
            if f.checked:
                have.value, have.checked = f.value, True
        elif f.kind == "hidden" and have.kind == "hidden":
            have.options.append(f.value)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(action=a.get("action", ""))
                self.forms.append(self._form)
            return
        if self._form is None or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option, self._option_text = a.get("value"), ""
                if "selected" in a:
                    self._select.value = a.get("value", "")
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                kind = "button"
            self._add(Field(name, kind, a.get("value", "on" if kind == "checkbox" else ""), checked="checked" in a))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            self._add(Field(name, "button", a.get("value", "")))
        elif tag == "select":
            self._select = Field(name, "select", None, multiple="multiple" in a)
            self._add(self._select)
        elif tag == "textarea":
            self._textarea = Field(name, "textarea", "")
            self._add(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._select is not None and self._option is not None:
            self._select.options.append(self._option)
            self._option = None
        elif tag == "textarea":
            if self._textarea is not None and self._textarea.value.startswith("\n"):
                self._textarea.value = self._textarea.value[1:]
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def parse_page(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    parser.close()
    return parser


# --- Mutation (random.Random; the suite draws the same choices with Hypothesis) ------------------


def mutate(form: Form, rng: random.Random, ids: list[str]) -> dict[str, list[str]]:
    """A submission derived from the rendered one: each field kept (half the time), dropped, set to
    another of its options, or set to a hostile value; sometimes an extra field."""
    data = form.rendered()
    for name, f in form.fields.items():
        if f.kind == "file" or rng.random() < 0.5:
            continue
        roll = rng.random()
        if roll < 0.15:
            data.pop(name, None)
        elif roll < 0.35 and f.options:
            data[name] = [rng.choice(f.options)]
        elif roll < 0.45 and ids:
            data[name] = [rng.choice(ids)]
        else:
            data[name] = [hostile(rng)]
    if rng.random() < 0.2:
        data[rng.choice(EXTRA_NAMES)] = [rng.choice([*ids, hostile(rng)] if ids else [hostile(rng)])]
    return data


def hostile(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(HOSTILE)
    if roll < 0.8:  # random unicode, control characters and surrogate-free astral planes included
        return "".join(chr(rng.choice([rng.randrange(0, 0x20), rng.randrange(0x20, 0xD800)])) for _ in range(9))
    return str(rng.choice([rng.randint(-(2**70), 2**70), rng.uniform(-1e300, 1e300)]))
