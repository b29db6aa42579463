"""*Mon compte → Appareils connectés*: the apps signed in to the member's account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.member_language import in_member_language

from .app_sessions import app_session_revoke, app_sessions_of


@in_member_language
@never_cache
@login_required
@require_GET
def device_list(request):
    return render(
        request,
        "api/devices.html",
        {"section": "devices", "devices": list(app_sessions_of(user=request.user))},
    )


@in_member_language
@login_required
@require_POST
def device_revoke(request, pk: int):
    """Sign one of the member's apps out; another member's device is a 404."""
    app_session = get_object_or_404(app_sessions_of(user=request.user), pk=pk)
    app_session_revoke(app_session=app_session)
    messages.success(request, _("L'appareil est déconnecté : il devra se reconnecter."))
    return redirect("devices:list")
