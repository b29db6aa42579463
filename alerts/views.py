"""The alert pages of a commune's site: residents, police municipale and mairie staff.

Views stay thin. Which alerts a user sees is ``Alert.objects.visible_to`` narrowed to the
commune whose site answers (an alert of another commune is a 404 whatever the user's
rights elsewhere); what they may see of one and do with it is ``alert_rights``; every
write is a service of ``alerts.services``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.middleware import StaffSecurityMiddleware
from accounts.permissions import has_totp
from accounts.profiles import directory_entries
from communities.commune_site import commune_site_view
from communities.form_refusals import form_refusal_show
from communities.memberships import active_membership, verified_membership
from communities.models import Membership, MembershipStatus, StaffRole
from communities.pagination import page_of
from communities.selectors import roles_in_commune
from notifications.sms.segments import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    GSM7_MULTIPART_SEGMENT,
    GSM7_SINGLE_SEGMENT,
    UCS2_MULTIPART_SEGMENT,
    UCS2_SINGLE_SEGMENT,
)

from .forms import POLICE_FILTERS, AlertForm, CloseForm, FollowUpForm, ReportForm
from .models import (
    RESIDENT_CATEGORIES,
    WITHDRAWN_STATUSES,
    Alert,
    AlertEvent,
    AlertSource,
    ModerationStatus,
)
from .progress import (
    UnreachableReason,
    alert_progress,
    unreachable_memberships,
    unreachable_reason,
)
from .services import (
    alert_close,
    alert_follow_up,
    alert_not_running_reason,
    alert_police_take,
    alert_post,
    alert_report,
    alert_reported_by,
    alert_rights,
    alert_sms_text,
)

PAGE_SIZE = 20
CALL_LIST_PAGE_SIZE = 50
# What neighbours see of an alert's history; the commune's alert staff see all of it.
PUBLIC_ACTIONS = [
    AlertEvent.Action.UPDATED,
    AlertEvent.Action.CLOSED,
    AlertEvent.Action.POLICE_TAKEN,
    AlertEvent.Action.RETRACTED,
]
_MARK = "\x00"


def _alerts_seen(request, commune):
    return (
        Alert.objects.visible_to(request.user)
        .filter(commune=commune)
        .select_related("community", "author", "commune")
    )


def _alert_or_404(request, commune, pk) -> Alert:
    return get_object_or_404(
        _alerts_seen(request, commune).select_related("police_taken_by"), pk=pk
    )


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
    """The alerts running now that this user may see, newest first."""
    alerts = _alerts_seen(request, commune).active().order_by("-created_at", "-pk")
    return render(
        request,
        "alerts/alert_list.html",
        {
            "items": page_of(request=request, items=alerts, per_page=PAGE_SIZE),
            **_list_context(request, commune),
        },
    )


@require_GET
@commune_site_view
def alert_ended_list(request, commune):
    """Alerts that ended (closed, expired or withdrawn), most recent first."""
    running = _alerts_seen(request, commune).active().values("pk")
    alerts = _alerts_seen(request, commune).exclude(pk__in=running).order_by("-created_at", "-pk")
    return render(
        request,
        "alerts/alert_ended_list.html",
        {
            "items": page_of(request=request, items=alerts, per_page=PAGE_SIZE),
            **_list_context(request, commune),
        },
    )


# --- Posting ------------------------------------------------------------------------------------


def _counter_config(*, membership, commune) -> dict:
    """What the live SMS counter needs, from the same sources as the server's count."""
    wrappers = {}
    for category in RESIDENT_CATEGORIES:
        sample = Alert(commune=commune, community=membership.community, category=category)
        before, _mark, after = alert_sms_text(alert=sample, text=_MARK).partition(_MARK)
        wrappers[category.value] = [before, after]
    return {
        "gsm7_basic": "".join(sorted(GSM7_BASIC)),
        "gsm7_extension": "".join(sorted(GSM7_EXTENSION)),
        "gsm7_single": GSM7_SINGLE_SEGMENT,
        "gsm7_multipart": GSM7_MULTIPART_SEGMENT,
        "ucs2_single": UCS2_SINGLE_SEGMENT,
        "ucs2_multipart": UCS2_MULTIPART_SEGMENT,
        "max_text": AlertForm.max_text,
        "wrappers": wrappers,
        "default_wrapper": wrappers[RESIDENT_CATEGORIES[-1].value],
    }


