"""Time the busiest pages on the current database and count their queries.

`make bench` runs it on a fresh SQLite database filled by seed_demo. Figures are
per request through Django's test client (no network, no web server), so they
measure the application: views, queries and templates.
"""

import statistics
import time
import warnings

from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from bases.choices import State
from bases.models import Application, User
from reviews.models import Publicity


class Command(BaseCommand):
    help = "测量主要页面的响应时间和查询次数"

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30)

    @override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False)
    def handle(self, *args, **options):
        warnings.filterwarnings("ignore", "No directory at")  # WhiteNoise: no collectstatic for a benchmark
        n = options["requests"]
        big = Application.objects.order_by("-pk").filter(state=State.RECOGNISED).first() or Application.objects.first()
        publicity = Publicity.objects.first()
        cases = [
            ("anonymous", None, reverse("home")),
            ("applicant", "demo_enterprise", reverse("bases:application-list")),
            (
                "applicant",
                "demo_enterprise",
                reverse(
                    "bases:application-edit",
                    args=[User.objects.get(username="demo_enterprise").organisation.applications.first().pk],
                ),
            ),
            ("county", "county_yuecheng", reverse("home")),
            ("city", "city_reviewer", reverse("bases:application-list")),
            ("city", "city_reviewer", reverse("bases:application-list") + "?state=recognised&page=1"),
            ("city", "city_reviewer", reverse("reviews:application-detail", args=[big.pk])),
            ("city", "city_reviewer", reverse("reviews:publicity-detail", args=[publicity.pk]) if publicity else "/"),
            ("city", "city_reviewer", reverse("reviews:workflow")),
        ]
        self.stdout.write(f"{'role':<10} {'url':<48} {'queries':>7} {'median ms':>10} {'p95 ms':>8} {'req/s':>7}")
        for role, username, url in cases:
            client = Client()
            if username:
                client.force_login(User.objects.get(username=username))
            for _ in range(3):
                assert client.get(url).status_code == 200, url
            executed = []
            with connection.execute_wrapper(
                lambda execute, sql, *a, _log=executed: _log.append(sql) or execute(sql, *a)
            ):
                client.get(url)
            timings = []
            for _ in range(n):
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            timings.sort()
            p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
            median = statistics.median(timings)
            self.stdout.write(
                f"{role:<10} {url:<48} {len(executed):>7} {median:>10.1f} {p95:>8.1f} {1000 / median:>7.0f}"
            )
