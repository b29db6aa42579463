"""The police municipale's pages: its feed of the commune's alerts and "prise en charge".

Whether an alert may be taken is ``alerts.permissions.police_take_refusal`` (the feed's
buttons), ``police_to_take`` (its filter) and ``police_may_take`` (the service): one rule.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.middleware import StaffSecurityMiddleware
from accounts.permissions import has_totp
from alerts.forms import POLICE_FILTERS
from alerts.permissions import police_take_refusal, police_to_take
from alerts.services import alert_police_take
from communities.commune_site import commune_site_view
from communities.models import StaffRole
from communities.pagination import page_of
from communities.selectors import roles_in_commune

from .scope import PAGE_SIZE, alert_or_404, alerts_seen


@require_GET
@commune_site_view
def police_feed(request, commune):
    """Every alert of the commune, identifying details included, for its police municipale."""
    if StaffRole.POLICE not in roles_in_commune(user=request.user, commune=commune):
        raise Http404
    if not has_totp(user=request.user):
        # Identifying details are shown to staff who signed in with a second factor only.
        return StaffSecurityMiddleware.to_totp_activation(request)
    now = timezone.now()
    alerts = alerts_seen(request, commune).order_by("-created_at", "-pk")
    current_filter = request.GET.get("filtre", "")
    if current_filter not in POLICE_FILTERS:
        current_filter = ""
    if current_filter == "a-prendre":
        alerts = police_to_take(alerts, now=now)
    items = page_of(request=request, items=alerts, per_page=PAGE_SIZE)
    return render(
        request,
        "alerts/police_feed.html",
        {
            "items": items,
            "takeable": {
                alert.pk
                for alert in items.object_list
                if police_take_refusal(alert=alert, now=now) is None
            },
            "current_filter": current_filter,
            "filters": POLICE_FILTERS,
            "extra_query": f"filtre={current_filter}" if current_filter else "",
            "now": now,
        },
    )


@require_POST
@commune_site_view
def alert_police_take_post(request, commune, pk):
    alert = alert_or_404(request, commune, pk)
    try:
        alert_police_take(alert=alert, by=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Alerte prise en charge : la communauté en est informée."))
    if request.POST.get("retour") == "police":
        return redirect("alerts:police")
    return redirect("alerts:detail", pk=alert.pk)
