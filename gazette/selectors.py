"""Reads of the gazette, all through ``GazettePost.objects.visible_to``."""

from django.db.models import Prefetch, QuerySet

from .models import GazetteCategory, GazettePhoto, GazettePost


def gazette_posts_for(*, viewer, commune, category: str | None = None) -> QuerySet:
    """The posts of ``commune`` that ``viewer`` may read, newest first, ready to list.

    Authors, communities and the first photo come in a fixed number of queries, however
    many posts are listed.
    """
    posts = (
        GazettePost.objects.visible_to(viewer)
        .filter(commune=commune)
        .select_related("author")
        .prefetch_related(
            "communities",
            Prefetch("photos", queryset=GazettePhoto.objects.order_by("sort_order", "pk")),
        )
        .order_by("-first_published_at", "-pk")
    )
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