def _reach_message(alert: Alert) -> str:
    if alert.moderation_status == ModerationStatus.HELD:
        return _(
            "Votre alerte attend la validation d'un modérateur de la mairie : elle sera envoyée "
            "dès qu'elle sera validée, et vous serez prévenu de la décision."
        )
    neighbours = (
        Membership.objects.filter(community=alert.community, status=MembershipStatus.VERIFIED)
        .exclude(user=alert.author)
        .count()
    )
    names = {"count": neighbours, "community": alert.community.name, "commune": alert.commune.name}
    if not neighbours:
        return (
            _(
                "Votre alerte est envoyée à la mairie et à la police municipale de %(commune)s ; "
                "%(community)s n'a pas encore d'autre membre vérifié."
            )
            % names
        )
    return (
        ngettext(
            "Votre alerte est envoyée à l'autre membre vérifié de %(community)s, à la mairie "
            "et à la police municipale de %(commune)s.",
            "Votre alerte est envoyée aux %(count)d autres membres vérifiés de %(community)s, "
            "à la mairie et à la police municipale de %(commune)s.",
            neighbours,
        )
        % names
    )


@require_http_methods(["GET", "POST"])
@commune_site_view
def alert_create(request, commune):
    """A verified resident of this commune alerts their own community."""
    membership = verified_membership(user=request.user)
    if membership is None or membership.community.commune_id != commune.pk:
        return render(
            request,
            "alerts/cannot_post.html",
            {"membership": active_membership(user=request.user)},
            status=403,
        )
    form = AlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alert = alert_post(
                author=request.user,
                category=form.cleaned_data["category"],
                text=form.cleaned_data["text"],
                identifying_details=form.cleaned_data["identifying_details"],
                source=AlertSource.WEB,
            )
        except (ValidationError, PermissionDenied) as error:
            form_refusal_show(form=form, error=error)
        else:
            messages.success(request, _reach_message(alert))
            return redirect("alerts:detail", pk=alert.pk)
    return render(
        request,
        "alerts/alert_form.html",
        {
            "form": form,
            "membership": membership,
            "counter_config": _counter_config(membership=membership, commune=commune),
        },
    )


# --- One alert ----------------------------------------------------------------------------------


def _timeline(alert: Alert, rights):
    events = AlertEvent.objects.filter(alert=alert).select_related("actor")
    if rights.is_author and not rights.is_alert_staff:
        # The author also reads the moderation's decision on their alert, and its reason.
        events = events.filter(action__in=[*PUBLIC_ACTIONS, AlertEvent.Action.REJECTED])
    elif not rights.is_alert_staff:
        events = events.filter(action__in=PUBLIC_ACTIONS)
    return list(events)


