"""What a moderator does about reported content: hide it, dismiss the reports, warn or
suspend its author.

Each action asks again whether its author moderates the item's commune (views ask too,
but admin screens, tasks and tests all come here), requires a note, and records a
``ModerationAction`` (who, when, what, why) in the same transaction. Hiding goes through
the item's ``Reportable.uphold`` so that each kind of content keeps its own rule (an alert
is withdrawn with a correction, a gazette post is hidden). Authors are told after commit.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Commune, StaffRole
from communities.selectors import user_has_commune_role

from .models import ModerationAction, ModerationActionKind, Report, ReportStatus
from .notices import (
    author_reachable,
    hidden_notify,
    lift_notify,
    suspension_notify,
    warning_notify,
)
from .queue import ReportedItem

MAX_NOTE = 500
MAX_SUSPENSION_DAYS = 365


def _check_moderator(*, user, commune: Commune) -> None:
    if not user_has_commune_role(user=user, commune=commune, role=StaffRole.MODERATOR):
        raise PermissionDenied(
            _("Seuls les modérateurs de la commune peuvent traiter ces signalements.")
        )


def _clean_note(note: str, *, message: str) -> str:
    note = " ".join((note or "").split())
    if not note:
        raise ValidationError({"note": message})
    if len(note) > MAX_NOTE:
        raise ValidationError(
            {"note": _("La note dépasse %(max)d caractères.") % {"max": MAX_NOTE}}
        )
    return note


def _open_reports(item: ReportedItem):
    """The item's open reports, locked: two moderators never close them twice."""
    return Report.objects.select_for_update().filter(
        commune=item.commune,
        content_type=item.content_type,
        object_id=item.object_id,
        status=ReportStatus.OPEN,
    )


def _close(item: ReportedItem, *, by, status: str, note: str) -> int:
    reports = _open_reports(item)
    ids = list(reports.values_list("pk", flat=True))
    if not ids:
        return 0
    return Report.objects.filter(pk__in=ids).update(
        status=status, handled_by=by, handled_at=timezone.now(), decision_note=note
    )


def _label(item: ReportedItem) -> str:
    summary = item.summary
    return f"{summary.get('kind', '')} : {summary.get('title', '')}"[:300]


def _record(item: ReportedItem, *, kind: str, by, note: str, closed: int = 0, **fields):
    return ModerationAction.objects.create(
        commune=item.commune,
        kind=kind,
        content_type=item.content_type,
        object_id=item.object_id,
        item_label=_label(item),
        author=item.author,
        actor=by,
        note=note,
        reports_closed=closed,
        **fields,
    )


@transaction.atomic
def reported_item_hide(*, item: ReportedItem, by, note: str) -> ModerationAction:
    """Uphold the reports: the content is hidden or withdrawn by its own rule
    (``Reportable.uphold``), every open report on it closes as upheld, and its author is
    told why (by the content's own rule when it does, otherwise here).

    Refused for content that no longer exists or whose kind is unknown (dismiss those),
    and when no report is open any more (another moderator decided first).
    """
    _check_moderator(user=by, commune=item.commune)
    note = _clean_note(note, message=_("Indiquez le motif : l'auteur le recevra."))
    if not item.actionable:
        raise ValidationError(_("Ce contenu n'existe plus : classez les signalements."))
    closed = _close(item, by=by, status=ReportStatus.UPHELD, note=note)
    if not closed:
        raise ValidationError(_("Ces signalements ont déjà été traités."))
    summary, author = item.summary, item.author
    item.reportable.uphold(item.content, by=by, note=note)
    if not item.reportable.uphold_tells_author and author_reachable(user=author):
        hidden_notify(author=author, commune=item.commune, summary=summary, note=note)
    return _record(item, kind=ModerationActionKind.HIDE, by=by, note=note, closed=closed)


