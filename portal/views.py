"""The public portal's pages, without sign-in: the recognised bases (第十四条), the 公示 and online
objections (第十一条（五）), the objector's and the applicant's lookups, the downloads. Thin: fetch
through a selector, call a service, render or redirect.

The base list, a base's page and the downloads are kept in the cache (bases.cached) per query until
a base is recognised or revoked, so a visitor's request reads nothing from the database then. The
forms that take personal data or a code are throttled per client address (bases.client)."""

import functools

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from bases import cached
from bases import selectors as base_selectors
from bases.cached import CountedPaginator
from bases.client import client_ip_key
from bases.dates import cn_date
from bases.public_fields import PUBLIC_BASE_FIELDS
from bases.uploads import upload_refusal
from bases.views import kept_for_visitors, too_many_requests
from bases.widgets import Select
from reviews import selectors as review_selectors
from reviews import services as review_services

from . import downloads
from .filters import PublicBaseFilter
from .forms import LookupForm, PublicObjectionForm

PAGE_SIZE = 20
# Per client address and hour: objections filed, lookups tried (a 查询码 cannot be guessed in them).
OBJECTION_RATE = "5/h"
LOOKUP_RATE = "20/h"


# --- Recognised bases ----------------------------------------------------------------------------


def _query(request) -> list:
    return sorted((key, values) for key, values in request.GET.lists() if key != "page")


@require_GET
@functools.partial(kept_for_visitors, "public-base-list")
def base_list(request):
    """The recognised bases, revoked ones among them (已撤销), with filters, search and pages."""

    def content():
        filterset = PublicBaseFilter(request.GET or None, queryset=base_selectors.public_bases())
        # The page offers what there is to choose from; the API takes the same parameters typed.
        years = [(str(year), f"{year}年") for year in base_selectors.public_base_years()]
        widgets = {
            "year": [("", "全部年度"), *years],
            "county": [("", "全部"), *((c.name, c.name) for c in base_selectors.counties())],
            "industry": [("", "全部行业"), *((i.name, i.name) for i in base_selectors.all_industries())],
        }
        for name, choices in widgets.items():
            filterset.form.fields[name].widget = Select(choices=choices)
        fields = [filterset.form[name] for name in PublicBaseFilter.ON_THE_PAGE]
        query = urlencode(_query(request), doseq=True)
        if filterset.form.is_bound and not filterset.is_valid():
            return render_to_string("portal/_base_results.html", {"fields": fields, "page": None, "query": query})
        page = CountedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [(row, [(f, f.display(row)) for f in PUBLIC_BASE_FIELDS]) for row in page.object_list]
        return render_to_string(
            "portal/_base_results.html",
            {"fields": fields, "page": page, "rows": rows, "query": query, "columns": PUBLIC_BASE_FIELDS},
        )

    results = cached.fragment("public-base-list", sorted(request.GET.lists()), content)
    return render(request, "portal/base_list.html", {"results": results})


@require_GET
@functools.partial(kept_for_visitors, "public-base")
def base_detail(request, public_id):
    """One base as the public may know it: its public fields, the revocation date once revoked."""
    row = cached.kept(
        "public-base", str(public_id), lambda: base_selectors.public_bases().filter(public_id=public_id).first()
    )
    if row is None:
        raise Http404
    revoked = row["status"] == "revoked"
    shown = [(f.label, f.display(row)) for f in PUBLIC_BASE_FIELDS if f.name != "revoked_on" or revoked]
    return render(request, "portal/base_detail.html", {"row": row, "shown": shown, "revoked": revoked})


@require_GET
def base_download(request, fmt):
    """The public list, filtered as the page and the API are, as CSV or Excel (every matching row)."""
    filterset = PublicBaseFilter(request.GET or None, queryset=base_selectors.public_bases())
    if filterset.form.is_bound and not filterset.is_valid():
        return HttpResponse("筛选条件有误，请返回列表页修改。", status=400, content_type="text/plain; charset=utf-8")
    write = downloads.csv_bytes if fmt == "csv" else downloads.xlsx_bytes
    content = cached.kept(f"public-download-{fmt}", _query(request), lambda: write(list(filterset.qs)))
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(content, content_type=types[fmt])
    day = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="shaoxing-trade-secret-bases-{day}.{fmt}"'
    return response


# --- 公示 and objections ---------------------------------------------------------------------------


