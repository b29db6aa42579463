"""Reads of the gazette, all through ``GazettePost.objects.visible_to``."""

from django.db.models import Prefetch, Q, QuerySet
from wagtail.models import Page

from .models import Comment, GazetteCategory, GazettePhoto, GazettePost
from .stream import stream_sources


def _with_listing_relations(posts: QuerySet) -> QuerySet:
    """Authors, communities and photos (in their order) in a fixed number of queries."""
    return posts.select_related("author").prefetch_related(
        "communities",
        Prefetch("photos", queryset=GazettePhoto.objects.order_by("sort_order", "pk")),
    )


def gazette_posts_for(*, viewer, commune, category: str | None = None) -> QuerySet:
    """The posts of ``commune`` that ``viewer`` may read, newest first, ready to list
    (``commune=None``: of every commune, for a client that is on no commune's site).

    Authors, communities and the first photo come in a fixed number of queries, however
    many posts are listed.
    """
    posts = GazettePost.objects.visible_to(viewer)
    if commune is not None:
        posts = posts.filter(commune=commune)
    posts = _with_listing_relations(posts).order_by("-first_published_at", "-pk")
    if category in GazetteCategory.values:
        posts = posts.filter(category=category)
    return posts


def photo_visible_to(*, viewer, photo_id: int) -> GazettePhoto | None:
    """The photo, if its post is one ``viewer`` may read; None otherwise (answer 404)."""
    return (
        GazettePhoto.objects.filter(
            pk=photo_id, post__in=GazettePost.objects.visible_to(viewer).values("pk")
        )
        .select_related("post")
        .first()
    )


def gazette_stream_for(*, viewer, commune, category: str | None = None) -> QuerySet:
    """One stream, newest first: the posts ``viewer`` may read and the mairie's public
    announcements of ``commune``, as base pages (paginate, then ``stream_items``).

    The announcements are the mairie's communications: they follow the "Communication de
    la mairie" filter and no other.
    """
    posts = gazette_posts_for(viewer=viewer, commune=commune, category=category)
    wanted = Q(pk__in=posts.values("pk"))
    if category not in GazetteCategory.values or category == GazetteCategory.MAIRIE:
        for source in stream_sources():
            wanted |= Q(pk__in=source.public_of(commune=commune).values("pk"))
    return Page.objects.filter(wanted).order_by("-first_published_at", "-pk")


def stream_items(pages) -> list:
    """The specific posts and announcements of one page of the stream, in its order.

    A fixed number of queries whatever the page size: one per page type, plus the posts'
    authors, communities and photos.
    """
    ids = [page.pk for page in pages]
    posts = _with_listing_relations(GazettePost.objects.filter(pk__in=ids))
    found = {post.pk: post for post in posts}
    for source in stream_sources():
        found.update({page.pk: page for page in source.model.objects.filter(pk__in=ids)})
    return [found[pk] for pk in ids if pk in found]


def comments_for(*, viewer, post: GazettePost) -> QuerySet:
    """The comments of a post ``viewer`` may read (none when they may not read it)."""
    if not GazettePost.objects.visible_to(viewer).filter(pk=post.pk).exists():
        return Comment.objects.none()
    return Comment.objects.filter(post=post, hidden_at=None).select_related("author")


def comment_visible_to(*, viewer, comment_id: int):
    """A comment on a post ``viewer`` may read, or None (answer 404)."""
    return (
        Comment.objects.filter(
            pk=comment_id,
            hidden_at=None,
            post__in=GazettePost.objects.visible_to(viewer).values("pk"),
        )
        .select_related("post", "author")
        .first()
    )


def posts_authored_by(*, user, commune) -> QuerySet:
    """The member's own posts in ``commune``, drafts awaiting moderation and hidden ones
    included, newest first (``commune=None``: in every commune, for a client that is on no
    commune's site)."""
    posts = GazettePost.objects.authored_by(user)
    if commune is not None:
        posts = posts.filter(commune=commune)
    return posts.prefetch_related("communities").order_by("-latest_revision_created_at", "-pk")
