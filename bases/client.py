"""The one answer to "which address is this request from?", used by the sign-in lockout, the
throttles and the log.

Behind N trusted reverse proxies (settings.TRUSTED_PROXY_COUNT, from DJANGO_TRUSTED_PROXIES), each
proxy appends the address it saw to X-Forwarded-For, so the client is the N-th entry from the right;
anything further left was written by the client and is not believed. With no trusted proxy the
header is ignored altogether and the socket's address (REMOTE_ADDR) is the client.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    trusted = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not trusted:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < trusted:
        # Fewer hops than proxies: the request did not come through all of them; the nearest peer is
        # all we know.
        return remote
    return _valid(forwarded[-trusted]) or remote


def _valid(text: str) -> str | None:
    """An address as Python writes it (so ::ffff:1.2.3.4 and 1.2.3.4 are told apart consistently), or
    None for anything that is not one."""
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip_key(group, request) -> str:
    """The throttles' key (django-ratelimit): the same client address as everywhere else."""
    return client_ip(request) or "unknown"
