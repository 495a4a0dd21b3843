"""Thin views: fetch through a selector, call a service, render or redirect."""

import functools
import io
import re
from base64 import b32encode
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_otp import login as otp_login
from django_ratelimit.decorators import ratelimit

from . import cached, permissions, printing, selectors, services, spreadsheets, states
from .cached import CountedPaginator
from .choices import Level, OrganisationStatus, State
from .client import client_ip, client_ip_key
from .dates import cn_date
from .filters import ApplicationFilter
from .forms import (
    ApplicationCreateForm,
    CountyRulesForm,
    OrganisationDecisionForm,
    RegistrationOrganisationForm,
    RegistrationUserForm,
    SafePasswordResetForm,
    TwoFactorForm,
    application_form_class,
    mark_invalid,
)
from .forms_spec import SPECS, condition_of
from .qr import qr_svg_data_uri
from .rules import city_rules
from .services import StaleApplication, application_transition

PAGE_SIZE = 20


def messages_from(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def form_errors_to_messages(request, form) -> None:
    """For small forms posted from a larger page: their errors go back as messages, labelled."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else error)


# --- Public (no login) -------------------------------------------------------------------------------------


def kept_for_visitors(name: str, render_page):
    """A public page as a whole, kept (bases.cached) for visitors who are not signed in and have no
    message waiting: for them it is the same bytes whoever asks, until the cache's generation moves (a
    base, an application, … changes). Signed-in users get it rendered with their own header. The page
    must hold nothing made for one request (no CSRF token: no POST form)."""

    def wrapped(request, *args, **kwargs):
        personal = request.user.is_authenticated or {"messages", settings.SESSION_COOKIE_NAME} & set(request.COOKIES)
        if personal:
            return render_page(request, *args, **kwargs)
        parts = (request.path, sorted(request.GET.lists()))
        found = {}

        def rendered():
            response = render_page(request, *args, **kwargs)
            found["response"] = response
            return bytes(response.content) if response.status_code == 200 else None

        content = cached.kept(f"page:{name}", parts, rendered)
        if "response" in found:
            return found["response"]
        return HttpResponse(content)

    wrapped.__name__, wrapped.__doc__ = render_page.__name__, render_page.__doc__
    return wrapped


@require_GET
@functools.partial(kept_for_visitors, "conditions")
def conditions(request):
    """材料清单: each base type's conditions and the evidence to prepare, before anyone starts."""
    return render(request, "bases/conditions.html", {"specs": SPECS.values()})


