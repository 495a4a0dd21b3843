"""Deployment behind nginx with TLS: settings from the environment (docs/production.env.example is
the documented production environment), CSRF through the proxy, the security headers, and the one
function that says which address a request is from."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory, override_settings

from bases.client import client_ip

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "production.env.example"


def production_env(**overrides) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_URL", "DATABASE_URL"))}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value
    env.update({"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": "sqlite:///:memory:", **overrides})
    return env


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_under(env, *names) -> dict:
    code = (
        "from django.conf import settings; import json; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))"
    )
    result = manage("shell", "-v0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_it():
    env = production_env(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_HSTS_SECONDS="0")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr + result.stdout and "security.W008" in result.stderr + result.stdout


def test_the_placeholder_secret_is_refused():
    result = manage("check", env=production_env(DJANGO_SECRET_KEY="<secret>"))
    assert result.returncode != 0 and "placeholder" in result.stderr


def test_proxy_tls_mail_and_trusted_origins_come_from_the_environment():
    env = production_env(EMAIL_URL="smtp+tls://sender%40example.gov.cn:pw@mail.example.gov.cn:587")
    values = settings_under(
        env,
        "SECURE_PROXY_SSL_HEADER",
        "CSRF_TRUSTED_ORIGINS",
        "TRUSTED_PROXY_COUNT",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_USE_TLS",
    )
    assert values == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "CSRF_TRUSTED_ORIGINS": ["https://sbmj.sxamr.example.gov.cn"],
        "TRUSTED_PROXY_COUNT": 1,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_SECURE": True,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.gov.cn",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "sender@example.gov.cn",
        "EMAIL_USE_TLS": True,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("behind_proxy, expected", [(False, 403), (True, 302)])
def test_sign_in_through_a_tls_proxy_passes_csrf(behind_proxy, expected, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if behind_proxy else None
    settings.SECURE_SSL_REDIRECT = False
    get_user_model().objects.create_user("proxy_user", password="Shaoxing#2021x")
    client = Client(enforce_csrf_checks=True)
    # What nginx passes on (docs/deploy.md): the Host the browser asked for and the scheme it used.
    headers = {"HTTP_HOST": "testserver", "HTTP_X_FORWARDED_PROTO": "https", "HTTP_ORIGIN": "https://testserver"}
    client.get("/accounts/login/", **headers)
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"username": "proxy_user", "password": "Shaoxing#2021x", "csrfmiddlewaretoken": token},
        **headers,
    )
    assert response.status_code == expected


@pytest.mark.django_db
def test_every_page_carries_the_policy_headers(client):
    response = client.get("/accounts/login/")
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_the_forwarded_header_is_ignored():
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_ip(request) == "203.0.113.9"


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client wrote the first entry itself
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.5", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2"),  # fewer hops than proxies: only the peer is known
        (1, "not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_behind_trusted_proxies_the_client_is_counted_from_the_right(proxies, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


# --- More than one web node: no state of its own -------------------------------------------------

S3 = {
    "S3_BUCKET": "sxamr-trade-secret",
    "S3_ENDPOINT_URL": "https://oss-cn-hangzhou-internal.aliyuncs.com",
    "S3_REGION": "cn-hangzhou",
    "S3_ACCESS_KEY_ID": "LTAI-test",
    "S3_SECRET_ACCESS_KEY": "secret-test",
    "S3_ADDRESSING_STYLE": "virtual",
}
SHARED_STATE = (
    "SESSION_ENGINE",
    "CACHES",
    "AXES_HANDLER",
    "RATELIMIT_USE_CACHE",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_BROKER_URL",
    "MESSAGE_STORAGE",
)


def test_production_keeps_sessions_cache_lockouts_throttles_and_tasks_off_the_web_node():
    values = settings_under(production_env(), *SHARED_STATE)

    assert values == {
        "SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",  # read from Redis, kept in the database
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": "redis://10.0.0.21:6379/0",
            }
        },
        "AXES_HANDLER": "axes.handlers.database.AxesDatabaseHandler",
        "RATELIMIT_USE_CACHE": None,  # django-ratelimit's default: the "default" cache above
        "CELERY_TASK_ALWAYS_EAGER": False,
        "CELERY_BROKER_URL": "redis://10.0.0.21:6379/0",
        "MESSAGE_STORAGE": "django.contrib.messages.storage.fallback.FallbackStorage",  # cookie, then session
    }


def test_without_redis_the_cache_is_the_shared_database_never_a_process_memory():
    env = production_env()
    del env["REDIS_URL"]

    values = settings_under(env, "CACHES", "SESSION_ENGINE")

    assert values == {
        "CACHES": {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}},
        "SESSION_ENGINE": "django.contrib.sessions.backends.db",
    }


def test_the_throttles_refuse_a_cache_they_cannot_count_in_unless_in_debug():
    # django-ratelimit's check: the database table cannot count atomically (E003); production counts
    # in Redis (Django's own backend, whose INCR is atomic: the "not listed" warning is silenced).
    env = production_env()
    del env["REDIS_URL"]

    refused = manage("check", env=env)
    in_debug = manage("check", env={**env, "DJANGO_DEBUG": "1"})
    with_redis = manage("check", "--fail-level", "WARNING", env=production_env())

    assert refused.returncode != 0 and "django_ratelimit.E003" in refused.stderr + refused.stdout
    assert in_debug.returncode == 0, in_debug.stderr
    assert with_redis.returncode == 0, with_redis.stderr


def test_without_a_bucket_files_go_to_the_private_folder():
    values = settings_under(production_env(PRIVATE_MEDIA_ROOT="/srv/sts/private"), "STORAGES")

    folder = "django.core.files.storage.FileSystemStorage"
    assert {alias: values["STORAGES"][alias] for alias in ("default", "private", "documents")} == {
        "default": {"BACKEND": folder, "OPTIONS": {"location": "/srv/sts/private"}},
        "private": {"BACKEND": folder, "OPTIONS": {"location": "/srv/sts/private"}},
        "documents": {"BACKEND": folder, "OPTIONS": {"location": "/srv/sts/private/documents"}},
    }


def test_with_a_bucket_uploads_and_documents_go_to_private_object_storage():
    values = settings_under(production_env(**S3), "STORAGES")

    options = {
        "bucket_name": "sxamr-trade-secret",
        "endpoint_url": "https://oss-cn-hangzhou-internal.aliyuncs.com",
        "region_name": "cn-hangzhou",
        "access_key": "LTAI-test",
        "secret_key": "secret-test",
        "addressing_style": "virtual",
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "signature_version": "s3v4",
        "file_overwrite": False,
    }
    assert {alias: values["STORAGES"][alias] for alias in ("default", "private", "documents")} == {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": ""}},
        "private": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": ""}},
        "documents": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**options, "location": "documents"}},
    }
    assert values["STORAGES"]["staticfiles"] == {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


def test_check_deploy_is_clean_with_object_storage():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(**S3))
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_guide_names_every_variable_the_settings_read():
    settings_source = (ROOT / "shaoxing_trade_secret" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", settings_source))
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", guide, flags=re.MULTILINE))

    assert {"DJANGO_SECRET_KEY", "S3_BUCKET", "ATTACHMENT_MAX_MB"} <= read  # the pattern finds them
    assert read - documented == set()
    assert documented - read == set()


@pytest.mark.django_db
def test_a_request_by_address_gets_the_400_page_not_a_server_error(client, settings):
    # A load balancer's probe or a scanner that names the node's address instead of the site.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["sbmj.sxamr.example.gov.cn"]

    response = client.get("/healthz", HTTP_HOST="10.0.0.11:8000")

    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_database_connections_persist_on_postgresql_and_are_settable():
    postgres = "postgres://sts@db.internal:5432/sts"

    def conn(**overrides):
        values = settings_under(production_env(**overrides), "DATABASES")["DATABASES"]["default"]
        return values["CONN_MAX_AGE"], values["CONN_HEALTH_CHECKS"]

    assert conn(DATABASE_URL=postgres) == (60, True)
    assert conn(DATABASE_URL=postgres, DJANGO_CONN_MAX_AGE="0") == (0, True)
    assert conn() == (0, True)  # SQLite: opening the file costs next to nothing


def test_templates_are_compiled_once_per_process_in_production():
    # Django caches compiled templates only while TEMPLATES names no `loaders` of its own.
    code = "from django.template import engines; print(type(engines['django'].engine.template_loaders[0]))"
    result = manage("shell", "-v0", "-c", code, env=production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "<class 'django.template.loaders.cached.Loader'>"


def test_the_public_address_printed_on_documents_comes_from_the_environment():
    documented = settings_under(production_env(), "PUBLIC_BASE_URL")
    derived = settings_under(production_env(DJANGO_PUBLIC_BASE_URL=""), "PUBLIC_BASE_URL")
    refused = manage("check", env=production_env(DJANGO_PUBLIC_BASE_URL="sbmj.sxamr.example.gov.cn"))

    assert documented == {"PUBLIC_BASE_URL": "https://sbmj.sxamr.example.gov.cn"}
    assert derived == {"PUBLIC_BASE_URL": "https://sbmj.sxamr.example.gov.cn"}  # the first allowed host
    assert refused.returncode != 0 and "DJANGO_PUBLIC_BASE_URL" in refused.stderr
