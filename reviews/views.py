"""Thin views of the review and of the pages that show an application with its review:
fetch via a selector, call a service, render or redirect."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bases import permissions
from bases import selectors as base_selectors
from bases import services as base_services
from bases.choices import OrganisationStatus, State
from bases.forms import AttachmentUploadForm
from bases.forms_spec import SPECS
from bases.selectors import applications_for_user, current_batch, organisations_for_user
from bases.validators import ATTACHMENT_ACCEPT
from bases.views import client_ip, form_errors_to_messages, messages_from

from . import selectors, services
from .forms import (
    ACTION_FORMS,
    AcceptanceRecordForm,
    CandidateForm,
    GuidanceVisitForm,
    ObjectionForm,
    ObjectionReplyForm,
    PublicityForm,
    RecognitionForm,
    UpwardOutcomeForm,
    UpwardRecommendationForm,
)

# --- Start page and the application page ------------------------------------------------------------


@require_GET
def home(request):
    """Anonymous visitors see what the platform is; signed-in users their own start page."""
    if not request.user.is_authenticated:
        return render(request, "reviews/home_public.html", {"specs": SPECS.values()})
    user = request.user
    applications = applications_for_user(user)
    context = {
        "batch": current_batch(),
        "recent": applications[:10],
        "total": applications.count(),
        "pending_organisations": base_selectors.pending_organisations_count(user),
        "queues": base_selectors.work_queues(user),
        "notifications": selectors.notifications_for_user(user)[:5],
    }
    return render(request, "reviews/home.html", context)


@login_required
@require_GET
def application_detail(request, pk):
    """An application with its form, self-assessment, evidence, progress, actions, review and history."""
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    attachments = list(application.attachments.all())
    editable = permissions.can_edit_application(application, request.user)
    evidenced = {a.condition_code for a in attachments}
    first_missing = next((c.code for c in application.spec.conditions if c.code not in evidenced), "")
    log = list(base_selectors.application_log(application))
    review = selectors.review_context(application, request.user)
    context = {
        "application": application,
        "spec": application.spec,
        "progress": base_selectors.application_progress(application, log),
        "results": application.condition_results(),
        "attachments": attachments,
        "editable": editable,
        "problems": application.submission_problems() if editable else [],
        "actions": base_selectors.available_actions(application, request.user),
        "log": log,
        **review,
        "guidance_form": GuidanceVisitForm(initial={"officer": request.user.display_name})
        if review["may_log_guidance"]
        else None,
        "acceptance_form": AcceptanceRecordForm() if review["may_record_acceptance"] else None,
        "upload_form": AttachmentUploadForm(spec=application.spec, initial={"condition_code": first_missing})
        if editable
        else None,
        "accept": ATTACHMENT_ACCEPT,
        "max_mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "reviews/application_detail.html", context)


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
    declaration in bases/workflow.py; this view only wires the form to the service.
    """
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    transition = base_services.declared_transition(application, action)
    if transition is None:
        raise Http404
    declared = transition.custom
    if not transition.has_perm(application, request.user):
        raise PermissionDenied(f"您无权对申报 {application.reference} 执行“{declared['label']}”。")
    form_class = ACTION_FORMS[declared.get("form")]
    form = form_class(request.POST or None, application=application, user=request.user, declared=declared)
    if request.method == "POST":
        if form.is_valid():
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
            except ValidationError as exc:
                messages_from(request, exc)
                if isinstance(exc, base_services.StaleApplication):
                    return redirect("reviews:application-detail", pk=application.pk)
            else:
                application.refresh_from_db()
                messages.success(
                    request, f"“{declared['label']}”已办理，申报当前状态：{application.get_state_display()}。"
                )
                return redirect("reviews:application-detail", pk=application.pk)
        elif declared.get("form") is None:
            form_errors_to_messages(request, form)
            return redirect("reviews:application-detail", pk=application.pk)
    elif not any(a.name == action for a in base_selectors.available_actions(application, request.user)):
        raise PermissionDenied(f"当前不能对申报 {application.reference} 执行“{declared['label']}”。")
    return render(
        request,
        "reviews/application_action.html",
        {"application": application, "form": form, "declared": declared, "action": action},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def guidance_add(request, pk):
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    form = GuidanceVisitForm(request.POST)
    if form.is_valid():
        try:
            services.guidance_add(
                application=application, user=request.user, ip=client_ip(request), **form.cleaned_data
            )
            messages.success(request, "已记录培育指导。")
        except ValidationError as exc:
            messages_from(request, exc)
    else:
        form_errors_to_messages(request, form)
    return redirect(reverse("reviews:application-detail", args=[pk]) + "#guidance")


@login_required
@require_POST
def acceptance_record_add(request, pk):
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    form = AcceptanceRecordForm(request.POST)
    if form.is_valid():
        services.acceptance_record_add(
            application=application, user=request.user, ip=client_ip(request), **form.cleaned_data
        )
        messages.success(request, f"已记录{form.instance.get_kind_display()}情况。")
    else:
        form_errors_to_messages(request, form)
    return redirect(reverse("reviews:application-detail", args=[pk]) + "#acceptance")


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


# --- Publicity ------------------------------------------------------------------------------------


@login_required
@require_GET
def publicity_list(request):
    if not (permissions.is_city(request.user) or permissions.is_county_staff(request.user)):
        raise PermissionDenied
    page = Paginator(selectors.publicities_for_user(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/publicity_list.html",
        {"page": page, "awaiting": base_selectors.accepted_awaiting_publicity(request.user).count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def publicity_open(request):
    """Bulk: open one 公示 for the accepted applications ticked on the page."""
    if not (permissions.is_city(request.user) or permissions.is_county_staff(request.user)):
        raise PermissionDenied
    candidates = [
        a
        for a in base_selectors.accepted_awaiting_publicity(request.user)
        if permissions.is_acceptance_authority(a, request.user)
    ]
    chosen = [a for a in candidates if str(a.pk) in request.POST.getlist("applications")]
    anchor = chosen[0] if chosen else (candidates[0] if candidates else None)
    form = PublicityForm(request.POST or None, application=anchor, user=request.user, declared={}) if anchor else None
    if request.method == "POST" and form is not None:
        if not chosen:
            messages.error(request, "请至少勾选一份验收通过的申报。")
        elif form.is_valid():
            try:
                versions = {a.pk: int(request.POST.get(f"version_{a.pk}", "0")) for a in chosen}
                publicity = services.publicity_open(
                    applications=[(a, versions[a.pk]) for a in chosen],
                    user=request.user,
                    ip=client_ip(request),
                    **form.effect_kwargs(),
                )
            except ValidationError as exc:
                messages_from(request, exc)
            else:
                messages.success(request, f"已发起公示“{publicity.title}”，共 {len(chosen)} 份申报。")
                return redirect("reviews:publicity-detail", pk=publicity.pk)
    return render(
        request,
        "reviews/publicity_open.html",
        {"candidates": candidates, "form": form, "chosen": {a.pk for a in chosen}},
    )


def _publicity_or_404(request, pk):
    return get_object_or_404(selectors.publicities_for_user(request.user), pk=pk)


@login_required
@require_GET
def publicity_detail(request, pk):
    publicity = _publicity_or_404(request, pk)
    applications = list(publicity.applications.all())
    pending = [a for a in applications if a.state == State.IN_PUBLICITY]
    return render(
        request,
        "reviews/publicity_detail.html",
        {
            "publicity": publicity,
            "applications": applications,
            "objections": list(publicity.objections.all()),
            "objection_form": ObjectionForm(publicity=publicity) if pending and not publicity.has_ended() else None,
            "recognition_form": RecognitionForm(application=pending[0], user=request.user, declared={})
            if pending and publicity.has_ended()
            else None,
            "today": timezone.localdate(),
        },
    )


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
    form = RecognitionForm(request.POST, application=pending[0], user=request.user, declared={})
    if form.is_valid():
        try:
            done = services.publicity_recognise(
                publicity=publicity, user=request.user, ip=client_ip(request), **form.effect_kwargs()
            )
        except ValidationError as exc:
            messages_from(request, exc)
        else:
            messages.success(
                request, f"已发文认定 {len(done)} 个商业秘密保护基地（{form.cleaned_data['document_number']}）。"
            )
    else:
        form_errors_to_messages(request, form)
    return redirect("reviews:publicity-detail", pk=pk)


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
            messages.success(request, f"已登记异议，编号 {objection.reference}。")
        except ValidationError as exc:
            messages_from(request, exc)
    else:
        form_errors_to_messages(request, form)
    return redirect(reverse("reviews:publicity-detail", args=[pk]) + "#objections")


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
    return render(request, "reviews/objection_reply.html", {"objection": objection, "form": form})


# --- Bases, upward recommendation, diagram, notifications ---------------------------------------------


@login_required
@require_GET
def base_list(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.recognised_bases(request.user, q=q), 20).get_page(request.GET.get("page"))
    return render(request, "reviews/base_list.html", {"page": page, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def base_detail(request, pk):
    base = get_object_or_404(selectors.recognised_bases(request.user), pk=pk)
    form = UpwardRecommendationForm(request.POST or None) if permissions.is_city(request.user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("向上推荐由市局登记。")
        if form.is_valid():
            try:
                services.upward_recommendation_add(base=base, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "已登记向上推荐。")
                return redirect("reviews:base-detail", pk=pk)
    return render(
        request,
        "reviews/base_detail.html",
        {
            "base": base,
            "form": form,
            "items": base.upward_recommendations.all(),
            "outcome_form": UpwardOutcomeForm() if form is not None else None,
        },
    )


@login_required
@require_POST
def upward_outcome(request, pk, item_pk):
    base = get_object_or_404(selectors.recognised_bases(request.user), pk=pk)
    item = get_object_or_404(base.upward_recommendations.all(), pk=item_pk)
    form = UpwardOutcomeForm(request.POST)
    if form.is_valid():
        services.upward_recommendation_outcome(item=item, user=request.user, **form.cleaned_data)
        messages.success(request, "已登记推荐结果。")
    else:
        form_errors_to_messages(request, form)
    return redirect("reviews:base-detail", pk=pk)


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
