"""`make bench`: what users feel, at the seed's size and at the size a deployment reaches.

    python scripts/bench.py [--database-url URL] [--fresh] [--applications 20000] [--seconds 3] [--rounds 3]
    python scripts/bench.py --pdf-only     # the printed forms alone, on DATABASE_URL as it is (seconds;
                                           # writes their section of docs/performance.md too)

Fills the database (seed_demo, measured; then seed_volume's five batches, measured again), serves it
with gunicorn as in production (2 sync workers, debug off) and drives each page with wrk at 20
concurrent connections, signed in as the user the page is for: per page the requests/s, p50 and p95
(median of --rounds rounds), the queries one request makes (counted beside, through Django's test
client) and the ratio of its requests/s to those of a trivial view (`/bench/trivial`, served only
when DJANGO_BENCH is on) measured in the same round. The table, the date and the machine replace the
figures section of docs/performance.md (between its bench markers); the prose around it stays.

--fresh drops and recreates the database first (PostgreSQL) or removes the file (SQLite); without
it the database must hold no applications yet. `--queries-only` is the inner step that counts the
queries (run in a process of its own with the database's settings); `--export-only` the one that
times the application list's export of 10,000 rows against openpyxl writing the same cells, once
the volume is in.

The printed forms (issue 11), measured in the same run after seed_demo (`--pdf-only` alone): bare
WeasyPrint on a static copy of the 附表3 HTML (the sample of scripts/print_samples.py, an
800-character narrative, two pages), the application's cold render (bases.printing: content, 校验码,
template, WeasyPrint, stored), the stored form fetched again, and the same two through the view
(`/applications/<id>/form.pdf` as the city reviewer, Django's test client) for a demo application.
Each the median of several runs in one warm process; the goals: cold ≤ 1.3 × bare and < 0.3 s, a
cached fetch < 20 ms, a two-page form < 300 KB.
"""

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Shaoxing#2021"
LUA = ROOT / "scripts" / "bench.lua"
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PDF_START, PDF_END = "<!-- bench-pdf:start -->", "<!-- bench-pdf:end -->"
SEARCH = "纺织"  # two Chinese characters: what pg_trgm cannot index

# (label, user or None for anonymous, path; "{detail}" is the demo's recognised application, "{base}"
# its base's public page, "{verify}" the public verification page of its 认定证书 and "{document}"
# that certificate's download)
PAGES = [
    ("trivial view", None, "/bench/trivial"),
    ("`/healthz`", None, "/healthz"),
    ("public `/`", None, "/"),
    ("public `/public/bases/`", None, "/public/bases/"),
    ("public base `/public/bases/<public_id>/`", None, "{base}"),
    ("API `/api/v1/bases/`", None, "/api/v1/bases/"),
    ("city `/`", "city_reviewer", "/"),
    ("city `/applications/`", "city_reviewer", "/applications/"),
    (f"city `/applications/?q={SEARCH}`", "city_reviewer", f"/applications/?q={SEARCH}"),
    ("city `/publicities/`", "city_reviewer", "/publicities/"),
    ("city `/bases/`", "city_reviewer", "/bases/"),
    ("city detail `/applications/<id>/`", "city_reviewer", "{detail}"),
    ("city document `/documents/<id>/`", "city_reviewer", "{document}"),
    ("public `/verify/<id>/`", None, "{verify}"),
    ("county `/`", "county_yuecheng", "/"),
    ("county `/applications/`", "county_yuecheng", "/applications/"),
    ("applicant `/`", "demo_enterprise", "/"),
    ("applicant `/applications/`", "demo_enterprise", "/applications/"),
    ("city `/statistics/`", "city_reviewer", "/statistics/"),
    ("county `/statistics/`", "county_yuecheng", "/statistics/"),
    ("leader `/`", "leader_city", "/"),
    ("city `/upward/`", "city_reviewer", "/upward/"),
    ("city `/yearly-reports/`", "city_reviewer", "/yearly-reports/"),
    ("county `/county-rules/`", "county_shengzhou", "/county-rules/"),
]
EXPORT_ROWS = 10_000  # the application list's export, timed against openpyxl writing the same cells


def manage(env, *args, quiet=True):
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def prepare_database(url: str, fresh: bool) -> None:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        path = Path(parsed.path)
        if fresh and path.exists():
            path.unlink()
        return
    import psycopg2  # the project's own driver

    name = parsed.path.lstrip("/")
    server = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
    )
    server.autocommit = True
    with server.cursor() as cursor:
        if fresh:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()


