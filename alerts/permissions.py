"""Who may see and do what on an alert: the rules every view, template and service asks.

Each rule is written once here. Pages ask them to decide what to show (a button, a
detail), services ask them again before they write, so a crafted request is refused the
same way a hidden button is.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import has_totp
from communities.models import StaffRole
from communities.selectors import roles_in_commune, user_has_commune_role

from .models import ALERT_STAFF_ROLES, WITHDRAWN_STATUSES, Alert, AlertSource, ModerationStatus

# Staff of the alert's commune who may speak for an alert they did not write.
FOLLOW_UP_ROLES = {StaffRole.ADMINISTRATOR, StaffRole.MODERATOR, StaffRole.BROADCASTER}


@dataclass(frozen=True)
class AlertRights:
    """What one user may see and do on one alert, read once (one query for the roles).

    Identifying details, the call list and the full history are for the commune's alert
    staff only (``ALERT_STAFF_ROLES``), never for neighbours, whoever wrote the alert —
    and only once that staff member has two-factor authentication, as for the admin
    (data about suspected offences, GDPR art. 10).
    """

    is_author: bool
    roles: frozenset[str]
    second_factor: bool = False

    @property
    def is_alert_staff(self) -> bool:
        return bool(self.roles & set(ALERT_STAFF_ROLES))

    @property
    def sees_details(self) -> bool:
        return self.is_alert_staff and self.second_factor

    @property
    def sees_progress(self) -> bool:
        return self.is_author or self.is_alert_staff

    @property
    def sees_delivery_detail(self) -> bool:
        """Per channel and status, as the mairie and the police follow a sending; the author
        and neighbours read one sentence instead (``alerts.progress.alert_reach_summary``)."""
        return self.is_alert_staff

    @property
    def sees_call_list(self) -> bool:
        return self.is_alert_staff and self.second_factor

    @property
    def may_follow_up(self) -> bool:
        """The author, the mairie, and the police municipale ("patrouille sur place")."""
        return self.is_author or bool(self.roles & FOLLOW_UP_ROLES) or self.is_police

    @property
    def may_close(self) -> bool:
        """Ending an alert is for its author and the mairie, not the police."""
        return self.is_author or bool(self.roles & FOLLOW_UP_ROLES)

    @property
    def follows_up_as_police(self) -> bool:
        """A follow-up by this user is the police's (signed "Police municipale")."""
        return self.is_police and not self.is_author and not (self.roles & FOLLOW_UP_ROLES)

    @property
    def sees_author_phone(self) -> bool:
        """The author's phone, to call the witness back: the alert staff with two-factor
        authentication, each time recorded in the alert's history."""
        return self.sees_details

    @property
    def is_police(self) -> bool:
        return StaffRole.POLICE in self.roles


def alert_rights(*, user, alert: Alert, roles: frozenset[str] | None = None) -> AlertRights:
    """The rights of ``user`` on ``alert``: as its author, and by their roles in its commune
    (read from the database unless a page passes them, ``communities.viewer``)."""
    if not user.is_authenticated or not user.is_active:
        return AlertRights(is_author=False, roles=frozenset())
    if roles is None:
        roles = roles_in_commune(user=user, commune=alert.commune)
    roles = frozenset(roles)
    return AlertRights(
        is_author=alert.author_id is not None and alert.author_id == user.pk,
        roles=roles,
        second_factor=bool(roles & set(ALERT_STAFF_ROLES)) and has_totp(user=user),
    )


def alert_report_offered(*, rights: AlertRights, reported: bool) -> bool:
    """The "Signaler" action, on the page and in the API: for those who read the alert,
    once. Not its author, and not the commune's alert staff, who act on an alert (withdraw
    it) rather than report it."""
    return not rights.is_author and not rights.is_alert_staff and not reported


# --- "Prise en charge" by the police municipale --------------------------------------------------


def police_take_refusal(*, alert: Alert, now: datetime | None = None) -> str | None:
    """Why the police municipale cannot take ``alert`` in charge now; None when it can.

    Only a residents' alert that still runs may be taken, once: the mairie's own broadcasts
    (weather, roadworks…) ask nothing of the police, and an alert withdrawn or refused by
    the moderation, closed by its author or expired has nothing left to take. A held alert
    (pre-moderation) may be: the moderation decides what neighbours receive, not what the
    police may act on. ``police_to_take`` is the same rule for a list.
    """
    now = now or timezone.now()
    if alert.source == AlertSource.ADMIN:
        return _("C'est une information de la mairie : il n'y a rien à prendre en charge.")
    if alert.police_taken_at is not None:
        return _("Cette alerte est déjà prise en charge par la police municipale.")
    if alert.moderation_status in WITHDRAWN_STATUSES:
        return _("Cette alerte a été retirée : il n'y a rien à prendre en charge.")
    if alert.closed_at is not None:
        return _("Cette alerte est déjà close.")
    if alert.expires_at <= now:
        return _("Cette alerte a expiré : il n'y a plus rien à prendre en charge.")
    return None


def police_to_take(alerts: QuerySet[Alert], *, now: datetime | None = None) -> QuerySet[Alert]:
    """``alerts`` narrowed to those ``police_take_refusal`` accepts, in SQL (the police
    feed's "Non prises en charge"): running (``AlertQuerySet.active``: not withdrawn,
    closed or expired), not taken, and not a mairie broadcast."""
    return alerts.active(now=now).filter(police_taken_at=None).exclude(source=AlertSource.ADMIN)


def police_may_take(*, rights: AlertRights, alert: Alert, now: datetime | None = None) -> bool:
    """The "Prendre en charge" button and its service: the police of the alert's commune,
    on an alert ``police_take_refusal`` accepts."""
    return rights.is_police and police_take_refusal(alert=alert, now=now) is None


# --- Moderation ----------------------------------------------------------------------------------


def alert_may_moderate(*, user, alert: Alert) -> bool:
    """Approve, refuse, withdraw an alert or close its reports: the moderators of the alert's
    commune (and the platform team), never its administrators, broadcasters or police, nor
    a moderator of another commune."""
    return user_has_commune_role(user=user, commune=alert.commune, role=StaffRole.MODERATOR)


def alert_withdraw_refusal(*, alert: Alert) -> str | None:
    """Why ``alert`` cannot be withdrawn (None when it can): only an alert that was sent —
    read by a moderator or not yet — is withdrawn with a correction; a held one is refused
    instead, and a refused or withdrawn one is done with. An alert its author closed, or
    that expired, may still be withdrawn: its recipients read it and may still act on it."""
    if alert.moderation_status not in (ModerationStatus.TO_REVIEW, ModerationStatus.APPROVED):
        return _("Seule une alerte envoyée peut être retirée.")
    return None
