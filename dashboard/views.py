"""The police municipale's reduced dashboard, on the commune's site: the running alerts, which
are taken in charge, by whom, and how long each waited. Refreshed without reload like the
mairie's dashboard; the same second factor as the police feed."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.middleware import StaffSecurityMiddleware
from accounts.permissions import has_totp
from communities.commune_site import commune_site_view

from .commune_map import commune_map_for, commune_map_json
from .live import POLL_SECONDS, figures_for
from .permissions import police_dashboard_allowed


def _police_context(commune) -> dict:
    return {
        "commune": commune,
        "figures": figures_for(commune=commune),
        "refresh_url": reverse("dashboard_police:figures"),
        "poll_seconds": POLL_SECONDS,
        "map_url": reverse("dashboard_police:map"),
    }


@require_GET
@commune_site_view
def police_dashboard(request, commune):
    if not police_dashboard_allowed(user=request.user, commune=commune):
        raise Http404
    if not has_totp(user=request.user):
        # Who took which alert is for staff who signed in with a second factor only.
        return StaffSecurityMiddleware.to_totp_activation(request)
    return render(request, "dashboard/police.html", _police_context(commune))


@require_GET
@commune_site_view
def police_figures(request, commune):
    if not police_dashboard_allowed(user=request.user, commune=commune):
        raise Http404
    if not has_totp(user=request.user):
        raise Http404
    return render(request, "dashboard/_police.html", _police_context(commune))


@never_cache
@require_GET
@commune_site_view
def police_map_data(request, commune):
    """The running alerts at their community's centre, as JSON, for the police's map."""
    if not police_dashboard_allowed(user=request.user, commune=commune):
        raise Http404
    if not has_totp(user=request.user):
        raise Http404
    commune_map = commune_map_for(commune=commune, period_key=None, running_only=True)
    # The police's list beside the map names every running alert and its community.
    return JsonResponse(commune_map_json(commune_map, exact_counts=True, with_markers=True))
