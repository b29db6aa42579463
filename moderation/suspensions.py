"""Whether a member is suspended in a commune: the one question every posting service asks.

A suspension is the ``ModerationAction`` a moderator recorded when suspending the author
of reported content; it covers that commune only and ends by itself at ``suspended_until``.
Services that let a member post (alerts, gazette posts, comments, private messages) call
``member_is_suspended`` or ``member_suspension_refuse`` before writing anything.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.dates import date_display

from .models import ModerationAction, ModerationActionKind


def suspension_of(*, user, commune) -> ModerationAction | None:
    """The suspension of ``user`` in ``commune`` still running, the longest one first."""
    if user is None or not getattr(user, "pk", None) or commune is None:
        return None
    return (
        ModerationAction.objects.filter(
            kind=ModerationActionKind.SUSPEND,
            author=user,
            commune=commune,
            suspended_until__gt=timezone.now(),
        )
        .order_by("-suspended_until")
        .first()
    )


def member_is_suspended(*, user, commune) -> bool:
    """Whether ``user`` may not post in ``commune`` now (alerts, gazette, comments, messages).

    Only the commune where the moderator suspended them: a member of two communes keeps
    posting in the other. Lifted automatically when the suspension's end has passed.
    """
    return suspension_of(user=user, commune=commune) is not None


def member_suspension_refuse(*, user, commune) -> None:
    """Raise ``ValidationError`` with a message the member understands when suspended.

    A validation error rather than a refusal of access, so that the member's form shows
    why nothing was published and until when.
    """
    suspension = suspension_of(user=user, commune=commune)
    if suspension is None:
        return
    until = date_display(suspension.suspended_until, "DATETIME_FORMAT")
    raise ValidationError(
        _(
            "La modération de la mairie a suspendu votre participation jusqu'au %(until)s : "
            "vous ne pouvez pas publier d'alerte, d'annonce, de commentaire ni de message "
            "d'ici là."
        )
        % {"until": until}
    )
