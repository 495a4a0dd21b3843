"""Thin views of the review and of the pages that show an application with its review:
fetch via a selector, call a service, render or redirect.

A form posted from a larger page (guidance, acceptance record, upload, objection, statement …)
that fails validation re-renders that page with the bound form, its errors beside the fields
and the typed input kept (status 400); nothing is lost to a redirect."""

import functools
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from bases import permissions, spreadsheets
from bases import selectors as base_selectors
from bases import services as base_services
from bases.cached import CountedPaginator
from bases.choices import UPWARD_LEVELS as UPWARD_LEVEL_CHOICES
from bases.choices import AttachmentPurpose, OrganisationStatus, State
from bases.client import client_ip, client_ip_key
from bases.dates import cn_date
from bases.forms import AttachmentUploadForm, SignedFormUploadForm
from bases.forms_spec import SPECS
from bases.paper import paper_form
from bases.selectors import applications_for_user, current_batch, organisations_for_user
from bases.uploads import POST_MARGIN_BYTES, upload_refusal
from bases.validators import ATTACHMENT_ACCEPT
from bases.views import kept_for_visitors, messages_from, stored_download, too_many_requests, xlsx_download

from . import disclosure, selectors, services
from .choices import ReportStatus, UpwardStatus
from .forms import (
    ACTION_FORMS,
    VERIFY_UPLOAD_MAX_BYTES,
    AcceptanceRecordForm,
    BaseServiceForm,
    BaseSupportForm,
    CandidateForm,
    DocumentCheckForm,
    GuidanceVisitForm,
    LiaisonEndForm,
    LiaisonForm,
    ObjectionAnswerForm,
    ObjectionForm,
    ObjectionReplyForm,
    PublicityForm,
    RecognitionForm,
    RevocationCloseForm,
    RevocationNoticeForm,
    RevocationStatementForm,
    UpwardDecisionForm,
    UpwardFilterForm,
    UpwardOpenForm,
    UpwardOutcomeForm,
    YearlyReportForm,
    YearlyReportReviewForm,
    YearlyReportRevocationForm,
)

# --- Start page and the application page ------------------------------------------------------------


@functools.partial(kept_for_visitors, "public-home")
def _home_public(request):
    return render(request, "reviews/home_public.html", {"specs": SPECS.values()})


@require_GET
def home(request):
    """Anonymous visitors see what the platform is (the same page for all of them, kept); signed-in users
    their own start page."""
    if not request.user.is_authenticated:
        return _home_public(request)
    user = request.user
    total, queues = base_selectors.application_counts(user)
    batch = current_batch()
    # A county's own deadline for its county-level bases (第十七条), for its staff and its applicants.
    county_id = user.county_id or (user.organisation.county_id if user.organisation_id else None)
    context = {
        "batch": batch,
        "county_rules": base_selectors.county_level_rules(batch=batch, county_id=county_id)
        if batch and county_id
        else None,
        "recent": base_selectors.applications_listed(applications_for_user(user))[:10],
        "total": total,
        "pending_organisations": base_selectors.pending_organisations_count(user),
        "upward_waiting": selectors.upward_waiting_count(user),
        "queues": queues,
        "notifications": selectors.notifications_for_user(user)[:5],
    }
    return render(request, "reviews/home.html", context)


def _render_detail(request, application, *, status=200, **bound):
    """The application page: form, self-assessment, evidence, progress, actions, review, history.
    `bound` replaces a small form by the bound one that failed, so its errors and input show."""
    user = request.user
    log = selectors.application_log_for(application, user)
    attachments = list(application.attachments.all())
    evidence = [a for a in attachments if a.purpose == AttachmentPurpose.EVIDENCE]
    editable = permissions.can_edit_application(application, user)
    evidenced = {a.condition_code for a in evidence}
    chosen = request.GET.get("condition") or next(
        (c.code for c in application.spec.conditions if c.code not in evidenced), ""
    )
    review = selectors.review_context(application, user)
    actions = base_selectors.available_actions(application, user)
    open_case = next((case for case in review["revocation_cases"] if case.is_open), None)
    is_applicant = permissions.is_applicant_of(application, user)
    may_notify_revocation = (
        application.state == State.RECOGNISED
        and open_case is None
        and permissions.is_acceptance_authority(application, user)
    )
    context = {
        "application": application,
        "spec": application.spec,
        "paper": paper_form(application),
        "signed_form": base_selectors.signed_form_check(application, attachments),
        "signed_form_upload": bound.get("signed_form_upload") or SignedFormUploadForm()
        if permissions.can_upload_signed_form(application, user)
        else None,
        "progress": base_selectors.application_progress(application, log),
        "results": application.condition_results(),
        "attachments": evidence,
        "statement_files": [a for a in attachments if a.purpose == AttachmentPurpose.STATEMENT],
        "editable": editable,
        "actions": [a for a in actions if not a.apart],
        "apart_actions": [a for a in actions if a.apart],
        "refused": base_selectors.refused_actions(application, user),
        "log": log,
        "documents": selectors.documents_of_application(application),
        **review,
        "open_case": open_case,
        "may_notify_revocation": may_notify_revocation,
        "may_close_case": open_case is not None and permissions.is_acceptance_authority(application, user),
        "statement_form": bound.get("statement_form", RevocationStatementForm())
        if open_case is not None and is_applicant and open_case.statement_at is None
        else None,
        "answer_forms": {
            o.pk: bound.get(f"answer_form_{o.pk}") or ObjectionAnswerForm(prefix=f"answer-{o.pk}")
            for o in review["objections"]
            if is_applicant and o.answerable and not o.resolved and not o.answered_at
        },
        "guidance_form": bound.get("guidance_form")
        or GuidanceVisitForm(application=application, initial={"officer": user.display_name})
        if review["may_log_guidance"]
        else None,
        "acceptance_form": bound.get("acceptance_form") or AcceptanceRecordForm(application=application)
        if review["may_record_acceptance"]
        else None,
        "upload_form": bound.get("upload_form")
        or AttachmentUploadForm(spec=application.spec, initial={"condition_code": chosen})
        if editable
        else None,
        "accept": ATTACHMENT_ACCEPT,
        "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "max_per_post": settings.ATTACHMENT_MAX_FILES_PER_POST,
        "usage": base_selectors.attachment_usage(application) if editable else None,
        "has_errors": bool(bound),
    }
    return render(request, "reviews/application_detail.html", context, status=status)


