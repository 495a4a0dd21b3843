"""Thin views of the targets and statistics: the dashboard and its charts, the downloads (附件1 with
what was done, a county's yearly summary, the 附件1 template), setting and importing the targets,
and the 贯标企业 register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from bases import spreadsheets
from bases.cached import CountedPaginator
from bases.views import xlsx_download

from . import annex, charts, permissions, selectors, services
from .choices import KINDS, TargetKind
from .forms import (
    StandardEnterpriseFilterForm,
    StandardEnterpriseForm,
    TargetFormSet,
    TargetImportForm,
    TargetRowForm,
    YearForm,
)

PAGE_SIZE = 30


def _staff_only(user):
    if not permissions.may_view_statistics(user):
        raise PermissionDenied("统计分析仅供市局和县局工作人员使用。")


def _admin_only(user):
    if not permissions.may_set_targets(user):
        raise PermissionDenied("年度建设任务由市局系统管理员下达。")


def _bad_year(request, form):
    return render(request, "400.html", {"message": " ".join(form.errors.get("year", []))}, status=400)


def _year(request, years) -> tuple[YearForm, int | None]:
    """The `year` of the query string (this year when none is asked), validated: None if invalid."""
    data = request.GET if "year" in request.GET else {"year": str(timezone.localdate().year)}
    form = YearForm(data, years=years)
    return form, form.cleaned_data["year"] if form.is_valid() else None


# --- The dashboard -------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request):
    """统计分析: for the user's counties and a year, targets against what was done, the goals of the
    planning period, the applications by state and the guidance visits; each chart with its table."""
    _staff_only(request.user)
    form, year = _year(request, selectors.target_years())
    board = selectors.dashboard(request.user, year) if year is not None else None
    return render(
        request,
        "targets/dashboard.html",
        {
            "form": form,
            "board": board,
            "year": year,
            "charts": CHART_TITLES,
            "revoked_rule": selectors.REVOKED_RULE,
            "may_set_targets": permissions.may_set_targets(request.user),
        },
        status=200 if board is not None else 400,
    )


CHART_TITLES = {
    "completion": "各区、县（市）年度任务完成率",
    "goals": "规划期目标进度",
    "funnel": "本年度批次申报的办理状态",
    "guidance": "各区、县（市）培育指导次数",
}


@login_required
@require_GET
def chart(request, name):
    """One chart of the dashboard as an SVG image (the page's <img>), drawn from the same figures."""
    _staff_only(request.user)
    if name not in CHART_TITLES:
        raise Http404
    _, year = _year(request, selectors.target_years())
    if year is None:
        return HttpResponse("年度无效。", status=400, content_type="text/plain; charset=utf-8")
    board = selectors.dashboard(request.user, year)
    svg = CHARTS[name](board, f"{year}年{CHART_TITLES[name]}")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"  # the picture never older than the table beside it
    return response


def _percent_text(cell) -> str:
    if cell.percent is None:
        return f"完成 {cell.done}（未下达任务）"
    return f"{cell.done} / {cell.target}（{cell.percent:g}%）"


def _completion_chart(board, title):
    groups = [
        charts.Group(
            row.label,
            [
                charts.Bar(KINDS[cell.kind].short, cell.percent or 0, _percent_text(cell), tone=index)
                for index, cell in enumerate(row.cells)
            ],
        )
        for row in ([*board.rows, board.total] if board.total else board.rows)
    ]
    return charts.bar_chart(title=title, groups=groups, reference=100, reference_label="100%", unit=100)


def _goals_chart(board, title):
    goals = board.goals
    if goals is None:
        return charts.bar_chart(title=title, groups=[charts.Group("尚未设定规划期目标", [])])
    bars = [
        charts.Bar(KINDS[cell.kind].short, cell.percent or 0, _percent_text(cell), tone=index)
        for index, cell in enumerate(goals.cells)
    ]
    label = f"“{goals.name}”（{goals.first_year}—{goals.last_year}年）累计至{goals.through}年"
    return charts.bar_chart(
        title=title, groups=[charts.Group(label, bars)], reference=100, reference_label="目标", unit=100
    )


def _funnel_chart(board, title):
    bars = [charts.Bar(step.label, step.count, str(step.count)) for step in board.funnel]
    return charts.bar_chart(title=title, groups=[charts.Group("", bars)], unit=5)


def _guidance_chart(board, title):
    bars = [
        charts.Bar(row.county.name, row.visits, f"{row.visits} 次，{row.candidates} 个对象", tone=1)
        for row in board.guidance
    ]
    return charts.bar_chart(title=title, groups=[charts.Group("", bars)], unit=5)


CHARTS = {
    "completion": _completion_chart,
    "goals": _goals_chart,
    "funnel": _funnel_chart,
    "guidance": _guidance_chart,
}


# --- Downloads -----------------------------------------------------------------------------------


@login_required
@require_GET
def annex_export(request):
    """附件1 with what was done: the user's counties as rows; per kind the target, the number done,
    the percentage and the revoked (apart); a 合计 row."""
    _staff_only(request.user)
    form, year = _year(request, selectors.target_years())
    if year is None:
        return _bad_year(request, form)
    board = selectors.dashboard(request.user, year)
    sheet = spreadsheets.Sheet(
        f"{year}年建设任务完成情况",
        selectors.annex_columns(board.kinds),
        [selectors.annex_row(row) for row in board.rows],
        totals=[selectors.annex_row(board.total)] if board.total else (),
    )
    title = f"{year}年各区、县（市）商业秘密保护基地建设任务完成情况"
    scope = "" if board.total else board.rows[0].label if board.rows else ""
    return xlsx_download(
        request,
        spreadsheets.xlsx(sheet, title=title),
        what=title,
        filename=f"{year}年{scope or '各区、县（市）'}商业秘密保护基地建设任务完成情况.xlsx",
        fallback=f"annex1-{year}.xlsx",
    )


@login_required
@require_GET
def county_summary_export(request, pk):
    """A county's yearly summary (第三条（五）) as a spreadsheet: its figures, and its bases recognised
    or revoked in the year. Another county's is not found (404), as any object out of scope."""
    _staff_only(request.user)
    county = get_object_or_404(selectors.counties_for_user(request.user), pk=pk)
    form, year = _year(request, selectors.target_years())
    if year is None:
        return _bad_year(request, form)
    summary = spreadsheets.Sheet(
        "年度汇总", selectors.SUMMARY_COLUMNS, selectors.county_summary(request.user, county, year)
    )
    bases = spreadsheets.Sheet(
        "认定与撤销的基地", selectors.BASES_OF_YEAR_COLUMNS, selectors.bases_of_year(county, year)
    )
    title = f"{county.name}{year}年商业秘密保护基地工作汇总"
    return xlsx_download(
        request,
        spreadsheets.xlsx(summary, bases, title=title),
        what=title,
        filename=f"{title}.xlsx",
        fallback=f"summary-{county.code}-{year}.xlsx",
    )


@login_required
@require_GET
def target_template(request):
    """附件1 of a year in the notice's own layout, with the targets set so far: the form to fill in
    and import."""
    _admin_only(request.user)
    form, year = _year(request, selectors.target_years())
    if year is None:
        return _bad_year(request, form)
    targets = selectors.targets_of_year(year)
    figures = [
        (county.name, {kind: targets.get((county.pk, kind.value)) for kind in TargetKind})
        for county in selectors.counties()
    ]
    content = annex.write(year, figures)
    return xlsx_download(
        request,
        spreadsheets.Workbook(content=content, rows=len(figures), personal=False),
        what="附件1模板",
        filename=f"附件1 {year}年各区、县（市）商业秘密保护基地建设任务.xlsx",
        fallback=f"annex1-template-{year}.xlsx",
    )


# --- Setting the targets -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request):
    """第十二条: the city's system administrator sets a year's targets, one row per county; a page
    with a mistake comes back with what was typed and the message beside the cell (nothing saved)."""
    _admin_only(request.user)
    years = selectors.target_years()
    source = request.POST if request.method == "POST" else request.GET
    year_form = YearForm(source if "year" in source else {"year": str(timezone.localdate().year)}, years=years)
    year = year_form.cleaned_data["year"] if year_form.is_valid() else None
    counties = list(selectors.counties())
    if request.method == "POST":
        formset = TargetFormSet(request.POST, prefix="targets")
        if year is not None and formset.is_valid():
            changed = services.targets_set(year=year, figures=formset.figures(), user=request.user)
            messages.success(request, f"已保存{year}年建设任务（{changed}项有变更）。")
            return redirect(reverse("targets:target-edit") + f"?year={year}")
    elif year is not None:
        targets = selectors.targets_of_year(year)
        formset = TargetFormSet(
            prefix="targets",
            initial=[
                {
                    "county": county,
                    **{TargetRowForm.field_name(kind): targets.get((county.pk, kind.value)) for kind in TargetKind},
                }
                for county in counties
            ],
        )
    else:
        formset = None
    names = {county.pk: county.name for county in counties}
    rows = []
    if formset is not None:
        for form in formset.forms:
            county_id = form["county"].value()
            rows.append((names.get(_int(county_id), "？"), form))
    return render(
        request,
        "targets/target_form.html",
        {"year_form": year_form, "year": year, "formset": formset, "rows": rows, "kinds": list(TargetKind)},
        status=400 if request.method == "POST" or year is None else 200,
    )


def _int(value):
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def target_import(request):
    """Import a year's targets from an 附件1 workbook: the whole file or nothing; each bad row named."""
    _admin_only(request.user)
    years = selectors.target_years()
    form = TargetImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        years=years,
        initial={"year": timezone.localdate().year},
    )
    if request.method == "POST" and form.is_valid():
        year, figures = form.cleaned_data["year"], form.cleaned_data["figures"]
        changed = services.targets_set(year=year, figures=figures, user=request.user)
        counties = len({county for county, _ in figures})
        messages.success(request, f"已导入{year}年建设任务：{counties}个区、县（市），{changed}项有变更。")
        return redirect(reverse("targets:target-edit") + f"?year={year}")
    return render(
        request,
        "targets/target_import.html",
        {"form": form, "year": timezone.localdate().year},
        status=400 if request.method == "POST" else 200,
    )