def count_queries() -> None:
    """Inner step: print, as JSON, each page's resolved path and the queries one request makes."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoxing_trade_secret.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bases.models import Application, User

    detail = Application.objects.get(organisation__name="浙江古越龙山绍兴酒股份有限公司", state="recognised")
    certificate = detail.documents.get(kind="certificate")
    out = {"pages": [], "database": f"{connection.vendor} {connection.cursor().connection.server_version}"}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            out["database"] = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    out["applications"] = Application.objects.count()
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        for label, username, path in PAGES:
            path = path.format(
                detail=f"/applications/{detail.pk}/",
                base=f"/public/bases/{detail.base.public_id}/",
                document=f"/documents/{certificate.pk}/",
                verify=f"/verify/{certificate.public_id}/",
            )
            client = Client()
            if username:
                client.force_login(User.objects.get(username=username))
            client.get(path)  # the first request fills caches, as a served page's would be
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            if response.status_code != 200:
                raise SystemExit(f"{path} as {username}: HTTP {response.status_code}")
            out["pages"].append({"label": label, "user": username, "path": path, "queries": len(queries)})
    print(json.dumps(out))


def time_export(rounds: int = 3) -> None:
    """Inner step: print, as JSON, how long the application list's export of EXPORT_ROWS rows takes
    (the city's list, read from the database, turned into rows and written as the page's download
    writes it: bases.selectors.application_export_rows into bases.spreadsheets.xlsx) against openpyxl
    writing the same cells (write-only, no styles, the values already in memory); medians of `rounds`."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoxing_trade_secret.settings")
    import django

    django.setup()
    import io

    import openpyxl

    from bases import selectors, spreadsheets
    from bases.models import User

    user = User.objects.get(username="city_reviewer")
    queryset = selectors.applications_listed(selectors.applications_for_user(user))[:EXPORT_ROWS]
    columns = selectors.APPLICATION_EXPORT_COLUMNS
    cells = [[column.header for column in columns], *selectors.application_export_rows(queryset)]
    exports, bares = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        workbook = spreadsheets.xlsx(
            spreadsheets.Sheet("申报列表", columns, selectors.application_export_rows(queryset))
        )
        exports.append(time.perf_counter() - started)
        started = time.perf_counter()
        bare = openpyxl.Workbook(write_only=True)
        sheet = bare.create_sheet()
        for row in cells:
            sheet.append(row)
        bare.save(io.BytesIO())
        bares.append(time.perf_counter() - started)
    export, bare_time = statistics.median(exports), statistics.median(bares)
    print(
        json.dumps({"rows": workbook.rows, "cells": workbook.rows * len(columns), "export": export, "bare": bare_time})
    )


