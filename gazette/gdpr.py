"""A member's gazette in their GDPR export and erasure (``accounts.gdpr``'s registry).

Export: every post they wrote (published, waiting for approval, hidden or expired), with
its text, dates, category, commune and audience, its photos as files in the archive, and
the comments they wrote. Nothing written by others: not their comments under the
member's posts, not the posts the member commented on beyond their id and title.

Erasure removes what they wrote, it does not anonymise it: their posts go (unpublished,
then deleted with their revisions, comments and photos, files included) and so do their
comments (comments are flat, so no thread loses a reply's parent). The mairie's own
communications are the commune's words, not the writer's: they stay, with no author.
Registered on import (``GazetteConfig.ready``).
"""

from django.utils.translation import gettext as _
from wagtail.models import PageLogEntry, WorkflowState

from accounts.gdpr import ExportPart, GdprSection, gdpr_section_register

from .models import Comment, GazetteCategory, GazettePhoto, GazettePost


def _iso(value):
    return value.isoformat() if value else None


def _photo_archive_name(photo: GazettePhoto, *, post_id: int, position: int) -> str:
    suffix = photo.file.name.rsplit(".", 1)[-1] if "." in photo.file.name else "jpg"
    return f"files/gazette-{post_id}-photo-{position}.{suffix}"


def gazette_export(*, user) -> ExportPart:
    """The member's posts (with their photos) and comments, for the export archive."""
    posts, files = [], []
    own_posts = (
        GazettePost.objects.filter(author=user)
        .select_related("commune")
        .prefetch_related("communities", "photos")
        .order_by("pk")
    )
    for post in own_posts:
        photos = []
        for position, photo in enumerate(post.photos.all(), start=1):
            archive_name = _photo_archive_name(photo, post_id=post.pk, position=position)
            photos.append({"file": archive_name, "alt_text": photo.alt_text})
            files.append((archive_name, photo.file))
        posts.append(
            {
                "id": post.pk,
                "title": post.title,
                "category": post.category,
                "category_label": str(GazetteCategory(post.category).label),
                "text": post.body,
                "commune": post.commune.name,
                "communities": [community.name for community in post.communities.all()]
                or [_("Toute la commune")],
                "published": post.live,
                "first_published_at": _iso(post.first_published_at),
                "last_published_at": _iso(post.last_published_at),
                "last_edited_at": _iso(post.latest_revision_created_at),
                "expires_at": _iso(post.expires_at),
                "hidden_by_moderation_at": _iso(post.hidden_at),
                "photos": photos,
            }
        )
    comments = [
        {
            "post": comment.post_id,
            "post_title": comment.post.title,
            "text": comment.text,
            "created_at": _iso(comment.created_at),
            "edited_at": _iso(comment.edited_at),
            "hidden_by_moderation_at": _iso(comment.hidden_at),
        }
        for comment in Comment.objects.filter(author=user).select_related("post").order_by("pk")
    ]
    return ExportPart(data={"gazette": {"posts": posts, "comments": comments}}, files=tuple(files))


def gazette_erase(*, user) -> list[tuple[object, str]]:
    """Delete the member's posts (but the mairie's communications) and comments.

    Returns the posts' photo files, deleted from storage once the rows are gone.
    """
    posts = list(GazettePost.objects.filter(author=user).exclude(category=GazetteCategory.MAIRIE))
    storage = GazettePhoto._meta.get_field("file").storage
    files = [
        (storage, name)
        for name in GazettePhoto.objects.filter(post__in=posts).values_list("file", flat=True)
        if name
    ]
    Comment.objects.filter(author=user).delete()
    post_ids = [post.pk for post in posts]
    for post in posts:
        for state in WorkflowState.objects.for_instance(post).active():
            state.cancel(user=None)
        # Wagtail unpublishes a live page before deleting it (page_unpublished: caches
        # purged); revisions, workflow states, comments and photo rows go with the page.
        post.delete()
    # The history of those pages names them by title, which the member wrote.
    PageLogEntry.objects.filter(page_id__in=post_ids).delete()
    return files


gdpr_section_register(
    GdprSection(
        name="gazette",
        covers=("gazette.GazettePost", "gazette.Comment"),
        export=gazette_export,
        erase=gazette_erase,
    )
)
