"""Comments on gazette posts, by members who may read the post."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.absence import absence_dates_refuse
from communities.selectors import roles_in_commune
from moderation.suspensions import member_suspension_refuse

from ..models import Comment, GazettePost
from .authors import gazette_author_for

MAX_COMMENT = 2000


def _clean_comment(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Écrivez votre commentaire.")})
    if len(text) > MAX_COMMENT:
        raise ValidationError(
            {"text": _("Le commentaire dépasse %(max)d caractères.") % {"max": MAX_COMMENT}}
        )
    absence_dates_refuse(text, field="text")
    return text


def may_comment(*, user, post: GazettePost) -> bool:
    """Verified members of the commune and its staff, on a post they may read."""
    if gazette_author_for(user=user, commune=post.commune) is None and not (
        user.is_authenticated and roles_in_commune(user=user, commune=post.commune)
    ):
        return False
    return GazettePost.objects.visible_to(user).filter(pk=post.pk).exists()


@transaction.atomic
def comment_create(*, post: GazettePost, author, text: str) -> Comment:
    """A comment by a member who may read ``post`` (PermissionDenied otherwise: 404)."""
    if not may_comment(user=author, post=post):
        raise PermissionDenied(_("Vous ne pouvez pas commenter cette publication."))
    member_suspension_refuse(user=author, commune=post.commune)
    who = gazette_author_for(user=author, commune=post.commune)
    return Comment.objects.create(
        post=post,
        author=author,
        text=_clean_comment(text),
        # Staff who are not residents of the commune comment for the mairie.
        from_mairie=who is None or who.is_staff,
    )


def _own_comment(*, comment: Comment, by) -> Comment:
    if not by.is_authenticated or comment.author_id != by.pk:
        raise PermissionDenied(_("Vous ne pouvez modifier que vos propres commentaires."))
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, by, text: str) -> Comment:
    _own_comment(comment=comment, by=by)
    member_suspension_refuse(user=by, commune=comment.post.commune)
    comment.text = _clean_comment(text)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["text", "edited_at"])
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, by) -> None:
    _own_comment(comment=comment, by=by)
    comment.delete()