@login_required
@require_GET
def application_detail(request, pk):
    return _render_detail(request, get_object_or_404(applications_for_user(request.user), pk=pk))


# --- Workflow actions -------------------------------------------------------------------------------


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def application_action(request, pk, action):
    """The one endpoint for every workflow action. GET shows the action's form; POST runs it.

    Which actions exist, who may run them and what they ask for all come from the
    declaration in bases/workflow.py; this view only wires the form to the service. An action the
    user may take but whose conditions do not hold yet shows why, not a refusal of access.
    """
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    transition = base_services.declared_transition(application, action)
    if transition is None:
        raise Http404
    declared = transition.custom
    if not transition.has_perm(application, request.user):
        raise PermissionDenied(f"您无权对申报 {application.reference} 执行“{declared['label']}”。")
    if request.method == "POST" and _version(request) != application.version:
        try:  # a stale page or a double click: nothing is done twice
            base_services.check_version(application=application, version=_version(request))
        except base_services.StaleApplication as exc:
            messages_from(request, exc)
            return redirect("reviews:application-detail", pk=application.pk)
    refusals = []
    if transition.source != application.state:
        refusals = [f"申报当前为“{application.get_state_display()}”，不能执行“{declared['label']}”。"]
    else:
        refused = next(
            (r for r in base_selectors.refused_actions(application, request.user) if r.action.name == action), None
        )
        refusals = list(refused.reasons) if refused else []
    if request.method == "POST" and refusals and declared.get("form") is None and not declared.get("comment"):
        for reason in refusals:  # a plain button of the application page: say why there
            messages.error(request, reason)
        return _detail_anchor(application, "#actions")
    form_class = ACTION_FORMS[declared.get("form")]
    form = form_class(
        request.POST or None, application=application, user=request.user, declared=declared, action=action
    )
    if request.method == "POST" and not refusals and form.is_valid():
        try:
            base_services.application_transition(
                application=application,
                action=action,
                user=request.user,
                version=_version(request),
                comment=form.log_comment(),
                method_kwargs=form.method_kwargs(),
                effect_kwargs=form.effect_kwargs(),
                details=form.log_details(),
                ip=client_ip(request),
            )
        except base_services.StaleApplication as exc:
            messages_from(request, exc)
            return redirect("reviews:application-detail", pk=application.pk)
        except ValidationError as exc:
            if declared.get("form") is None and not transition.custom.get("comment"):
                messages_from(request, exc)  # a plain button on the application page: say why there
                return redirect(reverse("reviews:application-detail", args=[application.pk]) + "#actions")
            form.add_error(None, exc)
        else:
            application.refresh_from_db()
            done = f"“{declared['label']}”已办理，申报当前状态：{application.get_state_display()}。"
            messages.success(request, done + declared.get("done", ""))
            if declared.get("then") == "edit" and permissions.can_edit_application(application, request.user):
                return redirect("bases:application-edit", pk=application.pk)
            return redirect("reviews:application-detail", pk=application.pk)
    return render(
        request,
        "reviews/application_action.html",
        {
            "application": application,
            "form": form,
            "declared": declared,
            "action": action,
            "refusals": refusals,
            "case": getattr(form, "case", None),
        },
        status=400 if request.method == "POST" else 200,
    )


def _detail_anchor(application, anchor: str):
    return redirect(reverse("reviews:application-detail", args=[application.pk]) + anchor)


def _small_form_post(request, application, form, *, may: bool, name: str, anchor: str, run, done):
    """A small form of the application page. Whoever the page would not show the form to (`may`, the
    same predicate the page uses) is refused before anything is read; otherwise the service runs on
    the cleaned data: done, a message (`done(form)`) and back to the form's section; refused, the page
    again with the bound form under `name`, so its errors and what was typed show where it was typed."""
    if not may:
        raise PermissionDenied("您无权办理此事项。")
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done(form))
            return _detail_anchor(application, anchor)
    return _render_detail(request, application, status=400, **{name: form})


@login_required
@require_POST
def attachment_upload(request, pk):
    """Evidence files for a condition (or other material), several at once; a refused file is named
    with the reason and the others are kept."""
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    if not permissions.can_edit_application(application, request.user):
        raise PermissionDenied(permissions.EDIT_REFUSED)
    refusal = upload_refusal(request)
    form = AttachmentUploadForm(request.POST, request.FILES, spec=application.spec, refusal=refusal)
    if form.is_valid():
        saved, refused = 0, []
        for uploaded in request.FILES.getlist("file"):
            try:
                base_services.attachment_add(
                    application=application,
                    user=request.user,
                    uploaded=uploaded,
                    condition_code=form.cleaned_data["condition_code"],
                    ip=client_ip(request),
                )
                saved += 1
            except ValidationError as exc:
                refused += exc.messages  # each names its file
        if saved:
            messages.success(request, f"已上传 {saved} 个文件。")
        if not refused:
            return _detail_anchor(application, "#attachments")
        for message in refused:
            form.add_error("file", message)
    return _render_detail(request, application, status=413 if refusal else 400, upload_form=form)


