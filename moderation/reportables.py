"""What can be reported, and what moderators can do about it: one registry, one queue.

Each kind of member content (an alert, a gazette post, a comment, a private message)
registers a ``Reportable`` describing how to check that a member may see it, which commune
it belongs to, how to show it to moderators (only the item itself: a reported private
message shows that message, never the conversation), and what upholding a report does
(withdraw, hide). ``report_create`` is the one way to file a report; the moderation queue
reads the registry to show and act on any kind of content.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Report

MAX_REASON = 500


@dataclass(frozen=True)
class Reportable:
    model: type
    # Whether ``user`` may see (and so report) ``obj``: the content's own visibility rule.
    visible_to: Callable[..., bool]  # (obj, user) -> bool
    commune_id_of: Callable[..., int]  # (obj) -> commune id
    author_of: Callable[..., object]  # (obj) -> user or None
    # What moderators see: {"title", "text", "url" (may be ""), "kind" (a label)}.
    summary: Callable[..., dict]  # (obj) -> dict
    # Upholding a report: hide or withdraw the content, recording who and why.
    uphold: Callable[..., None]  # (obj, *, by, note) -> None
    # Called after a report is filed (e.g. an alert's history); optional.
    on_report: Callable[..., None] | None = None  # (obj, *, report) -> None
    # Whether ``uphold`` itself tells the author why (an alert's withdrawal does); when not,
    # the reports queue tells them, so that nobody's content disappears without a word.
    uphold_tells_author: bool = False
    # Narrows the queryset the queue loads items with (``select_related``…), so that a long
    # queue's summaries come in a fixed number of queries; optional.
    queue_queryset: Callable[..., object] | None = None  # (queryset) -> queryset


_registry: dict[type, Reportable] = {}


def reportable_register(reportable: Reportable) -> None:
    _registry[reportable.model] = reportable


def reportable_for(model_or_obj) -> Reportable | None:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    for klass in model.__mro__:
        if klass in _registry:
            return _registry[klass]
    return None


def reported_by(*, content, user) -> bool:
    if not user.is_authenticated:
        return False
    return Report.objects.filter(
        content_type=ContentType.objects.get_for_model(content),
        object_id=content.pk,
        reporter=user,
    ).exists()


@transaction.atomic
def report_create(*, content, reporter, reason: str) -> Report:
    """File ``reporter``'s report on ``content``, once, with a reason.

    Refuses content the member cannot see (PermissionDenied: answer 404), their own
    content, an empty or over-long reason, and a second report by the same member.
    """
    reportable = reportable_for(content)
    if reportable is None or not reportable.visible_to(content, reporter):
        raise PermissionDenied(_("Vous ne pouvez pas signaler ce contenu."))
    author = reportable.author_of(content)
    if author is not None and author.pk == reporter.pk:
        raise ValidationError(_("Vous ne pouvez pas signaler votre propre contenu."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Dites en quelques mots ce qui pose problème.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("Le motif dépasse %(max)d caractères.") % {"max": MAX_REASON}}
        )
    try:
        with transaction.atomic():
            report = Report.objects.create(
                commune_id=reportable.commune_id_of(content),
                content_type=ContentType.objects.get_for_model(content),
                object_id=content.pk,
                reporter=reporter,
                reason=reason,
            )
    except IntegrityError:
        raise ValidationError(
            _("Vous avez déjà signalé ce contenu. Merci : la modération va l'examiner.")
        ) from None
    if reportable.on_report is not None:
        reportable.on_report(content, report=report)
    return report
