"""`make fuzz`: post generated submissions to every form a served instance shows its users, and
count the answers. Standard library only, so it runs against any instance from any Python 3.11.

    python scripts/fuzz.py [--url http://127.0.0.1:8000] [--posts 10000] [--db var/fuzz.sqlite3]

Each demo user signs in, the crawler follows the links of the site from the start page (the admin's
pages that could lock the run out aside: deletions, passwords, users, sign-out) and collects every
<form method="post"> with its fields; then the forms are posted in turn, each field kept as
rendered, dropped, or replaced by a hostile value (control characters, NUL, line breaks, very long
text, unicode, absurd dates and numbers), with extra fields and other objects' ids now and then.

Posts run in --workers threads (the users split between them). What counts as failure (exit 1, the
requests listed):
- any 5xx answer;
- with --db (the SQLite file the server writes to): a refused post, i.e. one answered 4xx or by
  the form again (200), after which some table has a different number of rows or a different
  largest rowid: something was stored (or deleted) although the post was refused. A share of the
  posts (--check, a quarter by default) is checked so, each alone (the other threads wait), so that
  nothing else wrote in between; the counts are read from the file with sqlite3. The records of
  refusals (security events, sign-in failures) and the cache are left out (RECORDS_OF_REFUSALS);
  rows changed in place are not seen here (the suite's tests/test_fuzz_forms.py compares every row).
  A page that says something was done although it answers 4xx (a success message, e.g. two files
  of three uploaded; the application form's "已保存为草稿") is not a refused post.

The form parser and the hostile values are shared with tests/test_fuzz_forms.py.
"""

import argparse
import collections
import contextlib
import http.cookiejar
import itertools
import random
import re
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser

PASSWORD = "Shaoxing#2021"
# Tables a refused post writes to by design: the records of refusals themselves (a failed sign-in is a
# security event and an axes failure record), and the cache (throttle counters).
RECORDS_OF_REFUSALS = frozenset(
    {"django_cache", "bases_securityevent", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog"}
)
DEMO_USERS = (
    "demo_enterprise",
    "demo_park",
    "demo_association",
    "county_yuecheng",
    "county_keqiao",
    "county_shangyu",
    "city_reviewer",
    "admin",
    "sysadmin",
    "security_admin",
    "auditor",
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
    multipart: bool = False

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
                self._form = Form(a.get("action", ""), multipart=a.get("enctype", "") == "multipart/form-data")
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
        if f.kind == "file" or rng.random() < (0.98 if name == "csrfmiddlewaretoken" else 0.5):
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


# --- The run against a served instance ------------------------------------------------------------

# Never posted: signing out ends the run's session; and in the admin, what could lock the demo users
# out or delete what the other forms work on.
SKIPPED = re.compile(r"/logout/|^/admin/(logout|password_change)/|^/admin/.*/(delete|password)/|^/admin/bases/user/")
NOT_CRAWLED = re.compile(r"^/(attachments|static|media)/|/logout/|/delete/|\.(pdf|xlsx|docx|csv)$|export")
PAGES_PER_PATTERN = {"site": 3, "admin": 1}  # pages of one URL shape (ids as N); the admin's are many
PAGES_PER_USER = 200


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    body: str
    location: str = ""


class Browser:
    """One signed-in user: cookies, no redirects followed, the CSRF token of the session."""

    def __init__(self, base: str, username: str | None):
        self.base, self.username = base.rstrip("/"), username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.token = ""

    def request(self, path: str, data: dict | None = None, multipart: bool = False) -> Answer:
        headers, body = {}, None
        if data is not None:
            if multipart:
                boundary = uuid.uuid4().hex
                body = encode_multipart(data, boundary)
                headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
            else:
                body = urllib.parse.urlencode([(k, v) for k, vs in data.items() for v in vs]).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(response.status, _text(response))
        except urllib.error.HTTPError as error:
            return Answer(error.code, _text(error), error.headers.get("Location", ""))

    def sign_in(self) -> bool:
        self.jar.clear()
        page = parse_page(self.request("/accounts/login/").body)
        self.token = next(
            (f.fields["csrfmiddlewaretoken"].value for f in page.forms if "csrfmiddlewaretoken" in f.fields), ""
        )
        if self.username is None:
            return True
        answer = self.request(
            "/accounts/login/",
            {"csrfmiddlewaretoken": [self.token], "username": [self.username], "password": [PASSWORD]},
        )
        if answer.status != 302:
            return False
        self.refresh_token()
        return True

    def refresh_token(self):
        for f in parse_page(self.request("/").body).forms:
            if "csrfmiddlewaretoken" in f.fields:
                self.token = f.fields["csrfmiddlewaretoken"].value
                return


def _text(response) -> str:
    if "text/html" not in response.headers.get("Content-Type", ""):
        return ""
    return response.read().decode("utf-8", "replace")


def encode_multipart(data: dict, boundary: str) -> bytes:
    parts = []
    for name, values in data.items():
        for value in values:
            if isinstance(value, tuple):  # (file name, bytes)
                head = f'Content-Disposition: form-data; name="{name}"; filename="{value[0]}"\r\n'
                head += "Content-Type: application/octet-stream\r\n\r\n"
                parts.append(f"--{boundary}\r\n{head}".encode() + value[1] + b"\r\n")
            else:
                head = f'Content-Disposition: form-data; name="{name}"\r\n\r\n'
                parts.append(f"--{boundary}\r\n{head}".encode() + value.encode("utf-8", "surrogatepass") + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def crawl(browser: Browser) -> list[tuple[str, Form]]:
    """(page, form) for every post form on the pages reachable from the start page."""
    seen_patterns, queue, visited, found = collections.Counter(), ["/"], set(), {}
    if browser.username is None:
        queue += ["/accounts/login/", "/accounts/register/", "/accounts/password/reset/"]
    while queue and len(visited) < PAGES_PER_USER:
        path = queue.pop(0)
        pattern = re.sub(r"\d+", "N", path)
        limit = PAGES_PER_PATTERN["admin" if path.startswith("/admin/") else "site"]
        if path in visited or seen_patterns[pattern] >= limit:
            continue
        visited.add(path)
        seen_patterns[pattern] += 1
        answer = browser.request(path)
        if answer.status != 200 or not answer.body:
            continue
        page = parse_page(answer.body)
        for form in page.forms:
            action = urllib.parse.urljoin(path, form.action or path)
            action = urllib.parse.urlsplit(action)._replace(scheme="", netloc="", fragment="").geturl()
            if not SKIPPED.search(action):
                found.setdefault((action, tuple(sorted(form.fields))), (action, form))
        for href in page.links:
            link = urllib.parse.urlsplit(urllib.parse.urljoin(browser.base + path, href))
            admin_view = link.path.startswith("/admin/") and link.query  # sorted, filtered: the same forms
            if link.netloc == urllib.parse.urlsplit(browser.base).netloc and not (
                NOT_CRAWLED.search(link.path) or admin_view
            ):
                queue.append(link.path + (f"?{link.query}" if link.query else ""))
    return list(found.values())


class Rows:
    """Per table of the SQLite file the server writes: the number of rows and the largest rowid."""

    def __init__(self, path: str):
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        tables = [
            name
            for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith("sqlite_") and name not in RECORDS_OF_REFUSALS
        ]
        self.sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*), MAX(rowid) FROM \"{t}\"" for t in tables)

    def now(self) -> dict:
        return {table: (count, top) for table, count, top in self.db.execute(self.sql)}


def done_something(answer: Answer) -> bool:
    """A redirect, or a page that says something was saved although it answers 4xx."""
    return answer.status in (301, 302, 303) or "message-success" in answer.body or "已保存为草稿" in answer.body


class Gate:
    """Posts run side by side, except a checked one, which runs alone: then whatever changed in the
    database between its before and after was done by it."""

    def __init__(self):
        self.cond = threading.Condition()
        self.running = 0
        self.alone = False
        self.waiting = 0

    @contextlib.contextmanager
    def shared(self):
        with self.cond:
            self.cond.wait_for(lambda: not self.alone and not self.waiting)
            self.running += 1
        try:
            yield
        finally:
            with self.cond:
                self.running -= 1
                self.cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self):
        with self.cond:
            self.waiting += 1
            self.cond.wait_for(lambda: not self.alone and not self.running)
            self.waiting -= 1
            self.alone = True
        try:
            yield
        finally:
            with self.cond:
                self.alone = False
                self.cond.notify_all()


@dataclass
class Tally:
    posts: int = 0
    crawls: int = 0
    checked: int = 0
    refused_checked: int = 0
    statuses: collections.Counter = field(default_factory=collections.Counter)
    routes: collections.Counter = field(default_factory=collections.Counter)  # (URL shape, status)
    failures: list = field(default_factory=list)
    stored: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


RECRAWL_EVERY = 1000  # posts of a worker: the forms change as posts succeed (a withdrawn draft, a new one)


def interleaved(targets: dict, browsers) -> list:
    lists = [targets[b] for b in browsers]  # the users' forms, alternating
    return [t for group in itertools.zip_longest(*lists) for t in group if t]