@login_required
@require_POST
def signed_form_upload(request, pk):
    """The scan of the form the applicant printed after submitting, signed and sealed, with the
    校验码 printed on it; the county reviews it before recommending."""
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    if not permissions.can_upload_signed_form(application, request.user):
        raise PermissionDenied(permissions.SIGNED_FORM_REFUSED)
    return _small_form_post(
        request,
        application,
        SignedFormUploadForm(request.POST, request.FILES, refusal=upload_refusal(request)),
        may=True,
        name="signed_form_upload",
        anchor="#signed-form",
        run=lambda data: base_services.signed_form_add(
            application=application, user=request.user, uploaded=data["file"], code=data["code"], ip=client_ip(request)
        ),
        done=lambda form: f"已上传签章申报表扫描件（校验码 {form.cleaned_data['code']}），请等待县局审核。",
    )


@login_required
@require_POST
def guidance_add(request, pk):
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    return _small_form_post(
        request,
        application,
        GuidanceVisitForm(request.POST, application=application),
        may=permissions.can_log_guidance(application, request.user),
        name="guidance_form",
        anchor="#guidance",
        run=lambda data: services.guidance_add(
            application=application, user=request.user, ip=client_ip(request), **data
        ),
        done=lambda form: "已记录培育指导。",
    )


@login_required
@require_POST
def acceptance_record_add(request, pk):
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    return _small_form_post(
        request,
        application,
        AcceptanceRecordForm(request.POST, application=application),
        may=permissions.can_record_acceptance(application, request.user),
        name="acceptance_form",
        anchor="#acceptance",
        run=lambda data: services.acceptance_record_add(
            application=application, user=request.user, ip=client_ip(request), **data
        ),
        done=lambda form: f"已记录{form.instance.get_kind_display()}情况。",
    )