def _render_detail(request, alert, *, forms=None, status=200):
    rights = alert_rights(user=request.user, alert=alert)
    running_refusal = alert_not_running_reason(alert=alert)
    forms = forms or {}
    reported = alert_reported_by(alert=alert, user=request.user)
    # The commune's alert staff act on an alert (withdraw it) rather than report it.
    may_report = not rights.is_author and not rights.is_alert_staff and not reported
    context = {
        "alert": alert,
        "rights": rights,
        "now": timezone.now(),
        "timeline": _timeline(alert, rights),
        "progress": alert_progress(alert=alert) if rights.sees_progress else None,
        "may_follow_up": rights.may_follow_up and running_refusal is None,
        "may_take": rights.is_police
        and alert.police_taken_at is None
        and alert.closed_at is None
        and alert.moderation_status not in WITHDRAWN_STATUSES,
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
    return _render_detail(request, _alert_or_404(request, commune, pk))


@require_GET
@commune_site_view
def alert_progress_json(request, commune, pk):
    """Delivery progress for the page's polling: author and the commune's alert staff only."""
    alert = _alert_or_404(request, commune, pk)
    if not alert_rights(user=request.user, alert=alert).sees_progress:
        raise Http404
    return JsonResponse(alert_progress(alert=alert).as_json())


def _refused(request, error) -> bool:
    """A refusal about the alert itself (its state, the user's rights) rather than about what
    was typed: said on the alert's page after a redirect. Returns False for field errors."""
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return False
    messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
    return True


def _follow_up_action(request, commune, pk, *, service, form_class, prefix, key, done):
    alert = _alert_or_404(request, commune, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            service(alert=alert, by=request.user, text=form.cleaned_data["text"])
        except (ValidationError, PermissionDenied) as error:
            if _refused(request, error):
                return redirect("alerts:detail", pk=alert.pk)
            form_refusal_show(form=form, error=error)
        else:
            messages.success(request, done)
            return redirect("alerts:detail", pk=alert.pk)
    return _render_detail(request, alert, forms={key: form}, status=400)


@require_POST
@commune_site_view
def alert_follow_up_post(request, commune, pk):
    return _follow_up_action(
        request,
        commune,
        pk,
        service=alert_follow_up,
        form_class=FollowUpForm,
        prefix="suivi",
        key="follow_up",
        done=_("Le suivi est publié et envoyé aux destinataires de l'alerte."),
    )


@require_POST
@commune_site_view
def alert_close_post(request, commune, pk):
    return _follow_up_action(
        request,
        commune,
        pk,
        service=alert_close,
        form_class=CloseForm,
        prefix="fin",
        key="close",
        done=_("L'alerte est close ; la fin d'alerte est envoyée à ses destinataires."),
    )


@require_POST
@commune_site_view
def alert_police_take_post(request, commune, pk):
    alert = _alert_or_404(request, commune, pk)
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


@require_POST
@commune_site_view
def alert_report_post(request, commune, pk):
    alert = _alert_or_404(request, commune, pk)
    form = ReportForm(request.POST, prefix="signalement")
    if form.is_valid():
        try:
            alert_report(alert=alert, by=request.user, reason=form.cleaned_data["reason"])
        except (ValidationError, PermissionDenied) as error:
            if _refused(request, error):
                return redirect("alerts:detail", pk=alert.pk)
            form_refusal_show(form=form, error=error)
        else:
            messages.success(
                request, _("Merci : votre signalement est transmis aux modérateurs de la mairie.")
            )
            return redirect("alerts:detail", pk=alert.pk)
    return _render_detail(request, alert, forms={"report": form}, status=400)


@require_GET
@commune_site_view
def alert_call_list(request, commune, pk):
    """Members the alert could not reach, for referents to phone: alert staff only.

    Phone numbers and e-mail addresses show as the directory's rule lets this viewer see
    them (``accounts.profiles``): a member who hid a field from the mairie keeps it hidden.
    """
    alert = _alert_or_404(request, commune, pk)
    if not alert_rights(user=request.user, alert=alert).sees_call_list:
        raise Http404
    page = page_of(
        request=request, items=unreachable_memberships(alert=alert), per_page=CALL_LIST_PAGE_SIZE
    )
    memberships = list(page.object_list)
    fields = {
        entry.member.pk: entry.fields
        for entry in directory_entries(
            viewer=request.user, members=[membership.user for membership in memberships]
        )
    }
    rows = [
        {
            "membership": membership,
            "reason": UnreachableReason.LABELS[unreachable_reason(membership)],
            "fields": fields.get(membership.user_id, {}),
        }
        for membership in memberships
    ]
    first = alert.messages.filter(kind="alert").order_by("created_at", "pk").first()
    return render(
        request,
        "alerts/call_list.html",
        {
            "alert": alert,
            "items": page,
            "rows": rows,
            "prepared": first is not None and first.fanned_out_at is not None,
        },
    )


# --- Police municipale -------------------------------------------------------------------------


@require_GET
@commune_site_view
def police_feed(request, commune):
    """Every alert of the commune, identifying details included, for its police municipale."""
    if StaffRole.POLICE not in roles_in_commune(user=request.user, commune=commune):
        raise Http404
    if not has_totp(user=request.user):
        # Identifying details are shown to staff who signed in with a second factor only.
        return StaffSecurityMiddleware.to_totp_activation(request)
    alerts = _alerts_seen(request, commune).order_by("-created_at", "-pk")
    current_filter = request.GET.get("filtre", "")
    if current_filter not in POLICE_FILTERS:
        current_filter = ""
    if current_filter == "a-prendre":
        alerts = alerts.filter(police_taken_at=None, closed_at=None).exclude(
            moderation_status__in=WITHDRAWN_STATUSES
        )
    return render(
        request,
        "alerts/police_feed.html",
        {
            "items": page_of(request=request, items=alerts, per_page=PAGE_SIZE),
            "current_filter": current_filter,
            "filters": POLICE_FILTERS,
            "extra_query": f"filtre={current_filter}" if current_filter else "",
            "now": timezone.now(),
        },
    )