@require_GET
def publicity_list(request):
    """The current and past 公示, each with its period and the applications it lists."""
    page = Paginator(review_selectors.publicities_public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/publicity_list.html",
        {"page": page, "rows": review_selectors.public_publicity_rows(page.object_list)},
    )


def _render_publicity(request, publicity, *, form=None, status=200):
    row = review_selectors.public_publicity_rows([publicity])[0]
    open_for = [item for item in row.listed if item.in_publicity]
    if form is None and row.running:
        form = PublicObjectionForm(listed=open_for)
    return render(
        request,
        "portal/publicity_detail.html",
        {
            "row": row,
            "form": form if row.running else None,
            "objector_contact_days": settings.OBJECTOR_CONTACT_RETENTION_DAYS,
            "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        },
        status=status,
    )


@require_GET
def publicity_detail(request, pk):
    return _render_publicity(request, get_object_or_404(review_selectors.publicities_public(), pk=pk))


@never_cache
@ratelimit(key=client_ip_key, rate=OBJECTION_RATE, method="POST", block=False)
@require_POST
def objection_file(request, pk):
    """An objection filed online while the 公示 runs; answered with its reference and a 查询码 shown
    once (in the message on the lookup page it leads to)."""
    if getattr(request, "limited", False):
        return too_many_requests(request)
    publicity = get_object_or_404(review_selectors.publicities_public(), pk=pk)
    row = review_selectors.public_publicity_rows([publicity])[0]
    open_for = [item for item in row.listed if item.in_publicity]
    form = PublicObjectionForm(request.POST, request.FILES, listed=open_for, refusal=upload_refusal(request))
    if not row.running:
        return _render_publicity(request, publicity, status=400)
    if form.is_valid():
        data = form.cleaned_data
        application = review_selectors.applications_in_publicity(publicity).filter(pk=data["application"]).first()
        try:
            if application is None:  # left the 公示 since the page was shown
                raise ValidationError("该申报已不在公示中，不能再对其提出异议。")
            objection, code = review_services.objection_file_online(
                publicity=publicity,
                application=application,
                name=data["name"],
                organisation=data["organisation"],
                phone=data["phone"],
                email=data["email"],
                reasons=data["reasons"],
                evidence=data["evidence"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"您的异议已收到（{cn_date(objection.received_on)}）。异议编号：{objection.reference}；"
                f"查询码：{code}。查询码只显示这一次，请抄录或截图保存；凭异议编号和查询码可在本页查看书面答复。",
            )
            return redirect(reverse("portal:objection-lookup") + "?" + urlencode({"reference": objection.reference}))
    return _render_publicity(request, publicity, form=form, status=413 if form.refusal else 400)


# --- Lookups -------------------------------------------------------------------------------------------

UNKNOWN = "编号或查询码不正确，请核对后重试。"


@never_cache
@ratelimit(key=client_ip_key, rate=LOOKUP_RATE, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def objection_lookup(request):
    """The objector reads the written reply with the reference number and the 查询码."""
    if getattr(request, "limited", False):
        return too_many_requests(request)
    form = LookupForm(
        request.POST or None,
        initial={"reference": request.GET.get("reference", "")[:40]},
        reference_label="异议编号",
        code_help="提交异议时显示的12位查询码",
    )
    objection = None
    if request.method == "POST" and form.is_valid():
        objection = review_selectors.objection_by_lookup(form.cleaned_data["reference"], form.cleaned_data["code"])
        if objection is None:
            form.add_error(None, UNKNOWN)
    return render(
        request,
        "portal/objection_lookup.html",
        {"form": form, "objection": objection},
        status=400 if request.method == "POST" and objection is None else 200,
    )


@never_cache
@ratelimit(key=client_ip_key, rate=LOOKUP_RATE, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def progress_lookup(request):
    """办件进度查询: by the reference number and the 查询码 of the 申报回执; the steps with their dates,
    the office that has the application now and the next step."""
    if getattr(request, "limited", False):
        return too_many_requests(request)
    form = LookupForm(request.POST or None, reference_label="申报编号", code_help="申报回执上的8位查询码")
    progress = None
    if request.method == "POST" and form.is_valid():
        application = base_selectors.application_by_lookup(form.cleaned_data["reference"], form.cleaned_data["code"])
        if application is None:
            form.add_error(None, UNKNOWN)
        else:
            progress = base_selectors.public_progress(application)
    return render(
        request,
        "portal/progress_lookup.html",
        {"form": form, "progress": progress},
        status=400 if request.method == "POST" and progress is None else 200,
    )
