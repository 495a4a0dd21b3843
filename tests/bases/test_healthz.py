"""/healthz for the load balancer: the database and, when configured, Redis."""

import socket

import pytest

pytestmark = pytest.mark.django_db


def redis_listening(host="127.0.0.1", port=6379) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def test_healthz_without_redis_ok_and_redis_not_configured(client, settings):
    settings.REDIS_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.skipif(not redis_listening(), reason="no Redis server listens on 127.0.0.1:6379")
def test_healthz_with_reachable_redis_reports_ok(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_healthz_with_unreachable_redis_answers_503_with_error(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    body = response.json()
    assert response.status_code == 503
    assert {k: v for k, v in body.items() if k != "redis"} == {"status": "error", "database": "ok"}
    assert body["redis"].startswith("error: ")
    assert "127.0.0.1" not in body["redis"]  # the class of the failure, not connection details


def test_healthz_reuses_one_redis_client_per_process(client, settings, monkeypatch):
    import redis

    from bases import views

    made = []
    from_url = redis.Redis.from_url
    monkeypatch.setattr(redis.Redis, "from_url", lambda *a, **kw: made.append(a) or from_url(*a, **kw))
    views.redis_client.cache_clear()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    statuses = [client.get("/healthz").status_code for _ in range(3)]

    assert statuses == [503, 503, 503]
    assert len(made) == 1
    views.redis_client.cache_clear()
