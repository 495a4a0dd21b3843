from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from bases.selectors import applications_for_user
from bases.views import client_ip, messages_from

from .services import application_transition


@login_required
@require_POST
def application_transition_view(request, pk, action):
    """The one POST endpoint for every workflow action; the service decides."""
    application = get_object_or_404(applications_for_user(request.user), pk=pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        application_transition(application=application, action=action, user=request.user, version=version,
                               comment=request.POST.get("comment", ""), ip=client_ip(request))
    except PermissionDenied:
        raise
    except ValidationError as exc:
        messages_from(request, exc)
    else:
        application.refresh_from_db()
        messages.success(request, f"操作成功，申报当前状态：{application.get_state_display()}。")
    return redirect("bases:application-detail", pk=application.pk)
