"""The alert lists and one alert's page, with its delivery progress."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from alerts.forms import CloseForm, FollowUpForm, ReportForm
from alerts.permissions import (
    alert_may_moderate,
    alert_report_offered,
    alert_rights,
    police_may_take,
)
from alerts.progress import alert_delivery_shown, alert_progress, alert_reach
from alerts.services import alert_not_running_reason, alert_reported_by
from alerts.timeline import alert_event_by, alert_event_reason_shown, alert_timeline
from communities.commune_site import commune_site_view
from communities.memberships import active_membership
from communities.models import MembershipStatus, StaffRole
from communities.offline_copy import offline_copy_mark
from communities.pagination import page_of
from communities.selectors import roles_in_commune

from .scope import PAGE_SIZE, alert_or_404, alerts_seen

# --- Lists --------------------------------------------------------------------------------------


def _list_context(request, commune) -> dict:
    membership = active_membership(user=request.user)
    roles = roles_in_commune(user=request.user, commune=commune)
    member_here = membership is not None and membership.community.commune_id == commune.pk
    return {
        "membership": membership,
        "member_here": member_here,
        "can_post": member_here and membership.status == MembershipStatus.VERIFIED,
        "is_police": StaffRole.POLICE in roles,
        "is_staff_here": bool(roles),
        "now": timezone.now(),
    }


@require_GET
@commune_site_view
def alert_list(request, commune):
    """The alerts running now that this user may see, newest first; a member's phone keeps
    a copy to read offline."""
    alerts = alerts_seen(request, commune).active().order_by("-created_at", "-pk")
    response = render(
        request,
        "alerts/alert_list.html",
        {
            "items": page_of(request=request, items=alerts, per_page=PAGE_SIZE),
            **_list_context(request, commune),
        },
    )
    return offline_copy_mark(request=request, response=response, commune=commune)


@require_GET
@commune_site_view
def alert_ended_list(request, commune):
    """Alerts that ended (closed, expired or withdrawn), most recent first."""
    alerts = alerts_seen(request, commune).ended().order_by("-created_at", "-pk")
    return render(
        request,
        "alerts/alert_ended_list.html",
        {
            "items": page_of(request=request, items=alerts, per_page=PAGE_SIZE),
            **_list_context(request, commune),
        },
    )


# --- One alert ----------------------------------------------------------------------------------


def _timeline(*, alert, rights) -> list:
    """The history ``rights`` may read, each event with who it is shown as and whether its
    text is shown (``alerts.timeline``: the same rule as the API)."""
    events = alert_timeline(alert=alert, rights=rights)
    for event in events:
        event.shown_by = alert_event_by(event=event, alert=alert, rights=rights)
        event.shown_text = alert_event_reason_shown(event=event, rights=rights)
    return events


def alert_detail_render(request, alert, *, forms=None, status=200, author_phone=None):
    """The alert's page; ``forms`` carries a bound form back with its errors (actions);
    ``author_phone`` the author's number once the alert staff asked to see it."""
    rights = alert_rights(user=request.user, alert=alert)
    now = timezone.now()
    running_refusal = alert_not_running_reason(alert=alert)
    forms = forms or {}
    reported = alert_reported_by(alert=alert, user=request.user)
    may_report = alert_report_offered(rights=rights, reported=reported)
    # Staff follow each channel; the author and neighbours read one sentence.
    progress, reach = alert_delivery_shown(alert=alert, rights=rights)
    context = {
        "alert": alert,
        "rights": rights,
        "now": now,
        "timeline": _timeline(alert=alert, rights=rights),
        "author_phone": author_phone,
        "author_has_phone": rights.sees_author_phone
        and alert.author_id is not None
        and bool(alert.author.phone),
        "progress": progress,
        "reach": reach,
        "may_follow_up": rights.may_follow_up and running_refusal is None,
        "may_close": rights.may_close and running_refusal is None,
        "may_take": police_may_take(rights=rights, alert=alert, now=now),
        "may_moderate": rights.is_alert_staff
        and alert_may_moderate(user=request.user, alert=alert),
        "may_report": may_report,
        "already_reported": reported and not may_report,
        "follow_up_form": forms.get("follow_up") or FollowUpForm(prefix="suivi"),
        "close_form": forms.get("close") or CloseForm(prefix="fin"),
        "report_form": forms.get("report") or ReportForm(prefix="signalement"),
    }
    return render(request, "alerts/alert_detail.html", context, status=status)


@require_GET
@commune_site_view
def alert_detail(request, commune, pk):
    return alert_detail_render(request, alert_or_404(request, commune, pk))


@require_GET
@commune_site_view
def alert_progress_json(request, commune, pk):
    """Delivery progress for the page's polling: author and the commune's alert staff only.

    ``summary`` is the sentence the author reads on the page (``alerts.progress.AlertReach``).
    """
    alert = alert_or_404(request, commune, pk)
    if not alert_rights(user=request.user, alert=alert).sees_progress:
        raise Http404
    reach = alert_reach(alert=alert)
    return JsonResponse(
        {**alert_progress(alert=alert).as_json(), "summary": reach.sentence if reach else ""}
    )