def measure_export(env) -> dict:
    timed = subprocess.run(
        [sys.executable, __file__, "--export-only"],
        cwd=ROOT,
        env=served(env),
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(timed.stdout)
    figures["ratio"] = figures["export"] / figures["bare"]
    return figures


CACHE_URL = ""  # the served instance's Redis (sessions, cache), as in production; set by main()


def redis_for_bench(url: str) -> str:
    """`url` emptied for the run, or "" (the database cache then) when no Redis answers there."""
    if not url:
        return ""
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except Exception as exc:
        print(f"No Redis at {url} ({exc}): the served instance keeps its cache in the database")
        return ""
    return url


def pdf_figures() -> None:
    """Inner step: print, as JSON, the printed forms' timings (seconds) and sizes."""
    import tempfile

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaoxing_trade_secret.settings")
    scratch = tempfile.mkdtemp(prefix="bench-pdf-")
    os.environ.setdefault("PRIVATE_MEDIA_ROOT", scratch)
    import django

    django.setup()
    import io

    import pypdf
    from django.contrib.staticfiles import finders
    from django.db import DatabaseError
    from django.test import Client
    from django.test.utils import override_settings
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    from bases import paper, printing
    from bases.models import Application, User
    from bases.storage import DOCUMENTS
    from scripts.print_samples import sample_application

    def median(run, times: int) -> float:
        spent = []
        for _ in range(times):
            started = time.perf_counter()
            run()
            spent.append(time.perf_counter() - started)
        return statistics.median(spent)

    form = paper.paper_form(sample_application("point"))
    folder = Path(scratch) / "static-copy"
    folder.mkdir()
    html = printing.form_html(form)
    html = re.sub(r'href="[^"]*form-pdf[^"]*\.css"', 'href="form-pdf.css"', html)
    (folder / "form.html").write_text(html, encoding="utf-8")
    shutil.copy(finders.find(printing.STYLESHEET), folder / "form-pdf.css")
    fonts = FontConfiguration()

    def bare():
        return HTML(filename=str(folder / "form.html")).write_pdf(font_config=fonts)

    def bare_default():
        return HTML(filename=str(folder / "form.html")).write_pdf()

    out = {"load": os.getloadavg()[0]}  # other work on the machine shows in every figure below
    bare(), bare_default(), printing.render(form)  # the process's first render costs more (PDF-NOTES)
    out["bare"] = median(bare, 9)
    out["bare_default"] = median(bare_default, 5)
    numbers = iter(range(2_000_000_000, 2_000_001_000))  # ids of no stored form: each render is cold

    def cold():
        printing.application_form_pdf(sample_application("point", pk=next(numbers)))

    out["cold"] = median(cold, 9)
    stored = sample_application("point", pk=next(numbers))
    first = printing.application_form_pdf(stored)
    out["cached"] = median(lambda: printing.application_form_pdf(stored), 51)
    out["bytes"] = len(first.content)
    out["pages"] = len(pypdf.PdfReader(io.BytesIO(first.content)).pages)
    out["bare_bytes"] = len(bare())
    for number in range(2_000_000_000, next(numbers) + 1):
        if DOCUMENTS.exists(f"forms/{number}"):
            for name in DOCUMENTS.listdir(f"forms/{number}")[1]:
                DOCUMENTS.delete(f"forms/{number}/{name}")
    try:  # a seeded database (make bench's, or DATABASE_URL's): the view too
        demo = Application.objects.filter(state="recognised").order_by("pk").first()
        reviewer = User.objects.filter(username="city_reviewer").first()
    except DatabaseError:
        demo = reviewer = None
    if demo is not None and reviewer is not None:
        with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
            client = Client()
            client.force_login(reviewer)
            url = f"/applications/{demo.pk}/form.pdf"

            def forget():  # the view's next request finds nothing stored
                if DOCUMENTS.exists(f"forms/{demo.pk}"):
                    for name in DOCUMENTS.listdir(f"forms/{demo.pk}")[1]:
                        DOCUMENTS.delete(f"forms/{demo.pk}/{name}")

            def first_request():
                forget()
                started = time.perf_counter()
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code}")
                return time.perf_counter() - started, len(response.content)

            colds = [first_request() for _ in range(5)]
            out["http_cold"] = statistics.median(spent for spent, _ in colds)
            out["http_bytes"] = colds[-1][1]
            out["http_cached"] = median(lambda: client.get(url), 21)
    shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(out))


PDF_GOALS = (
    ("cold ≤ 1.3 × bare", lambda f: f["cold"] <= 1.3 * f["bare"]),
    ("cold < 0.3 s", lambda f: f["cold"] < 0.3),
    ("cached < 20 ms", lambda f: f["cached"] < 0.020 and f.get("http_cached", 0) < 0.020),
    ("two-page form < 300 KB", lambda f: f["pages"] == 2 and f["bytes"] < 300 * 1024),
)


def pdf_table(figures: dict) -> str:
    ms = 1000
    lines = [
        "| printed 附表3 (800-character narrative) | ms | size | ratio to bare |",
        "|---|---:|---:|---:|",
        f"| bare WeasyPrint, static copy of the HTML, one `FontConfiguration` | {figures['bare'] * ms:.0f} "
        f"| {figures['bare_bytes'] / 1024:.0f} KB | 1.00 |",
        f"| bare WeasyPrint, `write_pdf()` with its defaults | {figures['bare_default'] * ms:.0f} | | "
        f"{figures['bare_default'] / figures['bare']:.2f} |",
        f"| application, cold (`bases.printing.application_form_pdf`, rendered and stored) | "
        f"{figures['cold'] * ms:.0f} | {figures['bytes'] / 1024:.0f} KB, {figures['pages']} pages | "
        f"{figures['cold'] / figures['bare']:.2f} |",
        f"| application, stored form fetched again | {figures['cached'] * ms:.1f} | | |",
    ]
    if "http_cold" in figures:
        lines += [
            f"| view `/applications/<id>/form.pdf`, first request (renders) | {figures['http_cold'] * ms:.0f} "
            f"| {figures['http_bytes'] / 1024:.0f} KB | |",
            f"| view `/applications/<id>/form.pdf`, again (stored) | {figures['http_cached'] * ms:.1f} | | |",
        ]
    goals = ", ".join(f"{name}: {'met' if check(figures) else 'NOT met'}" for name, check in PDF_GOALS)
    return "\n".join([*lines, "", f"Goals: {goals}."])


