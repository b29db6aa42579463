"""The alert lists and one alert's page, with its delivery progress."""

from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from alerts.forms import CloseForm, FollowUpForm, ReportForm
from alerts.models import Alert, AlertEvent
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
from communities.fragments import fragment_key, row_state
from communities.member_pages import member_page_cached, member_page_share
from communities.models import MembershipStatus, StaffRole
from communities.offline_copy import offline_copy_mark
from communities.pagination import page_of
from communities.viewer import viewer_facts

from ..shared_pages import SCOPE
from .scope import PAGE_SIZE, alert_or_404, alerts_seen


def _alert_shown(alert, now) -> tuple:
    """What a card or an article prints of ``alert``: its columns, the names it shows and
    whether it has expired (``communities.fragments``)."""
    return (
        row_state(alert),
        alert.community.name if alert.community_id else None,
        alert.author.get_full_name() if alert.author_id else None,
        alert.commune.name,
        alert.expires_at <= now,
    )


def _cards_key(items, now) -> str:
    """The key of a page of alert cards: the alerts on it, as they are now."""
    items.object_list = list(items.object_list)
    return fragment_key("alert-cards", [_alert_shown(alert, now) for alert in items])


# --- Lists --------------------------------------------------------------------------------------


def _author_variant(request, commune):
    """An author also sees their own alerts that the rule shows nobody else (held, refused):
    the lists of a member who posted in this commune are their own."""
    if Alert.objects.filter(commune=commune, author=request.user).exists():
        return request.user.pk
    return None


def _list_context(request, commune) -> dict:
    facts = viewer_facts(request=request)
    membership = facts.membership
    roles = facts.roles_in(commune)
    member_here = membership is not None and membership.community.commune_id == commune.pk
    return {
        "membership": membership,
        "member_here": member_here,
        "can_post": member_here and membership.status == MembershipStatus.VERIFIED,
        "is_police": StaffRole.POLICE in roles,
        "is_staff_here": bool(roles),
        "now": timezone.now(),
    }


# Seconds a shared copy of an alert page or list lives (``communities.member_pages``): every
# write to an alert makes it stale at once; this bounds what moves without one (an alert
# that expires, the count of who received it).
PAGE_MAX_AGE = 5


@require_GET
@commune_site_view
@member_page_cached(scopes=(SCOPE,), timeout=PAGE_MAX_AGE, variant=_author_variant)
def alert_list(request, commune):
    """The alerts running now that this user may see, newest first; a member's phone keeps
    a copy to read offline."""
    alerts = alerts_seen(request, commune).active().order_by("-created_at", "-pk")
    items = page_of(request=request, items=alerts, per_page=PAGE_SIZE)
    context = _list_context(request, commune)
    member_page_share(request)
    response = render(
        request,
        "alerts/alert_list.html",
        {"items": items, "cards_cache_key": _cards_key(items, context["now"]), **context},
    )
    return offline_copy_mark(request=request, response=response, commune=commune)


@require_GET
@commune_site_view
@member_page_cached(scopes=(SCOPE,), timeout=PAGE_MAX_AGE, variant=_author_variant)
def alert_ended_list(request, commune):
    """Alerts that ended (closed, expired or withdrawn), most recent first."""
    alerts = alerts_seen(request, commune).ended().order_by("-created_at", "-pk")
    items = page_of(request=request, items=alerts, per_page=PAGE_SIZE)
    context = _list_context(request, commune)
    member_page_share(request)
    return render(
        request,
        "alerts/alert_ended_list.html",
        {"items": items, "cards_cache_key": _cards_key(items, context["now"]), **context},
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


# Seconds for which the readers of an alert share one count of who received it.
REACH_MAX_AGE = 5

# The alert's history, read with the alert in its one query: what the article's cache key
# needs to change when a follow-up, an end or a withdrawal is written.
_EVENTS = AlertEvent.objects.filter(alert=OuterRef("pk"))
EVENTS_MARK = {
    "events_last": Subquery(_EVENTS.order_by("-pk").values("pk")[:1]),
    "events_count": Subquery(
        _EVENTS.order_by().values("alert").annotate(n=Count("pk")).values("n")[:1]
    ),
}


def article_cache_key(*, alert, rights, now) -> str | None:
    """The key of the alert's article as ``rights`` read it, or None when it must not be
    cached (the staff who see identifying details and the author's phone form).

    It holds everything the article shows: every column of the alert (an end, a withdrawal,
    the police's take or an erased text change it), its community, author and commune
    names, the history's last event and length (a follow-up, a correction), whether it
    expired, what the reader may see (author, roles) and the language. Members who read
    the same alert with the same rights share it; another community's members never get
    the alert at all (``alert_or_404`` answers 404 before any cache is read).
    """
    if rights.sees_details or not hasattr(alert, "events_last"):
        return None
    return fragment_key(
        "alert-article",
        _alert_shown(alert, now),
        alert.events_last,
        alert.events_count,
        rights.is_author,
        tuple(sorted(rights.roles)),
    )


def alert_detail_render(request, alert, *, forms=None, status=200, author_phone=None):
    """The alert's page; ``forms`` carries a bound form back with its errors (actions);
    ``author_phone`` the author's number once the alert staff asked to see it."""
    rights = alert_rights(
        user=request.user, alert=alert, roles=viewer_facts(request=request).roles_in(alert.commune)
    )
    now = timezone.now()
    running_refusal = alert_not_running_reason(alert=alert)
    forms = forms or {}
    reported = alert_reported_by(alert=alert, user=request.user)
    may_report = alert_report_offered(rights=rights, reported=reported)
    # Staff follow each channel; the author and neighbours read one sentence.
    progress, reach = alert_delivery_shown(alert=alert, rights=rights, max_age=REACH_MAX_AGE)
    context = {
        "alert": alert,
        "rights": rights,
        "now": now,
        "article_cache_key": article_cache_key(alert=alert, rights=rights, now=now),
        # Read only when the article is rendered, not when it comes from the cache.
        "timeline": SimpleLazyObject(lambda: _timeline(alert=alert, rights=rights)),
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
    if context["article_cache_key"] is not None and not rights.is_author and not rights.roles:
        # What a neighbour reads; the author reads more (``alert_rights``).
        member_page_share(request, not_for=[alert.author_id])
    return render(request, "alerts/alert_detail.html", context, status=status)


def _reported_variant(request, commune, pk):
    """Whether this reader already reported the alert (the page offers it once)."""
    return alert_reported_by(alert=Alert(pk=pk), user=request.user)


@require_GET
@commune_site_view
@member_page_cached(scopes=(SCOPE,), timeout=PAGE_MAX_AGE, variant=_reported_variant)
def alert_detail(request, commune, pk):
    return alert_detail_render(request, alert_or_404(request, commune, pk, **EVENTS_MARK))


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