def worker(browsers, targets, budget: int, tally: Tally, gate: Gate, db: str | None, check: float, ids, seed: int):
    """Post to the forms of the browsers' users in turn until the run has made `budget` posts; now
    and then crawl again."""
    rng = random.Random(seed)
    rows = Rows(db) if db else None
    mine, made = interleaved(targets, browsers), 0
    while True:
        if made >= RECRAWL_EVERY:
            with gate.shared():
                targets = {b: [(b, action, form) for action, form in crawl(b)] for b in browsers}
            mine, made = interleaved(targets, browsers), 0
            with tally.lock:
                tally.crawls += 1
        for browser, action, form in mine:
            made += 1
            with tally.lock:
                if tally.posts >= budget:
                    return
                tally.posts += 1
            data = mutate(form, rng, ids)
            if data.get("csrfmiddlewaretoken") == [form.fields.get("csrfmiddlewaretoken", Field("", "")).value]:
                data["csrfmiddlewaretoken"] = [browser.token]  # the session's, after any new sign-in
            for name, f in form.fields.items():
                if f.kind == "file" and rng.random() < 0.5:
                    data[name] = [(hostile(rng)[:40] or "x.pdf", rng.randbytes(rng.randrange(0, 300)))]
            checked = rows is not None and rng.random() < check
            with gate.exclusive() if checked else gate.shared():
                before = rows.now() if checked else None
                answer = browser.request(action, data, multipart=form.multipart)
                after = rows.now() if checked else None
            who = browser.username or "anonymous"
            with tally.lock:
                tally.statuses[answer.status] += 1
                tally.routes[re.sub(r"\d+", "N", action), answer.status] += 1
                if answer.status >= 500:
                    tally.failures.append(f"{who} POST {action} -> {answer.status} {_brief(data)}")
                if checked:
                    tally.checked += 1
                if checked and answer.status < 500 and not done_something(answer):
                    tally.refused_checked += 1
                    changed = sorted(t for t in after if after[t] != before.get(t))
                    if changed:
                        tally.stored.append(f"{who} POST {action} -> {answer.status}, rows of {changed} {_brief(data)}")
            if answer.location.startswith("/accounts/login/") or (browser.username is None and answer.status == 302):
                browser.sign_in()  # signed out (or, anonymous, signed in by a registration): start again


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--db", help="the server's SQLite file: check that a refused post stores nothing")
    parser.add_argument("--check", type=float, default=0.25, help="share of posts checked against --db (alone)")
    parser.add_argument("--workers", type=int, default=2, help="posts side by side (users split between them)")
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--by-route", action="store_true", help="the answers per URL shape too")
    args = parser.parse_args(argv)
    verbose = args.by_route
    started = time.monotonic()

    browsers, targets, ids = [], {}, {"0", "999999999"}
    for username in (None, *DEMO_USERS):
        browser = Browser(args.url, username)
        if not browser.sign_in():
            print(f"cannot sign in as {username}", file=sys.stderr)
            return 1
        forms = crawl(browser)
        browsers.append(browser)
        targets[browser] = [(browser, action, form) for action, form in forms]
        ids |= {n for action, _ in forms for n in re.findall(r"\d+", action)}
        print(f"{username or 'anonymous'}: {len(forms)} forms")
    crawled = time.monotonic()

    tally, gate, threads = Tally(), Gate(), []
    for n in range(args.workers):
        thread = threading.Thread(
            target=worker,
            args=(browsers[n :: args.workers], targets, args.posts, tally, gate, args.db, args.check, sorted(ids)),
            kwargs={"seed": args.seed + n},
        )
        threads.append(thread)
        thread.start()
    for thread in threads:
        thread.join()

    took = time.monotonic() - started
    posting = time.monotonic() - crawled
    forms = sum(len(t) for t in targets.values())
    print(f"\n{tally.posts} posts to {forms} forms of {len(browsers)} users in {took:.0f} s")
    print(f"crawled again {tally.crawls} times by the workers (the forms change as posts succeed)")
    print(f"crawling {crawled - started:.0f} s, posting {posting:.0f} s ({tally.posts / posting:.1f} posts/s)")
    print("by status: " + ", ".join(f"{code}: {n}" for code, n in sorted(tally.statuses.items())))
    if verbose:
        by_route = collections.defaultdict(dict)
        for (route, status), n in sorted(tally.routes.items()):
            by_route[route][status] = n
        for route, counts in by_route.items():
            print(f"  {route}: " + ", ".join(f"{code}: {n}" for code, n in counts.items()))
    print(f"5xx: {len(tally.failures)}")
    if args.db:
        print(
            f"checked alone against the database: {tally.checked} posts, {tally.refused_checked} of them refused; "
            f"refused posts after which a table's row count or largest rowid changed: {len(tally.stored)}"
        )
    for line in tally.failures[:50] + tally.stored[:50]:
        print("  " + line)
    return 1 if tally.failures or tally.stored else 0


def _brief(data: dict) -> str:
    return repr({k: [v if isinstance(v, str) else "<file>" for v in vs] for k, vs in data.items()})[:300]


if __name__ == "__main__":
    sys.exit(main())