@transaction.atomic
def reports_dismiss(*, item: ReportedItem, by, note: str) -> ModerationAction:
    """Close the item's open reports without touching the content, with the reason why."""
    _check_moderator(user=by, commune=item.commune)
    note = _clean_note(note, message=_("Indiquez pourquoi ces signalements sont classés."))
    closed = _close(item, by=by, status=ReportStatus.DISMISSED, note=note)
    if not closed:
        raise ValidationError(_("Ces signalements ont déjà été traités."))
    return _record(item, kind=ModerationActionKind.DISMISS, by=by, note=note, closed=closed)


def _author_for_action(item: ReportedItem, *, by):
    if not item.actionable:
        raise ValidationError(_("Ce contenu n'existe plus : son auteur n'est plus connu."))
    author = item.author
    if author is None:
        raise ValidationError(_("Ce contenu n'a pas d'auteur connu (compte supprimé)."))
    if author.pk == by.pk:
        raise ValidationError(_("Vous ne pouvez pas vous avertir ou vous suspendre vous-même."))
    return author


@transaction.atomic
def author_warn(*, item: ReportedItem, by, note: str) -> ModerationAction:
    """Warn the item's author, by e-mail (or SMS without e-mail), with the moderator's note.

    The reports stay open: warning is a step beside the decision on the content.
    """
    _check_moderator(user=by, commune=item.commune)
    note = _clean_note(note, message=_("Écrivez le message d'avertissement pour l'auteur."))
    author = _author_for_action(item, by=by)
    if not author_reachable(user=author):
        raise ValidationError(
            _("L'auteur n'a ni adresse e-mail ni mobile : il ne peut pas être averti.")
        )
    warning_notify(author=author, commune=item.commune, summary=item.summary, note=note)
    return _record(item, kind=ModerationActionKind.WARN, by=by, note=note)


@transaction.atomic
def author_suspend(*, item: ReportedItem, by, days: int, note: str) -> ModerationAction:
    """Suspend the item's author in the item's commune for ``days`` days (1 to 365).

    While it runs, ``moderation.suspensions.member_is_suspended`` answers yes for that
    commune only; it ends by itself. The author is told until when and why.
    """
    _check_moderator(user=by, commune=item.commune)
    note = _clean_note(note, message=_("Indiquez le motif de la suspension : l'auteur le recevra."))
    if not isinstance(days, int) or not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ValidationError(
            {"days": _("Choisissez une durée de 1 à %(max)d jours.") % {"max": MAX_SUSPENSION_DAYS}}
        )
    author = _author_for_action(item, by=by)
    until = timezone.now() + timedelta(days=days)
    action = _record(
        item, kind=ModerationActionKind.SUSPEND, by=by, note=note, suspended_until=until
    )
    if author_reachable(user=author):
        suspension_notify(author=author, commune=item.commune, until=until, note=note)
    return action


@transaction.atomic
def suspension_lift(*, suspension: ModerationAction, by, note: str) -> ModerationAction:
    """End a suspension now, before its date (a mistake, an apology accepted).

    The suspension's end becomes now, so ``member_is_suspended`` answers no at once; the
    lifting is recorded beside it (who, when, why) and the member is told. Refused for a
    suspension already over, and to anyone but the moderators of its commune.
    """
    locked = ModerationAction.objects.select_for_update().get(pk=suspension.pk)
    _check_moderator(user=by, commune=locked.commune)
    note = _clean_note(note, message=_("Indiquez pourquoi la suspension est levée."))
    now = timezone.now()
    if locked.kind != ModerationActionKind.SUSPEND or locked.suspended_until <= now:
        raise ValidationError(_("Cette suspension a déjà pris fin."))
    ModerationAction.objects.filter(pk=locked.pk).update(suspended_until=now)
    lifted = ModerationAction.objects.create(
        commune=locked.commune,
        kind=ModerationActionKind.LIFT,
        content_type=locked.content_type,
        object_id=locked.object_id,
        item_label=locked.item_label,
        author=locked.author,
        actor=by,
        note=note,
    )
    if author_reachable(user=locked.author):
        lift_notify(author=locked.author, commune=locked.commune, note=note)
    suspension.suspended_until = now
    return lifted
