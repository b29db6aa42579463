"""Writes of the gazette: residents' posts and comments, their photos, moderation hand-off.

Views, the admin and the demo share these keyword-only functions. Every write checks the
same things whatever the door: the author's verified membership (or mairie role), the
categories they may use, an audience within their own commune, the absence-dates guard,
and photos that are really images, re-encoded without their metadata. A refused write
changes nothing (one transaction, photos prepared before anything is stored).

One module for each kind of write: ``authors`` (who may publish where, and whether a
moderator approves first), ``photos``, ``posts``, ``comments`` and ``moderation``. Their
public names are also importable from ``gazette.services``, as before the split.
"""

from .authors import (
    MAIRIE_WRITERS,
    Author,
    categories_for,
    gazette_author_for,
    gazette_index_of,
    needs_approval,
)
from .comments import MAX_COMMENT, comment_create, comment_delete, comment_update, may_comment
from .moderation import gazette_content_hide, gazette_workflow_decision_notify
from .photos import (
    MAX_ALT,
    PHOTO_MAX_SIDE,
    PHOTO_SNIFFED_TYPES,
    PhotoUpload,
    gazette_photo_prepare,
    photo_files_delete_on_commit,
    photos_prepare,
)
from .posts import (
    MAX_LIFETIME_DAYS,
    MAX_TITLE,
    Audience,
    audience_communities_check,
    expiry_of_day,
    gazette_post_create,
    gazette_post_delete,
    gazette_post_update,
    post_published_notice,
)

__all__ = [
    "MAIRIE_WRITERS",
    "MAX_ALT",
    "MAX_COMMENT",
    "MAX_LIFETIME_DAYS",
    "MAX_TITLE",
    "PHOTO_MAX_SIDE",
    "PHOTO_SNIFFED_TYPES",
    "Audience",
    "Author",
    "PhotoUpload",
    "audience_communities_check",
    "categories_for",
    "comment_create",
    "comment_delete",
    "comment_update",
    "expiry_of_day",
    "gazette_author_for",
    "gazette_content_hide",
    "gazette_index_of",
    "gazette_photo_prepare",
    "gazette_post_create",
    "gazette_post_delete",
    "gazette_post_update",
    "gazette_workflow_decision_notify",
    "may_comment",
    "needs_approval",
    "photo_files_delete_on_commit",
    "photos_prepare",
    "post_published_notice",
]
