"""Gazette posts and comments in the one reports registry (``moderation.reportables``)."""

from django.utils.translation import gettext as _

from moderation.reportables import Reportable, reportable_register

from .models import Comment, GazettePost
from .services.moderation import gazette_content_hide


def _post_visible_to(post, user) -> bool:
    return GazettePost.objects.visible_to(user).filter(pk=post.pk).exists()


def _comment_visible_to(comment, user) -> bool:
    return comment.hidden_at is None and _post_visible_to(comment.post, user)


def _post_summary(post) -> dict:
    return {
        "title": post.title,
        "text": post.body,
        "url": post.url or "",
        "kind": _("Publication de la gazette"),
    }


def _comment_summary(comment) -> dict:
    return {
        "title": _("Commentaire sur « %(title)s »") % {"title": comment.post.title},
        "text": comment.text,
        "url": f"{comment.post.url}#commentaire-{comment.pk}" if comment.post.url else "",
        "kind": _("Commentaire de la gazette"),
    }


def _hide(content, *, by, note=""):
    gazette_content_hide(content=content, by=by, note=note)


def register() -> None:
    reportable_register(
        Reportable(
            model=GazettePost,
            visible_to=_post_visible_to,
            commune_id_of=lambda post: post.commune_id,
            author_of=lambda post: post.author,
            summary=_post_summary,
            uphold=_hide,
        )
    )
    reportable_register(
        Reportable(
            model=Comment,
            visible_to=_comment_visible_to,
            commune_id_of=lambda comment: comment.post.commune_id,
            author_of=lambda comment: comment.author,
            summary=_comment_summary,
            uphold=_hide,
        )
    )