# --- The 贯标企业 register --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_list(request):
    """The register of 贯标企业 of the user's counties, and the form to enter one (附件1 备注)."""
    _staff_only(request.user)
    user = request.user
    filters = StandardEnterpriseFilterForm(
        request.GET, user=user, years=selectors.register_years(), auto_id="filter_%s"
    )
    chosen = filters.cleaned_data if filters.is_valid() else {}
    form = StandardEnterpriseForm(
        request.POST if request.method == "POST" else None,
        user=user,
        years=selectors.register_years(),
        initial={"year": timezone.localdate().year, "county": user.county_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.standard_enterprise_add(user=user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error("credit_code", exc)
        else:
            messages.success(
                request, f"已登记贯标企业“{enterprise.name}”，计入{enterprise.county}{enterprise.year}年。"
            )
            return redirect("targets:enterprise-list")
    queryset = selectors.standard_enterprises_search(
        user, year=chosen.get("year"), county=chosen.get("county"), q=chosen.get("q", "")
    )
    page = CountedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "targets/enterprise_list.html",
        {"filters": filters, "form": form, "page": page, "query": query.urlencode()},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_remove(request, pk):
    """Take an enterprise entered in error out of the register (asked first)."""
    enterprise = get_object_or_404(selectors.standard_enterprises_for_user(request.user), pk=pk)
    if request.method == "POST":
        services.standard_enterprise_remove(user=request.user, enterprise=enterprise)
        messages.success(request, f"已将“{enterprise.name}”移出贯标企业名册。")
        return redirect("targets:enterprise-list")
    return render(request, "targets/enterprise_remove.html", {"enterprise": enterprise})