def measure_pdf(env) -> dict:
    """The printed forms' figures, from a process of its own (the environment's settings)."""
    counted = subprocess.run(
        [sys.executable, __file__, "--pdf-only", "--json"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(counted.stdout.splitlines()[-1])


def served(env) -> dict:
    """The environment of the served instance: production's settings on plain http, with the floor."""
    return {
        **env,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # throwaway
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_BENCH": "1",
        **({"REDIS_URL": CACHE_URL} if CACHE_URL else {}),
    }


def serve(env, port: int):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = open(ROOT / "var" / "bench-server.log", "a")  # noqa: SIM115 (open while the server runs)
    server = subprocess.Popen(
        [str(gunicorn), "shaoxing_trade_secret.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2", "-k", "sync"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/bench/trivial", timeout=2)
            return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start; see var/bench-server.log")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(base: str, username: str) -> str:
    """Sign in through the login page; the session cookie's value."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
    request = urllib.request.Request(f"{base}/accounts/login/", data=data.encode(), headers={"Referer": base})
    try:
        opener.open(request)
    except urllib.error.HTTPError as answer:
        if answer.code != 302:
            raise SystemExit(f"sign-in as {username} failed: HTTP {answer.code}") from answer
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if not session:
        raise SystemExit(f"sign-in as {username} failed (no session)")
    return session


def check_page(url: str, cookie: str | None) -> None:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        status = urllib.request.build_opener(NoRedirect).open(request).status
    except urllib.error.HTTPError as answer:
        status = answer.code
    if status != 200:
        raise SystemExit(f"{url}: HTTP {status}, not the page itself")


def drain(url: str) -> None:
    """Wait until the server has answered what an earlier run left queued (a sync worker finishes
    every request it accepted, also after wrk has gone), so that a run measures only itself."""
    urllib.request.urlopen("/".join(url.split("/", 3)[:3]) + "/bench/trivial", timeout=120)


def wrk(url: str, cookie: str | None, seconds: int) -> dict:
    drain(url)
    command = ["wrk", "-t2", "-c20", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", str(LUA), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    requests, duration, p50, p95, errors = map(int, re.search(r"BENCH (.*)", output).group(1).split())
    if errors or not requests:
        raise SystemExit(f"{url}: {errors} errors under load\n{output}")
    return {"rps": requests / (duration / 1e6), "p50": p50 / 1000, "p95": p95 / 1000}


def measure(env, args, label: str) -> dict:
    counted = subprocess.run(
        [sys.executable, __file__, "--queries-only"],
        cwd=ROOT,
        env=served(env),
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(counted.stdout)
    server, base = serve(served(env), args.port)
    try:
        cookies = {u: f"sessionid={sign_in(base, u)}" for u in {p["user"] for p in info["pages"] if p["user"]}}
        pages = info["pages"]
        for page in pages:
            check_page(base + urllib.parse.quote(page["path"], safe="/?="), cookies.get(page["user"]))
            wrk(base + urllib.parse.quote(page["path"], safe="/?="), cookies.get(page["user"]), 1)  # warm-up
        rounds = {page["label"]: [] for page in pages}
        for number in range(args.rounds):
            for page in pages:
                url = base + urllib.parse.quote(page["path"], safe="/?=")
                rounds[page["label"]].append(wrk(url, cookies.get(page["user"]), args.seconds))
            print(f"  {label}: round {number + 1}/{args.rounds} done", flush=True)
    finally:
        server.terminate()
        server.wait()
    floor = statistics.median(r["rps"] for r in rounds[pages[0]["label"]])
    for page in pages:
        runs = rounds[page["label"]]
        page["rps"] = statistics.median(r["rps"] for r in runs)
        page["p50"] = statistics.median(r["p50"] for r in runs)
        page["p95"] = statistics.median(r["p95"] for r in runs)
        page["ratio"] = page["rps"] / floor
    info["label"] = label
    return info


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{model}, {os.cpu_count()} cores"


def table(small: dict, large: dict) -> str:
    def cells(page):
        return f"{page['rps']:,.0f} | {page['p50']:.0f} | {page['p95']:.0f} | {page['ratio']:.3f}"

    lines = [
        f"| page | {small['applications']:,} apps: req/s | p50 ms | p95 ms | ratio "
        f"| {large['applications']:,} apps: req/s | p50 ms | p95 ms | ratio | queries |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for a, b in zip(small["pages"], large["pages"], strict=True):
        queries = str(a["queries"]) if a["queries"] == b["queries"] else f"{a['queries']} / {b['queries']}"
        lines.append(f"| {a['label']} | {cells(a)} | {cells(b)} | {queries} |")
    return "\n".join(lines)


def export_line(export: dict) -> str:
    return (
        f"Application list export, {export['rows']:,} rows ({export['cells']:,} cells): "
        f"{export['export']:.2f} s; openpyxl writing the same cells (write-only, no styles): "
        f"{export['bare']:.2f} s; ratio {export['ratio']:.2f} (goal ≤ 1.2)."
    )


def replace_section(text: str, start: str, end: str, section: str) -> str:
    if start not in text:
        text = text.rstrip() + f"\n\n{start}\n{end}\n"
    head, rest = text.split(start, 1)
    return head + section + rest.split(end, 1)[1]


def write_pdf_doc(figures: dict) -> str:
    section = "\n".join(
        [
            PDF_START,
            f"Measured {datetime.date.today().isoformat()} by `make bench` on {machine()} (load average "
            f"{figures['load']:.1f} when it began), in one warm process; medians (9 cold renders, 51 fetches of "
            "the stored form; 5 and 21 requests).",
            "",
            pdf_table(figures),
            PDF_END,
        ]
    )
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    DOC.write_text(replace_section(text, PDF_START, PDF_END, section))
    return section


def write_doc(small: dict, large: dict, args, export: dict) -> str:
    today = datetime.date.today().isoformat()
    section = "\n".join(
        [
            START,
            f"Measured {today} by `make bench` on {machine()}, {large['database']}; gunicorn with 2 sync "
            f"workers, debug off, {'Redis' if CACHE_URL else 'the database'} as cache and session store; "
            f"wrk, 20 connections, {args.seconds} s per page, median of {args.rounds} rounds. "
            "Ratio: the page's requests/s over the trivial view's in the same run. Queries: one request "
            "(seed size / volume when they differ).",
            "",
            table(small, large),
            "",
            export_line(export),
            END,
        ]
    )
    text = DOC.read_text() if DOC.exists() else "# Performance\n"
    DOC.write_text(replace_section(text, START, END, section))
    return section


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--queries-only", action="store_true")
    parser.add_argument("--export-only", action="store_true", help="inner step: time the 10,000-row export")
    parser.add_argument("--pdf-only", action="store_true", help="only the printed forms (seconds, no server)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)  # the inner step's output
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="the served instance's cache and sessions (emptied first); '' for the database cache",
    )
    args = parser.parse_args()
    if args.queries_only:
        count_queries()
        return
    if args.pdf_only:
        if args.json:
            pdf_figures()
        else:
            env = {**os.environ, "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1")}
            if args.database_url:
                env["DATABASE_URL"] = args.database_url
            print(write_pdf_doc(measure_pdf(env)))
        return
    if args.export_only:
        time_export()
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing (Debian package wrk)")
    (ROOT / "var").mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_DEBUG": "1",
        "PRIVATE_MEDIA_ROOT": str(ROOT / "var" / "bench-private"),
        "EMAIL_URL": "consolemail://",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    prepare_database(args.database_url, args.fresh)
    global CACHE_URL
    CACHE_URL = redis_for_bench(args.redis_url)
    started = time.monotonic()
    manage(env, "migrate", "-v0")
    manage(env, "createcachetable")
    # The manifest storage of debug off; without Redis the throttles' check would refuse the served
    # settings (django_ratelimit.E003), which the measurement does not need.
    manage(served(env), "collectstatic", "--no-input", "-v0", "--skip-checks")
    counted = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from bases.models import Application; print(Application.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    if int(counted.stdout.split()[-1]):
        raise SystemExit("the database holds applications already: give an empty one, or --fresh for a scratch one")
    print(f"migrate, cache table and static files: {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    manage(env, "seed_demo")
    print(f"seed_demo: {time.monotonic() - started:.1f} s", flush=True)
    print(write_pdf_doc(measure_pdf(env)), flush=True)
    small = measure(env, args, "seed")
    started = time.monotonic()
    manage(env, "seed_volume", f"--applications={args.applications}", quiet=False)
    print(f"seed_volume: {time.monotonic() - started:.0f} s", flush=True)
    large = measure(env, args, "volume")
    export = measure_export(env)
    print(write_doc(small, large, args, export))


if __name__ == "__main__":
    main()
