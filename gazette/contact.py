"""A reader of a post may write to its author: the reason the gazette gives messaging.

The author chose who reads the post (their community, or the whole commune): whoever the
visibility rule lets read it may answer its author privately, even from another community
of the commune. Nothing beyond that rule: not for a post they may not read, not to the
mairie's staff behind a mairie's post, not to an author who is no longer a verified member
of the commune. Messaging's own rules (verified, online, no block) still apply.
"""

from django.contrib.auth import get_user_model

from communities.contact_reasons import ContactReason, contact_grant_register
from communities.models import MembershipStatus

from .models import GazettePost

CONTACT_KIND = "gazette"


def gazette_author_contact(*, viewer, object_id: int) -> ContactReason | None:
    post = (
        GazettePost.objects.visible_to(viewer)
        .filter(pk=object_id, from_mairie=False, author__isnull=False)
        .only("pk", "title", "author_id", "commune_id")
        .first()
    )
    if post is None:
        return None
    author = get_user_model().objects.filter(
        pk=post.author_id,
        memberships__status=MembershipStatus.VERIFIED,
        memberships__community__commune_id=post.commune_id,
    )
    return ContactReason(recipients=author, subject=post.title[:120])


def register() -> None:
    contact_grant_register(kind=CONTACT_KIND, grant=gazette_author_contact)