@require_GET
def form_blank(request, base_type):
    """The blank form of a base type (附表1–3), for anyone: to prepare an application, or where the
    paper is still asked for."""
    if base_type not in SPECS:
        raise Http404
    printed = printing.blank_form_pdf(base_type)
    response = pdf_response(printed.content, printing.blank_filename(base_type), f"form-{base_type}.pdf")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def pdf_response(content: bytes, filename: str, fallback: str) -> HttpResponse:
    """A PDF as a download named `filename`: RFC 5987's filename* carries the Chinese name, and an
    ASCII `fallback` stands before it for clients that know only filename (RFC 6266)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", fallback)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def bench_trivial(request):
    """The floor `make bench` measures each page against; routed only when settings.BENCH is on."""
    return HttpResponse("ok")


@functools.cache
def redis_client(url: str):
    """One client (and its connection pool) per process and URL: a probe every few seconds from each
    load balancer reuses a connection instead of opening one. redis-py clients are thread-safe."""
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)


@never_cache
@require_GET
def healthz(request):
    """Liveness for the load balancer: the database and, when configured, Redis."""
    status, checks = 200, {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
        status = 503
    if settings.REDIS_URL:
        try:
            redis_client(settings.REDIS_URL).ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"error: {exc.__class__.__name__}"
            status = 503
    else:
        checks["redis"] = "not configured"
    return JsonResponse({"status": "ok" if status == 200 else "error", **checks}, status=status)


THROTTLED = "操作过于频繁，请稍后再试。如有疑问请联系所在地县市场监管局。"


@ratelimit(key=client_ip_key, rate="10/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def password_reset(request):
    """找回密码: the same answer whether or not the address belongs to an account (nothing is
    revealed about who has one), throttled per client address."""
    if getattr(request, "limited", False):
        return too_many_requests(request)
    return auth_views.PasswordResetView.as_view(form_class=SafePasswordResetForm)(request)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """动态口令: after the password, bureau staff and administrators enter the code of their
    authenticator app; the first time, they scan a QR code (or type the key) to set it up. A lost
    phone is reset by the security administrator (admin: TOTP devices)."""
    user = request.user
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not (
        next_url.startswith("/")
        and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure())
    ):
        next_url = ""  # back to a page of this site only (a path, never a name to look up)
    if not permissions.two_factor_pending(user):
        return redirect(next_url or "home")
    device = selectors.two_factor_device(user)
    setting_up = device is None
    if setting_up:
        device = services.two_factor_begin(user=user)
    form = TwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        checked = services.two_factor_check(user=user, token=form.cleaned_data["otp_token"], ip=client_ip(request))
        if checked is not None:
            otp_login(request, checked)
            if setting_up:
                messages.success(request, "动态口令已绑定。以后每次登录时，请在密码之后输入身份验证器显示的6位数字。")
            return redirect(next_url or "home")
        form.add_error("otp_token", "动态口令不正确或已过期，请输入验证器当前显示的6位数字。多次错误后需等待片刻再试。")
        mark_invalid(form)
    if form.errors:  # the one field takes the focus, its message read out with it (aria-describedby)
        form.fields["otp_token"].widget.attrs["autofocus"] = True
    context = {"form": form, "setting_up": setting_up, "next": next_url}
    if setting_up:
        context |= {
            # Drawn here (bases/qr.py), so the secret never leaves the server.
            "qr_code": qr_svg_data_uri(device.config_url),
            "secret": spaced(b32encode(device.bin_key).decode()),
        }
    return render(request, "registration/two_factor.html", context, status=400 if form.errors else 200)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_data(request):
    """我的个人信息: what the platform holds about the signed-in person; POST downloads it (JSON),
    and the download is recorded."""
    if request.method == "POST":
        data = services.personal_data_export(user=request.user, ip=client_ip(request))
        response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="personal-data-{request.user.pk}.json"'
        return response
    return render(request, "registration/my_data.html", {"data": selectors.personal_data_of(request.user)})


def spaced(key: str) -> str:
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def too_many_requests(request, exception=None):
    return render(request, "429.html", {"message": THROTTLED}, status=429)


@require_http_methods(["GET", "POST"])
@ratelimit(key=client_ip_key, rate="5/h", method="POST", block=False)
def register(request):
    """Self-registration of an applicant organisation; its county bureau confirms it. At most 5
    registrations an hour from one client address."""
    if request.user.is_authenticated:
        return redirect("home")
    if getattr(request, "limited", False):
        return too_many_requests(request)
    user_form = RegistrationUserForm(request.POST or None, prefix="user")
    org_form = RegistrationOrganisationForm(request.POST or None, prefix="org")
    if request.method == "POST" and user_form.is_valid() and org_form.is_valid():
        user = services.organisation_register(
            username=user_form.cleaned_data["username"],
            password=user_form.cleaned_data["password1"],
            email=user_form.cleaned_data["email"],
            last_name=user_form.cleaned_data["last_name"],
            organisation=org_form.save(commit=False),
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            f"注册成功。{user.organisation.name}正等待{user.organisation.county.bureau_name}确认，确认后即可申报。",
        )
        return redirect("home")
    return render(
        request,
        "registration/register.html",
        {"user_form": user_form, "org_form": org_form, "forms": (org_form, user_form)},
        status=400 if request.method == "POST" else 200,
    )


# --- Applications -------------------------------------------------------------------------------


def application_filterset(request) -> ApplicationFilter:
    """The application list's filter over the user's applications, as the query string asks: the one
    the list page shows and its spreadsheet exports."""
    queryset = selectors.applications_listed(selectors.applications_for_user(request.user))
    return ApplicationFilter(request.GET or None, queryset=queryset)


@login_required
@require_GET
def application_list(request):
    filterset = application_filterset(request)
    page = CountedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    # The filter bar is the same for everyone who asks the same query: kept rendered, unless it shows
    # the query's errors (then the template renders it with them).
    filter_bar = None
    if not filterset.form.errors:
        filter_bar = cached.fragment(
            "application-filters",
            sorted(query.lists()),
            lambda: render_to_string("bases/_application_filters.html", {"filter": filterset}),
        )
    return render(
        request,
        "bases/application_list.html",
        {
            "filter": filterset,
            "filter_bar": filter_bar,
            "page": page,
            "query": query.urlencode(),
            "may_export": permissions.is_bureau_staff(request.user),
        },
    )


@login_required
@require_GET
def application_export(request):
    """The application list as a spreadsheet, for the bureaus: the applications the list page shows
    for the same query string (same scope, filters, search and order; every page of it), with their
    current state. It holds the contacts' names and phones, so each download is recorded."""
    if not permissions.is_bureau_staff(request.user):
        raise PermissionDenied("只有市局和县局工作人员可以导出申报列表。")
    filterset = application_filterset(request)
    workbook = spreadsheets.xlsx(
        spreadsheets.Sheet(
            "申报列表",
            selectors.APPLICATION_EXPORT_COLUMNS,
            selectors.application_export_rows(filterset.qs),
        ),
        title="申报列表",
    )
    today = timezone.localdate()
    return xlsx_download(
        request,
        workbook,
        what=f"申报列表（{filter_summary(filterset)}）",
        filename=f"申报列表-{today:%Y%m%d}.xlsx",
        fallback=f"applications-{today:%Y%m%d}.xlsx",
    )


