"""Alerts over the API: the same selectors, rights and services as the alert pages."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from alerts.models import RESIDENT_CATEGORIES, Alert, AlertSource
from alerts.permissions import AlertRights, alert_report_offered, alert_rights, police_may_take
from alerts.progress import alert_delivery_shown
from alerts.services import (
    MAX_TEXT,
    AlertRateLimitError,
    alert_close,
    alert_follow_up,
    alert_not_running_reason,
    alert_police_take,
    alert_post,
    alert_report,
    alert_reported_by,
)
from alerts.timeline import (
    alert_author_label,
    alert_event_by,
    alert_event_reason_shown,
    alert_timeline,
)
from communities.memberships import verified_membership

from .listing import DEFAULT_LIMIT, PageInfo, listed_response
from .problems import Done, Problem, problem_response
from .scope import request_commune

router = Router(tags=["Alertes"])

ResidentCategory = Literal[tuple(category.value for category in RESIDENT_CATEGORIES)]


class Place(Schema):
    id: int
    name: str


class AlertOut(Schema):
    id: int
    category: str
    category_label: str
    text: str
    author: str
    commune: Place
    community: Place | None
    source: str
    urgent: bool
    moderation_status: str
    running: bool
    created_at: datetime
    expires_at: datetime
    closed_at: datetime | None
    police_taken_at: datetime | None
    url: str


class AlertEventOut(Schema):
    action: str
    action_label: str
    by: str
    text: str
    created_at: datetime


class AlertActions(Schema):
    follow_up: bool
    end: bool
    police_take: bool
    report: bool


class AlertDetailOut(AlertOut):
    identifying_details: str | None = Field(
        None, description="Pour la mairie et la police municipale seulement (double facteur)."
    )
    timeline: list[AlertEventOut]
    actions: AlertActions


class AlertList(Schema):
    items: list[AlertOut]
    page: PageInfo


class AlertIn(Schema):
    category: ResidentCategory
    text: str = Field(..., max_length=2000)
    identifying_details: str = Field("", max_length=300)


class TextIn(Schema):
    text: str = Field(..., max_length=2000)


class ReportIn(Schema):
    reason: str = Field(..., max_length=500)


class ReachOut(Schema):
    preparing: bool
    recipients: int
    received: dict[str, int] = Field(..., description="Par canal (sms, email, push).")
    pending: int
    summary: str


class ChannelProgressOut(Schema):
    channel: str
    label: str
    total: int
    done: int
    percent: int
    queued: int
    sending: int
    sent: int
    delivered: int
    failed: int


class ProgressOut(Schema):
    running: bool
    preparing: bool
    total: int
    pending: int
    channels: list[ChannelProgressOut]
    sms_remaining: int
    sms_rate_per_second: float
    sms_seconds_left: int
    sms_last_at: datetime | None
    waiting_until: datetime | None


class DeliveryOut(Schema):
    reach: ReachOut | None = Field(
        None, description="L'auteur et les voisins : qui a reçu l'alerte, en tout et par canal."
    )
    progress: ProgressOut | None = Field(
        None, description="La mairie et la police : chaque canal, statut par statut."
    )


def _visible(request):
    """The one visibility rule (``Alert.objects.visible_to``), on this site's commune."""
    alerts = Alert.objects.visible_to(request.auth).select_related("community", "author", "commune")
    commune = request_commune(request)
    return alerts.filter(commune=commune) if commune is not None else alerts


def _alert_or_404(request, pk: int) -> Alert:
    return get_object_or_404(_visible(request).select_related("police_taken_by"), pk=pk)


def _place(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj is not None else None


def _alert_data(alert: Alert, *, now) -> dict:
    return {
        "id": alert.pk,
        "category": alert.category,
        "category_label": alert.get_category_display(),
        "text": alert.text,
        "author": alert_author_label(alert=alert),
        "commune": _place(alert.commune),
        "community": _place(alert.community),
        "source": alert.source,
        "urgent": alert.urgent,
        "moderation_status": alert.moderation_status,
        "running": alert_not_running_reason(alert=alert) is None,
        "created_at": alert.created_at,
        "expires_at": alert.expires_at,
        "closed_at": alert.closed_at,
        "police_taken_at": alert.police_taken_at,
        "url": reverse("alerts:detail", kwargs={"pk": alert.pk}),
    }


def _detail(request, alert: Alert) -> dict:
    rights: AlertRights = alert_rights(user=request.auth, alert=alert)
    now = timezone.now()
    running = alert_not_running_reason(alert=alert) is None
    reported = alert_reported_by(alert=alert, user=request.auth)
    return {
        **_alert_data(alert, now=now),
        "identifying_details": alert.identifying_details if rights.sees_details else None,
        "timeline": [
            {
                "action": event.action,
                "action_label": event.get_action_display(),
                "by": alert_event_by(event=event, alert=alert, rights=rights),
                "text": event.reason
                if alert_event_reason_shown(event=event, rights=rights)
                else "",
                "created_at": event.created_at,
            }
            for event in alert_timeline(alert=alert, rights=rights)
        ],
        "actions": {
            "follow_up": rights.may_follow_up and running,
            "end": rights.may_close and running,
            "police_take": police_may_take(rights=rights, alert=alert, now=now),
            "report": alert_report_offered(rights=rights, reported=reported),
        },
    }


@router.get(
    "/",
    response={200: AlertList, 304: None},
    summary="Alertes en cours ou terminées",
    description=(
        "Les alertes que le membre peut lire, les plus récentes d'abord. `state=running` "
        "(par défaut) : en cours ; `state=ended` : closes, expirées ou retirées. Pagination par "
        "curseur (`page.next_cursor`). Réponse avec `ETag` : renvoyez-le dans `If-None-Match` "
        "pour recevoir `304` tant que rien n'a changé."
    ),
)
def alerts_list(
    request,
    state: Literal["running", "ended"] = "running",
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=50),
):
    alerts = _visible(request)
    alerts = alerts.active() if state == "running" else alerts.ended()
    now = timezone.now()
    return listed_response(
        request,
        alerts,
        schema=AlertList,
        item=lambda alert: _alert_data(alert, now=now),
        cursor=cursor,
        limit=limit,
        date_field="created_at",
    )