@login_required
@require_POST
def objection_answer(request, pk):
    """The applicant answers, in writing, an objection put to it (the objector is not named)."""
    objection = get_object_or_404(selectors.objections_put_to(request.user), pk=pk)
    return _small_form_post(
        request,
        objection.application,
        ObjectionAnswerForm(request.POST, prefix=f"answer-{objection.pk}"),
        may=permissions.is_applicant_of(objection.application, request.user),
        name=f"answer_form_{objection.pk}",
        anchor="#publicity",
        run=lambda data: services.objection_answer(
            objection=objection, user=request.user, ip=client_ip(request), **data
        ),
        done=lambda form: f"已提交对异议 {objection.reference} 的书面说明。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def candidate_create(request):
    """培育: a county registers a candidate of its county."""
    if not permissions.is_county_staff(request.user):
        raise PermissionDenied("培育对象由县局登记。")
    batch = current_batch()
    organisations = organisations_for_user(request.user).filter(status=OrganisationStatus.CONFIRMED)
    form = CandidateForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        if batch is None:
            form.add_error(None, "市局尚未设立申报批次。")
        else:
            try:
                application = services.candidate_register(
                    batch=batch, user=request.user, ip=client_ip(request), **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已登记培育对象 {application.reference}，可记录培育指导。")
                return redirect("reviews:application-detail", pk=application.pk)
    return render(request, "reviews/candidate_form.html", {"form": form, "batch": batch})


# --- Revocation (第十五条) -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def revocation_notice(request, pk):
    """撤销告知: the acceptance authority serves a recognised base the notice of intended revocation."""
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    if not permissions.is_acceptance_authority(application, request.user):
        raise PermissionDenied("撤销认定由认定机关办理。")
    base = get_object_or_404(base_selectors.bases_for_user(request.user), application=application)
    form = RevocationNoticeForm(request.POST or None, base=base)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.revocation_notice_serve(
                application=application, user=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已登记撤销告知，申报单位可于{cn_date(case.statement_due)}前陈述申辩。")
            return _detail_anchor(application, "#revocation")
    return render(
        request,
        "reviews/revocation_notice.html",
        {"application": application, "base": base, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def revocation_statement(request, pk):
    """陈述申辩: the organisation's written statement and evidence against an intended revocation."""
    case = get_object_or_404(selectors.revocation_cases_for_user(request.user), pk=pk)
    return _small_form_post(
        request,
        case.application,
        RevocationStatementForm(request.POST, request.FILES, refusal=upload_refusal(request)),
        may=permissions.is_applicant_of(case.application, request.user),
        name="statement_form",
        anchor="#revocation",
        run=lambda data: services.revocation_statement_submit(
            case=case,
            user=request.user,
            statement=data["statement"],
            files=request.FILES.getlist("files"),
            ip=client_ip(request),
        ),
        done=lambda form: "已提交陈述申辩意见，认定机关将在审查后作出决定。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def revocation_close(request, pk):
    """不予撤销: the authority ends the procedure and the base stays valid."""
    case = get_object_or_404(selectors.revocation_cases_for_user(request.user), pk=pk)
    if not permissions.is_acceptance_authority(case.application, request.user):
        raise PermissionDenied("撤销认定由认定机关办理。")
    form = RevocationCloseForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.revocation_case_close(case=case, user=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已决定不予撤销，基地认定继续有效。")
            return _detail_anchor(case.application, "#revocation")
    return render(
        request,
        "reviews/revocation_close.html",
        {"case": case, "application": case.application, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Publicity ------------------------------------------------------------------------------------


@login_required
@require_GET
def publicity_list(request):
    if not (permissions.is_city(request.user) or permissions.is_county_staff(request.user)):
        raise PermissionDenied
    page = Paginator(selectors.publicities_listed(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/publicity_list.html",
        {"page": page, "awaiting": base_selectors.accepted_awaiting_publicity(request.user).count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def publicity_open(request):
    """Open one 公示 for the accepted applications the user ticks (none is ticked in advance). A first
    POST shows what will be published, how many and which, and the computed period; the second,
    with `confirm`, opens it."""
    if not (permissions.is_city(request.user) or permissions.is_county_staff(request.user)):
        raise PermissionDenied
    candidates = [
        a
        for a in base_selectors.accepted_awaiting_publicity(request.user)
        if permissions.is_acceptance_authority(a, request.user)
    ]
    chosen = [a for a in candidates if str(a.pk) in request.POST.getlist("applications")]
    anchor = chosen[0] if chosen else (candidates[0] if candidates else None)
    # Bound on every POST, even one with no fields: an unbound form cannot take the error below.
    posted = request.POST if request.method == "POST" else None
    form = PublicityForm(posted, application=anchor, user=request.user, declared={}) if anchor else None
    if form is not None and chosen:
        form.working_days = services.publicity_working_days(chosen)
    confirming = False
    if request.method == "POST" and form is not None:
        if not chosen:
            form.add_error(None, "请至少勾选一份已批准的申报。")
        elif form.is_valid() and request.POST.get("confirm") == "1":
            try:
                publicity = services.publicity_open(
                    applications=[(a, _posted_version(request, a)) for a in chosen],
                    user=request.user,
                    ip=client_ip(request),
                    **form.effect_kwargs(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"已发起公示“{publicity.title}”，共 {len(chosen)} 份申报。")
                return redirect("reviews:publicity-detail", pk=publicity.pk)
        else:
            confirming = form.is_valid()
    return render(
        request,
        "reviews/publicity_open.html",
        {"candidates": candidates, "form": form, "chosen": chosen, "confirming": confirming},
        status=400 if request.method == "POST" and form is not None and form.errors else 200,
    )


def _posted_version(request, application) -> int | None:
    try:
        return int(request.POST.get(f"version_{application.pk}", ""))
    except ValueError:
        return None


def _publicity_or_404(request, pk):
    return get_object_or_404(selectors.publicities_for_user(request.user), pk=pk)


def _render_publicity(request, publicity, *, status=200, objection_form=None, recognition_form=None):
    applications = list(publicity.applications.all())
    pending = [a for a in applications if a.state == State.IN_PUBLICITY]
    manages = permissions.may_manage_publicity(publicity, request.user)
    running = bool(pending) and not publicity.has_ended()
    recognisable = bool(pending) and publicity.has_ended() and manages
    return render(
        request,
        "reviews/publicity_detail.html",
        {
            "publicity": publicity,
            "applications": applications,
            "pending": pending,
            "objections": list(publicity.objections.all()),
            "objection_form": objection_form or ObjectionForm(publicity=publicity) if running and manages else None,
            "objector_contact_days": settings.OBJECTOR_CONTACT_RETENTION_DAYS,
            "recognition_form": recognition_form
            or RecognitionForm(application=pending[0], user=request.user, declared=_RECOGNISE, action="recognise")
            if recognisable
            else None,
            "may_close": manages and publicity.closed_at is None and publicity.has_ended() and bool(pending),
            "documents": selectors.documents_of_publicity(publicity),
            "today": timezone.localdate(),
        },
        status=status,
    )


_RECOGNISE = {"label": "发文认定", "date": "recognised_on"}


@login_required
@require_GET
def publicity_detail(request, pk):
    return _render_publicity(request, _publicity_or_404(request, pk))


@login_required
@require_POST
def publicity_close(request, pk):
    publicity = _publicity_or_404(request, pk)
    try:
        services.publicity_close(publicity=publicity, user=request.user)
        messages.success(request, "公示已结束。")
    except ValidationError as exc:
        messages_from(request, exc)
    return redirect("reviews:publicity-detail", pk=pk)


@login_required
@require_POST
def publicity_recognise(request, pk):
    """Bulk: recognise every application of the 公示 with one document."""
    publicity = _publicity_or_404(request, pk)
    pending = list(selectors.applications_in_publicity(publicity))
    if not pending:
        messages.error(request, "该公示中没有待认定的申报。")
        return redirect("reviews:publicity-detail", pk=pk)
    form = RecognitionForm(
        request.POST, application=pending[0], user=request.user, declared=_RECOGNISE, action="recognise"
    )
    if form.is_valid():
        try:
            done = services.publicity_recognise(
                publicity=publicity, user=request.user, ip=client_ip(request), **form.effect_kwargs()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, f"已发文认定 {len(done)} 个商业秘密保护基地（{form.cleaned_data['document_number']}）。"
            )
            return redirect("reviews:publicity-detail", pk=pk)
    return _render_publicity(request, publicity, status=400, recognition_form=form)


@login_required
@require_POST
def objection_add(request, pk):
    publicity = _publicity_or_404(request, pk)
    form = ObjectionForm(request.POST, publicity=publicity)
    if form.is_valid():
        try:
            objection = services.objection_add(
                publicity=publicity, user=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"已登记异议，编号 {objection.reference}；已请申报单位于{cn_date(objection.answer_due)}前书面说明。",
            )
            return redirect(reverse("reviews:publicity-detail", args=[pk]) + "#objections")
    return _render_publicity(request, publicity, status=400, objection_form=form)


@login_required
@require_GET
def objection_list(request):
    """异议处理: the objections to the 公示 the user manages, filed online and registered by staff in one
    queue (the channel marked), the pending ones unless all are asked for."""
    if not (permissions.is_city(request.user) or permissions.is_county_staff(request.user)):
        raise PermissionDenied
    show_all = request.GET.get("all") == "1"
    queryset = selectors.objection_queue(request.user, pending_only=not show_all)
    page = Paginator(queryset, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/objection_list.html",
        {"page": page, "show_all": show_all, "query": "all=1" if show_all else ""},
    )


@login_required
@require_GET
def objection_evidence(request, pk):
    """The evidence file of an online objection, to the staff who handle its 公示 only; always as a
    download named and typed after its content, as evidence of applications is."""
    objection = get_object_or_404(selectors.objections_for_user(request.user), pk=pk)
    if not objection.evidence:
        raise Http404
    return stored_download(
        objection.evidence, filename=objection.evidence_download_name, content_type=objection.evidence_content_type
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection_reply(request, pk):
    objection = get_object_or_404(selectors.objections_for_user(request.user), pk=pk)
    form = ObjectionReplyForm(request.POST or None, initial={"reply": objection.reply} if objection.reply else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_reply(objection=objection, user=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"异议 {objection.reference} 已答复。")
            return redirect(reverse("reviews:publicity-detail", args=[objection.publicity_id]) + "#objections")
    return render(
        request,
        "reviews/objection_reply.html",
        {"objection": objection, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Bases, diagram, notifications ---------------------------------------------


@login_required
@require_GET
def base_list(request):
    q = request.GET.get("q", "").strip()
    page = CountedPaginator(selectors.recognised_bases(request.user, q=q), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/base_list.html",
        {"page": page, "q": q, "may_export": permissions.is_bureau_staff(request.user)},
    )


@login_required
@require_GET
def base_export(request):
    """The register of recognised bases the user sees (the list page's, with its search) as a
    spreadsheet, revoked ones with their revocation, for the bureaus."""
    if not permissions.is_bureau_staff(request.user):
        raise PermissionDenied("只有市局和县局工作人员可以导出基地名册。")
    q = request.GET.get("q", "").strip()
    workbook = spreadsheets.xlsx(
        spreadsheets.Sheet(
            "基地名册",
            selectors.BASE_REGISTER_COLUMNS,
            selectors.base_register_rows(selectors.recognised_bases(request.user, q=q)),
        ),
        title="商业秘密保护基地名册",
    )
    today = timezone.localdate()
    return xlsx_download(
        request,
        workbook,
        what=f"基地名册（{q or '全部'}）",
        filename=f"商业秘密保护基地名册-{today:%Y%m%d}.xlsx",
        fallback=f"bases-{today:%Y%m%d}.xlsx",
    )


def _render_base(request, base, *, status=200, **support_forms):
    user = request.user
    staff = permissions.is_bureau_staff(user)
    may_support = permissions.may_record_support(base, user) and not base.is_revoked
    liaison = selectors.current_liaison(base) if may_support else None
    if may_support:
        support_forms.setdefault("support_form", BaseSupportForm(prefix="support"))
        support_forms.setdefault("service_form", BaseServiceForm(base=base, prefix="service"))
        if liaison is None:
            support_forms.setdefault("liaison_form", LiaisonForm(base=base, prefix="liaison"))
        else:
            support_forms.setdefault("liaison_end_form", LiaisonEndForm(item=liaison, prefix="liaison-end"))
    return render(
        request,
        "reviews/base_detail.html",
        {
            "base": base,
            "documents": selectors.documents_of_base(base),
            "upward": disclosure.for_reader(base.upward_recommendations.all(), "upward", user),
            "may_open_upward": permissions.is_county_of_base(base, user) and not base.is_revoked,
            "staff": staff,
            "reports": selectors.yearly_report_history(base) if staff else [],
            **(selectors.support_records(base) if staff else {}),
            "liaison": liaison,
            **support_forms,
        },
        status=status,
    )


@login_required
@require_GET
def base_detail(request, pk):
    base = get_object_or_404(selectors.recognised_bases(request.user), pk=pk)
    return _render_base(request, base)


# --- 第三条（四）, 第十六条（三）: upward recommendations -----------------------------------------------------


@login_required
@require_GET
def upward_list(request):
    """The recommendations upwards the bureau works on (the city all, a county its own bases'),
    filtered by stage, level and (for the city) county."""
    user = request.user
    if not permissions.is_bureau_staff(user):
        raise PermissionDenied("向上推荐由县局和市局办理。")
    form = UpwardFilterForm(request.GET or None, city=permissions.is_city(user))
    chosen = form.cleaned_data if form.is_valid() else {}
    county = chosen.get("county")
    queryset = selectors.upward_listed(
        user, status=chosen.get("status", ""), level=chosen.get("level", ""), county_id=county.pk if county else None
    )
    page = CountedPaginator(queryset, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reviews/upward_list.html",
        {"page": page, "form": form, "query": query.urlencode()},
        status=200 if not form.is_bound or form.is_valid() else 400,
    )


def _upward_levels(base) -> list[tuple[str, str]]:
    taken = selectors.upward_levels_taken(base)
    return [(level.value, level.label) for level in UPWARD_LEVEL_CHOICES if level.value not in taken]


@login_required
@require_http_methods(["GET", "POST"])
def upward_open(request, pk):
    """初审推荐: the base's county bureau recommends it to provincial or national level."""
    base = get_object_or_404(selectors.recognised_bases(request.user), pk=pk)
    if not permissions.is_county_of_base(base, request.user):
        raise PermissionDenied("向上推荐由基地所在地县局初审推荐。")
    refusal = selectors.upward_refusal(base)
    levels = _upward_levels(base)
    if request.method == "POST":
        form = UpwardOpenForm(request.POST, request.FILES, base=base, levels=levels, refusal=upload_refusal(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = services.upward_recommendation_open(
                    base=base,
                    user=request.user,
                    level=data["level"],
                    county_on=data["county_on"],
                    opinion=data["opinion"],
                    files=data["files"],
                )
            except ValidationError as exc:
                _errors_onto(form, exc)
            else:
                messages.success(request, f"已初审推荐至市局（{item.get_level_display()}），市局审核后推荐上报。")
                return redirect("reviews:upward-detail", pk=item.pk)
        status = 413 if form.refusal else 400
    else:
        form = UpwardOpenForm(base=base, levels=levels) if not refusal else None
        status = 200
    return render(request, "reviews/upward_open.html", {"base": base, "form": form, "refusal": refusal}, status=status)


def _errors_onto(form, exc: ValidationError) -> None:
    """A service's refusal beside the field it is about (when the form has it), else above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _render_upward(request, item, *, status=200, decision_form=None, outcome_form=None):
    user = request.user
    city = permissions.is_city(user)
    may_decide = city and item.status == UpwardStatus.COUNTY_RECOMMENDED
    may_record_outcome = city and item.status == UpwardStatus.CITY_RECOMMENDED
    if may_decide and decision_form is None:
        decision_form = UpwardDecisionForm(item=item, prefix="decision", initial={"version": item.version})
    if may_record_outcome and outcome_form is None:
        outcome_form = UpwardOutcomeForm(item=item, prefix="outcome", initial={"version": item.version})
    # A refused form the page no longer shows (the step was taken meanwhile, in another tab): its reason.
    refusals = [
        error
        for form, shown in ((decision_form, may_decide), (outcome_form, may_record_outcome))
        if form is not None and not shown
        for error in form.non_field_errors()
    ]
    return render(
        request,
        "reviews/upward_detail.html",
        {
            "item": item,
            "base": item.base,
            "log": selectors.upward_history(item),
            "decision_form": decision_form if may_decide else None,
            "outcome_form": outcome_form if may_record_outcome else None,
            "refusals": refusals,
        },
        status=status,
    )


@login_required
@require_GET
def upward_detail(request, pk):
    """One recommendation: its stages, opinions and documents, and the steps the viewer may take."""
    item = get_object_or_404(selectors.upward_recommendations_for_user(request.user), pk=pk)
    return _render_upward(request, item)


def _upward_post(request, pk, form_class, name, run, done):
    item = get_object_or_404(selectors.upward_recommendations_for_user(request.user), pk=pk)
    if not permissions.is_city(request.user):
        raise PermissionDenied("推荐上报和评审结果由市局办理。")
    refusal = upload_refusal(request)
    form = form_class(request.POST, request.FILES, item=item, prefix=name, refusal=refusal)
    if form.is_valid():
        try:
            run(item, form.cleaned_data)
        except ValidationError as exc:
            _errors_onto(form, exc)
        else:
            messages.success(request, done)
            return redirect("reviews:upward-detail", pk=item.pk)
    item.refresh_from_db()
    return _render_upward(request, item, status=413 if refusal else 400, **{f"{name}_form": form})


@login_required
@require_POST
def upward_decide(request, pk):
    """The city: 推荐上报 or 不予推荐 after the county's 初审推荐."""
    return _upward_post(
        request,
        pk,
        UpwardDecisionForm,
        "decision",
        lambda item, data: services.upward_recommendation_decide(item=item, user=request.user, **data),
        "已登记市局审核意见。",
    )


@login_required
@require_POST
def upward_outcome(request, pk):
    """The city records the outcome (获评 / 未获评) of a recommendation it recommended on."""
    return _upward_post(
        request,
        pk,
        UpwardOutcomeForm,
        "outcome",
        lambda item, data: services.upward_recommendation_outcome(item=item, user=request.user, **data),
        "已登记评审结果。",
    )


@login_required
@require_GET
def upward_document(request, pk):
    """A document of a step, to the bureaus' staff who see the recommendation only; always as a
    download named and typed after its content."""
    document = get_object_or_404(selectors.upward_documents_for_user(request.user), pk=pk)
    return stored_download(document.file, filename=document.download_name, content_type=document.content_type)


@require_GET
def workflow_diagram(request):
    """The procedure: the steps, what each state means and the transitions out of it, who may run them."""
    return render(
        request,
        "reviews/workflow.html",
        {"states": base_selectors.workflow_states(), "steps": base_selectors.procedure_steps()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_list(request):
    if request.method == "POST":
        services.notifications_mark_read(user=request.user)
        messages.success(request, "已全部标记为已读。")
        return redirect("reviews:notification-list")
    page = Paginator(selectors.notifications_for_user(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "reviews/notification_list.html", {"page": page})


# --- Issued documents: download (scoped) and public verification ---------------------------------------


@login_required
@require_GET
def document_download(request, pk):
    """An issued document as it was issued (the stored bytes, never made again), to whoever may see
    an application it concerns: the same scope as the application pages, 404 otherwise. Named in
    Chinese after what it is (RFC 5987 filename*)."""
    document = get_object_or_404(selectors.documents_for_user(request.user), pk=pk)
    return stored_download(document.file, filename=document.download_name, content_type="application/pdf")


VERIFY_THROTTLE = "20/h"  # uploads to compare, per client address


def _render_verify(request, document, *, form=None, check=None, status=200):
    return render(
        request,
        "reviews/document_verify.html",
        {
            "document": document,
            "state": selectors.document_status(document),
            "rows": document.facts.get("rows", []),
            "form": form or DocumentCheckForm(),
            "check": check,
        },
        status=status,
    )


# --- 打包下载申报表 ------------------------------------------------------------------------------------


def _render_bundles(request, *, status=200, error=""):
    return render(
        request,
        "reviews/form_bundle_list.html",
        {"bundles": selectors.form_bundles_for_user(request.user)[:20], "error": error},
        status=status,
    )


@csrf_protect
def _verify_upload(request, document):
    form = DocumentCheckForm(request.POST, request.FILES, refusal=upload_refusal(request))
    if not form.is_valid():
        return _render_verify(request, document, form=form, status=400)
    check = selectors.upload_check(document, form.cleaned_data["file"])
    return _render_verify(request, document, form=DocumentCheckForm(), check=check)


@csrf_exempt  # checked by _verify_upload, once the size is known to be small: the middleware would read the body
@ratelimit(key=client_ip_key, rate=VERIFY_THROTTLE, method="POST", block=False)
@require_http_methods(["GET", "POST"])
def document_verify(request, public_id):
    """The page a document's QR code opens, for anyone: what the document states, whether it is still
    valid (a revoked base's certificate: 已撤销, with the date), the SHA-256 of the file as issued,
    and a form to compare a file with it byte for byte (small, throttled per client address, the
    file only hashed and never kept). An unknown id is a plain 404."""
    document = get_object_or_404(selectors.document_for_verification(public_id))
    if request.method == "POST":
        if getattr(request, "limited", False):
            return too_many_requests(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > VERIFY_UPLOAD_MAX_BYTES + POST_MARGIN_BYTES:
            message = (
                f"上传的文件超过 {VERIFY_UPLOAD_MAX_BYTES // (1024 * 1024)} MB，不可能是本平台出具的文书，未予接收。"
            )
            return render(request, "413.html", {"message": message}, status=413)
        return _verify_upload(request, document)
    return _render_verify(request, document)


@login_required
@require_http_methods(["GET", "POST"])
def form_bundle_list(request):
    """The zips of printed forms the user asked for; a POST asks for one: the applications ticked in
    the list (`applications`), or every application of a 公示 (`publicity`)."""
    if not permissions.is_bureau_staff(request.user):
        raise PermissionDenied("申报表打包下载由县局和市局办理。")
    if request.method == "GET":
        return _render_bundles(request)
    publicity = None
    if request.POST.get("publicity"):
        publicity = get_object_or_404(selectors.publicities_for_user(request.user), pk=_int(request.POST["publicity"]))
    chosen = applications_for_user(request.user).filter(pk__in=[_int(v) for v in request.POST.getlist("applications")])
    try:
        bundle = services.form_bundle_request(user=request.user, applications=chosen, publicity=publicity)
    except ValidationError as exc:
        return _render_bundles(request, status=400, error="；".join(exc.messages))
    return redirect("reviews:form-bundle-detail", public_id=bundle.public_id)


def _int(value) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return 0
    return number if 0 < number < 2**63 else 0


@login_required
@require_GET
def form_bundle_detail(request, public_id):
    """A zip's progress: the page, or (format=json) what static/js/site.js polls until it is done."""
    bundle = get_object_or_404(selectors.form_bundles_for_user(request.user), public_id=public_id)
    if request.GET.get("format") == "json":
        download = reverse("reviews:form-bundle-download", args=[bundle.public_id]) if bundle.file else ""
        return JsonResponse(
            {
                "status": bundle.status,
                "label": bundle.get_status_display(),
                "done": bundle.done,
                "total": bundle.total,
                "finished": bundle.is_finished,
                "download": download,
            }
        )
    return render(request, "reviews/form_bundle_detail.html", {"bundle": bundle})


@login_required
@require_GET
def form_bundle_download(request, public_id):
    bundle = get_object_or_404(selectors.form_bundles_for_user(request.user), public_id=public_id)
    if not bundle.file:
        raise Http404
    return stored_download(bundle.file, filename=bundle.download_name, content_type="application/zip")


# --- 第十四条: yearly reports -------------------------------------------------------------------------------


REPORTS_PER_PAGE = 20  # each table of the yearly-report list


@login_required
@require_GET
def yearly_report_list(request):
    """The organisation: its bases' years to report on; a county: its bases' reports to review;
    the city: every report, and those overdue or failed (flagged)."""
    user = request.user
    if not (permissions.is_bureau_staff(user) or permissions.is_confirmed_applicant(user)):
        raise PermissionDenied
    today = timezone.localdate()
    reports = selectors.yearly_reports_for_user(user)
    openings = []
    if permissions.is_confirmed_applicant(user):
        filed = {(r.base_id, r.year): r for r in reports}
        for base in base_selectors.bases_for_user(user).filter(status="valid"):
            for year in reversed(selectors.report_years_open(base, today)):
                openings.append((base, year, filed.get((base.pk, year)), selectors.yearly_report_deadline(year)))
    # The bureaus list what was submitted (a base's draft is its own until then), and the city what
    # it must look at; each table has its own pages (thousands of bases report each year).
    submitted = reports.exclude(status=ReportStatus.DRAFT) if permissions.is_bureau_staff(user) else reports.none()
    return render(
        request,
        "reviews/yearly_report_list.html",
        {
            "openings": openings,
            "reports": Paginator(submitted.order_by("-year", "base__name", "pk"), REPORTS_PER_PAGE).get_page(
                request.GET.get("rpage")
            ),
            "flags": Paginator(selectors.yearly_report_flags(user, today=today), REPORTS_PER_PAGE).get_page(
                request.GET.get("fpage")
            ),
            "flags_query": urlencode({"rpage": request.GET["rpage"]}) if request.GET.get("rpage") else "",
            "reports_query": urlencode({"fpage": request.GET["fpage"]}) if request.GET.get("fpage") else "",
        },
    )


def _render_report(request, base, year, report, *, status=200, form=None, review_form=None, revocation_form=None):
    user = request.user
    editable = permissions.is_applicant_of_base(base, user) and (report is None or report.is_editable)
    reviewable = (
        report is not None
        and permissions.is_county_of_base(base, user)
        and report.status in ("submitted", "resubmitted")
    )
    revocable = (
        report is not None
        and bool(services.yearly_report_revocation_ground(report))
        and permissions.is_acceptance_authority(base.application, user)
    )
    if editable and form is None:
        initial = {name: getattr(report, name) for name in services.REPORT_FIELDS} if report else {}
        form = YearlyReportForm(initial={**initial, "version": report.version if report else 0})
    if reviewable and review_form is None:
        review_form = YearlyReportReviewForm(initial={"version": report.version})
    if revocable and revocation_form is None:
        revocation_form = YearlyReportRevocationForm()
    return render(
        request,
        "reviews/yearly_report.html",
        {
            "base": base,
            "year": year,
            "report": report,
            "deadline": selectors.yearly_report_deadline(year),
            "form": form if editable else None,
            "review_form": review_form if reviewable else None,
            "revocation_form": revocation_form if revocable else None,
            "log": list(report.log.select_related("actor")) if report else [],
        },
        status=status,
    )


def _report_of(request, pk, year):
    base = get_object_or_404(selectors.recognised_bases(request.user), pk=pk)
    return base, selectors.yearly_reports_for_user(request.user).filter(base=base, year=year).first()


@login_required
@require_http_methods(["GET", "POST"])
def yearly_report(request, pk, year):
    """One base's report on one year: the organisation fills and submits it; staff read it, and the
    county reviews it (the review form posts to yearly-report-review)."""
    base, report = _report_of(request, pk, year)
    if report is None and not permissions.is_applicant_of_base(base, request.user):
        raise Http404
    if request.method == "GET":
        return _render_report(request, base, year, report)
    if not permissions.is_applicant_of_base(base, request.user):
        raise PermissionDenied("年度报告由基地所在单位填报。")
    form = YearlyReportForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            report = services.yearly_report_file(
                base=base, user=request.user, year=year, version=version, data=data, submit="submit" in request.POST
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "年度报告已提交，等待县局审核。" if report.submitted_at else "已保存。")
            return redirect("reviews:yearly-report", pk=base.pk, year=year)
    return _render_report(request, base, year, report, status=400, form=form)


@login_required
@require_POST
def yearly_report_review(request, pk):
    report = get_object_or_404(selectors.yearly_reports_for_user(request.user), pk=pk)
    if not permissions.is_county_of_base(report.base, request.user):
        raise PermissionDenied("年度报告由基地所在地县局审核。")
    form = YearlyReportReviewForm(request.POST)
    if form.is_valid():
        try:
            services.yearly_report_review(report=report, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已登记审核结果。")
            return redirect("reviews:yearly-report", pk=report.base_id, year=report.year)
    return _render_report(request, report.base, report.year, report, status=400, review_form=form)


@login_required
@require_POST
def yearly_report_revocation(request, pk):
    """The acceptance authority opens the revocation procedure a report calls for."""
    report = get_object_or_404(selectors.yearly_reports_for_user(request.user), pk=pk)
    if not permissions.is_acceptance_authority(report.base.application, request.user):
        raise PermissionDenied("撤销认定由认定机关办理。")
    form = YearlyReportRevocationForm(request.POST)
    if form.is_valid():
        try:
            case = services.yearly_report_revocation_open(
                report=report, user=request.user, served_on=form.cleaned_data["served_on"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已送达撤销告知，申报单位可于{cn_date(case.statement_due)}前陈述申辩。")
            return _detail_anchor(report.base.application, "#revocation")
    return _render_report(request, report.base, report.year, report, status=400, revocation_form=form)


# --- 第十六条: incentives and services ---------------------------------------------------------------------


SUPPORT_PREFIXES = {
    "support_form": "support",
    "service_form": "service",
    "liaison_form": "liaison",
    "liaison_end_form": "liaison-end",
}


def _support_post(request, pk, form_class, run, done, name, **form_kwargs):
    base = get_object_or_404(selectors.recognised_bases(request.user), pk=pk)
    if not permissions.may_record_support(base, request.user):
        raise PermissionDenied("由基地所在地县局或市局登记。")
    kwargs = {key: value(base) for key, value in form_kwargs.items()}
    form = form_class(request.POST, prefix=SUPPORT_PREFIXES[name], **kwargs)
    if form.is_valid():
        try:
            run(base, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("reviews:base-detail", kwargs={"pk": base.pk}) + "#support")
    return _render_base(request, base, status=400, **{name: form})


@login_required
@require_POST
def base_support_add(request, pk):
    return _support_post(
        request,
        pk,
        BaseSupportForm,
        lambda base, data: services.base_support_add(base=base, user=request.user, **data),
        "已登记资金扶持或奖励。",
        "support_form",
    )


@login_required
@require_POST
def base_service_add(request, pk):
    return _support_post(
        request,
        pk,
        BaseServiceForm,
        lambda base, data: services.base_service_add(base=base, user=request.user, **data),
        "已登记服务记录。",
        "service_form",
        base=lambda base: base,
    )


@login_required
@require_POST
def liaison_add(request, pk):
    return _support_post(
        request,
        pk,
        LiaisonForm,
        lambda base, data: services.liaison_designate(base=base, user=request.user, **data),
        "已确定为重点企业联系单位。",
        "liaison_form",
        base=lambda base: base,
    )


@login_required
@require_POST
def liaison_end(request, pk):
    return _support_post(
        request,
        pk,
        LiaisonEndForm,
        lambda base, data: services.liaison_end(
            item=selectors.current_liaison(base), user=request.user, ended_on=data["ended_on"]
        ),
        "已结束重点企业联系单位的确定，记录保留。",
        "liaison_end_form",
        item=lambda base: selectors.current_liaison(base) or _no_liaison(),
    )


def _no_liaison():
    raise Http404
