"""Requests refused before any view reads them."""

import re
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse

from bases import permissions
from bases.passwords import password_expired
from bases.uploads import max_post_bytes, oversize_post_message
from bases.validators import text_problem


class RefuseControlCharactersInQueries:
    """A query string holding a control character (NUL, a line break …) is no search anyone typed:
    answered 400 at once, before a filter sends it to the database (PostgreSQL refuses NUL in a
    string literal with an error, which would otherwise be a 500). Form fields are checked by the
    forms themselves, where the message can stand at the field."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for key, values in request.GET.lists():
            if any(text_problem(text, multiline=False) for text in (key, *values)):
                return render(
                    request,
                    "400.html",
                    {"message": "查询条件含有无效的控制字符，请检查后重新查询。"},
                    status=400,
                )
        return self.get_response(request)


class RefuseOversizeUploads:
    """A multipart post whose declared length is over what one upload may be (bases.uploads) is
    answered 413 from its headers, before anything reads its body (CsrfViewMiddleware's check
    reads it, later). Behind nginx, client_max_body_size refuses it even earlier (README "Uploads")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type == "multipart/form-data":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > max_post_bytes():
                return render(request, "413.html", {"message": oversize_post_message()}, status=413)
        return self.get_response(request)


class RefuseImpossibleIdsInAdminPosts:
    """The admin's own forms look rows up by the ids posted: the ticked rows of a list
    (`_selected_action`), the rows of an editable list (`form-0-id`), multiple selects. An id that is
    no integer, or any integer beyond what a database column holds (SQLite cannot even bind it), was
    typed by no one on a rendered page: answered 400 here, where Django's admin fails with a 500
    (found by `make fuzz`)."""

    ID = re.compile(r"_selected_action|(.+-)?\d+-id")
    INTEGER = re.compile(r"[-+]?\d+")
    LIMIT = 2**63 - 1

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path_info.startswith(reverse("admin:index")):
            for key, values in request.POST.lists():
                is_id = self.ID.fullmatch(key)
                if any(self.impossible(value, is_id) for value in values):
                    return render(request, "400.html", {"message": "提交的数据无效，请返回页面重新操作。"}, status=400)
        return self.get_response(request)

    def impossible(self, value: str, is_id) -> bool:
        if not self.INTEGER.fullmatch(value.strip()):
            return bool(is_id and value.strip())  # an id left empty: a new row of an editable list
        return abs(int(value)) > self.LIMIT


class PasswordExpiry:
    """A signed-in user whose password has expired (settings.PASSWORD_MAX_AGE_DAYS) can do nothing
    but change it (or sign out)."""

    ALLOWED = ("password_change", "password_change_done", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and password_expired(user):
            match = resolve_or_none(request.path_info)
            if match is None or match.url_name not in self.ALLOWED:
                messages.warning(request, "您的密码已到期，请先修改密码。")
                return redirect("password_change")
        return self.get_response(request)


class TwoFactorRequired:
    """With settings.TWO_FACTOR_REQUIRED, bureau staff and administrators signed in with their password
    alone can do nothing but enter their dynamic code (or set up their authenticator first) or sign
    out: every other page, the admin site included, sends them there and back afterwards."""

    ALLOWED = ("two_factor", "logout", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and permissions.two_factor_pending(user):
            match = resolve_or_none(request.path_info)
            if match is None or match.url_name not in self.ALLOWED:
                return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def resolve_or_none(path):
    try:
        return resolve(path)
    except Resolver404:
        return None


class KeepSessionAlive:
    """The idle timeout: a signed-in user's session is saved again, and so lives another
    SESSION_COOKIE_AGE from now, once SESSION_REFRESH_SECONDS have passed since it was last saved for
    this reason; other requests write nothing. Idle sign-out therefore comes between
    SESSION_COOKIE_AGE minus SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the last request."""

    KEY = "_alive_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and session.get(SESSION_KEY):
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response