def filter_summary(filterset) -> str:
    """The filters a query string chose, as the record of an export names them."""
    chosen = []
    for name, value in (filterset.form.cleaned_data if filterset.is_bound else {}).items():
        if value in (None, ""):
            continue
        field = filterset.form.fields[name]
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            value = dict(field.choices).get(value, value)
        chosen.append(f"{field.label}：{value}")
    return "；".join(chosen) or "全部"


def stored_download(file, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download for the one who may read it: named `filename` (FileResponse writes
    RFC 5987's filename* for a Chinese name), typed `content_type`, never cached and never sniffed by the
    browser into something else."""
    response = FileResponse(file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_download(request, workbook, *, what: str, filename: str, fallback: str) -> FileResponse:
    """A spreadsheet as a download named in Chinese (RFC 6266 `filename*`, RFC 5987 encoding, with an
    ASCII name for old clients), never cached; recorded as a security event when it holds personal
    data (its columns say so)."""
    if workbook.personal:
        services.export_record(user=request.user, what=what, rows=workbook.rows, ip=client_ip(request))
    response = FileResponse(io.BytesIO(workbook.content), content_type=spreadsheets.XLSX_MIME)
    response["Content-Disposition"] = attachment_disposition(filename, fallback)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def attachment_disposition(filename: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request):
    if not permissions.is_confirmed_applicant(request.user):
        raise PermissionDenied("只有已确认的申报单位可以发起申报。")
    organisation = request.user.organisation
    batch = selectors.current_batch()
    # Bound on every POST, even one with no fields: an unbound form cannot take the error below.
    form = ApplicationCreateForm(request.POST if request.method == "POST" else None, organisation=organisation)
    existing = selectors.active_application(organisation=organisation, batch=batch) if batch else None
    if request.method == "POST" and batch is None:
        form.add_error(None, "市局尚未设立申报批次，暂不能申报。")
    elif request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                organisation=organisation,
                user=request.user,
                batch=batch,
                ip=client_ip(request),
                base_type=form.cleaned_data["base_type"],
                level=form.cleaned_data["level"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已创建申报草稿 {application.reference}，请填写申报表。")
            return redirect("bases:application-edit", pk=application.pk)
    specs = [SPECS[bt] for bt in organisation.allowed_base_types]
    return render(
        request,
        "bases/application_create.html",
        {
            "form": form,
            "batch": batch,
            "existing": existing,
            "specs": specs,
            "barred": organisation.reapply_ban_message(),
            # County-level applications follow the county's deadline where it made its own (第十七条).
            "county_rules": selectors.county_level_rules(batch=batch, county=organisation.county) if batch else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request, pk):
    """The online form. 保存草稿 keeps whatever is valid so far. While something is missing the
    form offers 保存并检查 (the submission rules applied, the gaps marked, nothing submitted);
    once nothing is, 提交申报 asks for confirmation and runs the declared submit transition.
    保存并上传证明材料 saves and goes on to the evidence."""
    application = get_object_or_404(selectors.applications_for_user(request.user), pk=pk)
    if not permissions.can_edit_application(application, request.user):
        raise PermissionDenied(f"申报 {application.reference} 当前为“{application.get_state_display()}”，不能修改。")
    form_class = application_form_class(application.base_type)
    returned = selectors.latest_return(application)
    flagged = [item["key"] for item in (returned.details.get("items", []) if returned else [])]
    if request.method == "GET":
        return _render_edit(request, application, form_class(instance=application, flagged=flagged), returned)
    intent = request.POST.get("intent", "save")
    if intent == "autosave":
        return _autosave(request, application, form_class)
    checking = intent in ("submit", "check")
    form = form_class(request.POST, instance=application, complete=checking, flagged=flagged)
    if form.is_valid():
        draft = form
    else:
        draft = form_class(request.POST, instance=application) if checking else None
        if draft is None or not draft.is_valid():
            return _render_edit(request, application, form, returned, status=400)
    try:
        saved = _save_draft(request, application, draft)
    except StaleApplication as exc:
        form.add_error(None, exc)
        return _render_edit(request, application, form, returned, status=409)
    if draft is not form:  # saved as a draft; the submission rules still find gaps, marked on the form
        data = request.POST.copy()
        data["version"] = saved.version
        checked = form_class(data, instance=saved, complete=True, flagged=flagged)
        checked.is_valid()
        return _render_edit(request, saved, checked, returned, status=400, saved=True)
    if intent == "upload":
        messages.success(request, f"已保存草稿（第{saved.version}版），请上传证明材料。")
        return redirect(reverse("reviews:application-detail", args=[saved.pk]) + "#upload")
    if intent == "save":
        messages.success(request, f"已保存草稿（第{saved.version}版）。")
        return redirect("bases:application-edit", pk=saved.pk)
    if intent == "check" or saved.submission_problems():
        messages.success(request, "已保存，申报表已填写完整。" + _left_to_do(saved))
        return redirect(reverse("reviews:application-detail", args=[saved.pk]) + "#actions")
    try:
        application_transition(
            application=saved, action="submit", user=request.user, version=saved.version, ip=client_ip(request)
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.warning(request, "申报表已保存，但暂不能提交：")
        messages_from(request, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        return redirect("reviews:application-detail", pk=saved.pk)
    next_step = states.next_step(State.SUBMITTED, saved.level)
    messages.success(
        request, f"申报 {saved.reference} 已提交，{next_step}。申报回执（含查询码）列在申报页面的“文书”中。"
    )
    return redirect("reviews:application-detail", pk=saved.pk)


def _save_draft(request, application, form, *, automatic=False):
    return services.application_save_draft(
        application=application,
        user=request.user,
        values=form.model_values(),
        self_assessment=form.self_assessment(),
        version=form.cleaned_data["version"],
        ip=client_ip(request),
        automatic=automatic,
    )


def _autosave(request, application, form_class):
    """The page saves the draft on its own while the user types (static/js/site.js): JSON, so the
    page can say so and carry the new version into the next save. Input that a draft cannot hold is
    left for the user's own 保存草稿, which shows where."""
    form = form_class(request.POST, instance=application)
    if not form.is_valid():
        return JsonResponse(
            {"saved": False, "message": f"有 {len(form.errors)} 处填写有误，本次未自动保存；点击“保存草稿”可查看。"},
            status=400,
        )
    try:
        saved = _save_draft(request, application, form, automatic=True)
    except StaleApplication as exc:
        return JsonResponse({"saved": False, "message": f"{exc}（未自动保存）"}, status=409)
    at = timezone.localtime().strftime("%H:%M")
    return JsonResponse(
        {"saved": True, "version": saved.version, "message": f"已于 {at} 自动保存（第{saved.version}版）。"}
    )


def _left_to_do(application) -> str:
    problems = application.submission_problems()
    if problems:
        return f"提交前还需完成 {len(problems)} 项（见下方清单）。"
    return "材料已齐全，请核对后点击“提交申报”。"


def _render_edit(request, application, form, returned=None, status=200, saved=False):
    return render(
        request,
        "bases/application_form.html",
        {
            "application": application,
            "spec": application.spec,
            "form": form,
            "returned": returned,
            "problems": application.submission_problems(),
            "saved": saved,
        },
        status=status,
    )


@login_required
@require_GET
def application_print(request, pk):
    """打印申报表: the application's form as it stands (附表1–3, PDF), for whoever may see the
    application, rendered once per content (bases/printing.py)."""
    application = get_object_or_404(selectors.applications_for_user(request.user), pk=pk)
    printed = printing.application_form_pdf(application)
    response = pdf_response(printed.content, printing.form_filename(application), f"{application.reference}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# --- Attachments --------------------------------------------------------------------------------


@login_required
@require_GET
def attachment_download(request, pk):
    """The only way to read an uploaded file: scoped by the selector, never by URL. Always as a
    download, named and typed after the content found at upload (a PDF uploaded as “报告.html” comes
    back as “报告.pdf”, application/pdf), and never sniffed by the browser into something else."""
    attachment = get_object_or_404(selectors.attachments_for_user(request.user), pk=pk)
    return stored_download(attachment.file, filename=attachment.download_name, content_type=attachment.content_type)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_delete(request, pk):
    attachment = get_object_or_404(selectors.attachments_for_user(request.user), pk=pk)
    application = attachment.application
    if not permissions.can_edit_application(application, request.user):
        raise PermissionDenied("该申报当前不能删除材料。")
    if request.method == "POST":
        services.attachment_delete(attachment=attachment, user=request.user, ip=client_ip(request))
        messages.success(request, f"已删除“{attachment.original_name}”。")
        return redirect(reverse("reviews:application-detail", args=[application.pk]) + "#attachments")
    return render(request, "bases/attachment_delete.html", {"attachment": attachment, "application": application})


# --- Organisations ------------------------------------------------------------------------------


@login_required
@require_GET
def organisation_list(request):
    if not (permissions.is_county_staff(request.user) or permissions.is_city(request.user)):
        raise PermissionDenied
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    queryset = selectors.organisations_search(request.user, status=status, q=q)
    page = CountedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "bases/organisation_list.html",
        {
            "page": page,
            "status": status,
            "statuses": OrganisationStatus.choices,
            "q": q,
            "query": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request, pk):
    organisation = get_object_or_404(selectors.organisations_for_user(request.user), pk=pk)
    can_confirm = permissions.can_confirm_organisation(organisation, request.user)
    form = OrganisationDecisionForm(request.POST or None) if can_confirm else None
    if request.method == "POST":
        if not can_confirm:
            raise PermissionDenied("该单位已处理，或您无权确认。")
        if form.is_valid():
            try:
                organisation = services.organisation_confirm(
                    organisation=organisation,
                    user=request.user,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                form.add_error("note", exc)
            else:
                messages.success(request, f"已将“{organisation.name}”标记为{organisation.get_status_display()}。")
                return redirect("bases:organisation-detail", pk=organisation.pk)
    return render(
        request,
        "bases/organisation_detail.html",
        {
            "organisation": organisation,
            "form": form,
            "applications": selectors.applications_for_user(request.user).filter(organisation=organisation),
            "users": selectors.organisation_users(organisation),
        },
    )


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    message = str(exception) if exception and str(exception) else "您无权访问该页面或执行该操作。"
    return render(request, "403.html", {"message": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


# --- A county's rules for its county-level bases (第十七条) ------------------------------------------


@login_required
@require_GET
def county_rules_list(request):
    """The counties' rules for the current batch: every county for the city's staff, its own for a
    county's; each with its own rules or the city's."""
    if not (permissions.is_county_staff(request.user) or permissions.is_city(request.user)):
        raise PermissionDenied
    batch = selectors.current_batch()
    rows = selectors.counties_with_rules(request.user, batch) if batch else []
    return render(request, "bases/county_rules_list.html", {"batch": batch, "rows": rows})


def _county_rules_scope(request, county_id: int, year: int):
    """The county and batch of the URL, or a 404 where the user may not see that county's rules
    (another county's staff, an applicant): the same answer as for a county that does not exist."""
    county, batch = selectors.county_and_batch(county_id=county_id, year=year)
    if county is None or batch is None or not permissions.may_view_county_rules(county, request.user):
        raise Http404
    return county, batch


@login_required
@require_http_methods(["GET", "POST"])
def county_rules_detail(request, county_id: int, year: int):
    """The rules a county's county-level applications of a batch follow, the city's beside them, and
    every change. The county's administrator makes them here as a copy of the city's (POST)."""
    county, batch = _county_rules_scope(request, county_id, year)
    may_manage = permissions.may_manage_county_rules(county, request.user)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied("只有本县局的县级规则管理员可以制定县级基地规则。")
        services.county_rules_copy(county=county, batch=batch, user=request.user, ip=client_ip(request))
        messages.success(request, f"已从市级标准复制{county.name}{batch.year}年度县级基地规则，请按本县制度修改。")
        return redirect("bases:county-rules-edit", county_id=county.pk, year=batch.year)
    county_rules = selectors.county_rules_of(county=county, batch=batch)
    city = city_rules(batch=batch, level=Level.COUNTY, county_name=county.name)
    rules = county_rules.rules() if county_rules else city
    return render(
        request,
        "bases/county_rules_detail.html",
        {
            "county": county,
            "batch": batch,
            "county_rules": county_rules,
            "rules": rules,
            "rows": _county_rules_rows(rules, city),
            "history": selectors.county_rules_history(county_rules) if county_rules else [],
            "counts": selectors.county_applications_under_rules(county=county, batch=batch),
            "may_manage": may_manage,
        },
    )


def _county_rules_rows(rules, city) -> list[dict]:
    """The rules as a table, each line with the city's beside it and whether the county's differs."""
    rows = [
        {"label": "县级申报截止日期", "value": cn_date(rules.deadline), "city": cn_date(city.deadline)},
        {
            "label": "公示期",
            "value": f"{rules.publicity_working_days}个工作日",
            "city": f"{city.publicity_working_days}个工作日",
        },
    ]
    for base_type, spec in SPECS.items():
        rows.append(
            {"label": f"{spec.form_number}表名", "value": rules.title(base_type), "city": city.title(base_type)}
        )
    for spec in SPECS.values():
        for threshold in spec.thresholds:
            article = condition_of(threshold.condition_code).article
            rows.append(
                {
                    "label": f"{article}{threshold.label}",
                    "value": threshold.words(rules.thresholds.get(threshold.key, threshold.value)),
                    "city": threshold.words(threshold.value),
                }
            )
    for row in rows:
        row["differs"] = row["value"] != row["city"]
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def county_rules_edit(request, county_id: int, year: int):
    """The county's administrator edits its rules; every change is kept with its reason."""
    county, batch = _county_rules_scope(request, county_id, year)
    if not permissions.may_manage_county_rules(county, request.user):
        raise PermissionDenied("只有本县局的县级规则管理员可以修改县级基地规则。")
    county_rules = selectors.county_rules_of(county=county, batch=batch)
    if county_rules is None:
        messages.info(request, "本县尚未制定本年度县级基地规则，请先从市级标准复制。")
        return redirect("bases:county-rules-detail", county_id=county.pk, year=batch.year)
    form = CountyRulesForm(request.POST if request.method == "POST" else None, county_rules=county_rules)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.county_rules_update(
                    county_rules=county_rules, user=request.user, ip=client_ip(request), **form.service_kwargs()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "县级基地规则已修改，修改记录已保存。已提交的申报仍按提交时的规则办理。")
                return redirect("bases:county-rules-detail", county_id=county.pk, year=batch.year)
        status = 400
    return render(
        request,
        "bases/county_rules_form.html",
        {"county": county, "batch": batch, "county_rules": county_rules, "form": form},
        status=status,
    )