@router.post(
    "/",
    response={201: AlertDetailOut, 403: Problem, 422: Problem, 429: Problem},
    summary="Lancer une alerte",
    description=(
        "Un membre vérifié alerte sa communauté (origine « Application »), avec les mêmes "
        "règles que le formulaire du site : catégorie de la liste, texte de "
        f"{MAX_TEXT} caractères au plus, quelques alertes par heure au plus, pas de dates "
        "d'absence, pas pendant une suspension. En cas d'urgence, composez le 17."
    ),
)
def alerts_create(request, payload: AlertIn):
    commune = request_commune(request)
    if commune is not None:
        # On a commune's site, only that commune's members post, as on its alert form.
        membership = verified_membership(user=request.auth)
        if membership is not None and membership.community.commune_id != commune.pk:
            raise PermissionDenied
    try:
        alert = alert_post(
            author=request.auth,
            category=payload.category,
            text=payload.text,
            identifying_details=payload.identifying_details,
            source=AlertSource.API,
        )
    except AlertRateLimitError as refusal:
        return problem_response(
            status=429, detail=" ".join(refusal.messages), headers={"Retry-After": "3600"}
        )
    return Status(201, _detail(request, _alert_or_404(request, alert.pk)))


@router.get(
    "/{int:alert_id}",
    response={200: AlertDetailOut, 404: Problem},
    summary="Une alerte, avec son suivi",
)
def alerts_detail(request, alert_id: int):
    return _detail(request, _alert_or_404(request, alert_id))


def _follow_up_action(request, alert_id: int, *, service, text: str):
    alert = _alert_or_404(request, alert_id)
    service(alert=alert, by=request.auth, text=text)
    return _detail(request, _alert_or_404(request, alert_id))


@router.post(
    "/{int:alert_id}/follow-ups",
    response={201: AlertDetailOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Publier un suivi",
    description="L'auteur de l'alerte et la mairie ; le suivi part aux destinataires de l'alerte.",
)
def alerts_follow_up(request, alert_id: int, payload: TextIn):
    return Status(
        201, _follow_up_action(request, alert_id, service=alert_follow_up, text=payload.text)
    )


@router.post(
    "/{int:alert_id}/end",
    response={200: AlertDetailOut, 403: Problem, 404: Problem, 422: Problem},
    summary="Clore l'alerte",
    description="« Fin d'alerte » : même droits que le suivi ; l'alerte quitte la liste en cours.",
)
def alerts_end(request, alert_id: int, payload: TextIn):
    return _follow_up_action(request, alert_id, service=alert_close, text=payload.text)


@router.post(
    "/{int:alert_id}/police-take",
    response={200: AlertDetailOut, 404: Problem, 422: Problem},
    summary="Prendre en charge (police municipale)",
    description="La police municipale de la commune de l'alerte, sur une alerte en cours.",
)
def alerts_police_take(request, alert_id: int):
    alert = _alert_or_404(request, alert_id)
    try:
        alert_police_take(alert=alert, by=request.auth)
    except PermissionDenied as error:
        # As on the site: the action does not exist for whoever is not the commune's police.
        raise Http404 from error
    return _detail(request, _alert_or_404(request, alert_id))


def reported_notice() -> str:
    """What the site says once a report is filed, for every kind of content."""
    return _("Merci : votre signalement est transmis aux modérateurs de la mairie.")


@router.post(
    "/{int:alert_id}/report",
    response={201: Done, 404: Problem, 422: Problem},
    summary="Signaler l'alerte à la modération",
    description=(
        "Un membre qui lit l'alerte la signale aux modérateurs de la mairie, une fois, avec un "
        "motif (500 caractères au plus) ; pas sa propre alerte."
    ),
)
def alerts_report(request, alert_id: int, payload: ReportIn):
    alert = _alert_or_404(request, alert_id)
    try:
        alert_report(alert=alert, by=request.auth, reason=payload.reason)
    except PermissionDenied as error:
        raise Http404 from error
    return Status(201, {"detail": reported_notice()})


@router.get(
    "/{int:alert_id}/delivery",
    response={200: DeliveryOut, 404: Problem},
    summary="Où en sont les envois de l'alerte",
    description=(
        "Ce que la page de l'alerte en montre, à ceux qui la lisent : la mairie et la police "
        "municipale suivent chaque canal (`progress`) ; l'auteur et les voisins lisent combien "
        "de personnes l'ont reçue (`reach`, absent tant que l'alerte est relue par la "
        "modération)."
    ),
)
def alerts_delivery(request, alert_id: int):
    alert = _alert_or_404(request, alert_id)
    progress, reach = alert_delivery_shown(
        alert=alert, rights=alert_rights(user=request.auth, alert=alert)
    )
    return {
        "progress": progress.as_json() if progress is not None else None,
        "reach": {
            "preparing": reach.preparing,
            "recipients": reach.recipients,
            "received": {str(channel): count for channel, count in reach.received.items()},
            "pending": reach.pending,
            "summary": reach.sentence,
        }
        if reach is not None
        else None,
    }
