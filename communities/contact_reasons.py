"""Who else a resident may write to, because of what they read elsewhere.

Neighbours write to the members of their own community (``messaging``'s
``recipients_pickable``). A domain may open a door beyond it for one reason: the gazette
lets a reader of a post write to its author, across the communities the author chose as
the post's audience. Domains are independent of each other, so the reasons meet here: each
app registers its own in ``ready()``, and messaging applies them, with its own rules
(verified, online, no block) on top.

A reason is named ``"<kind>:<id>"`` (``"gazette:42"``): the kind picks the grant, which
answers for that one object and that viewer, or None when the viewer may not read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet


@dataclass(frozen=True)
class ContactReason:
    recipients: QuerySet  # users ``viewer`` may write to for this reason
    subject: str  # the new conversation's subject, suggested


ContactGrant = Callable[..., ContactReason | None]

_grants: dict[str, ContactGrant] = {}


def contact_grant_register(*, kind: str, grant: ContactGrant) -> None:
    """``grant(viewer=…, object_id=…)`` answers for one object of ``kind``."""
    _grants[kind] = grant


def contact_reason(*, viewer, about: str) -> ContactReason | None:
    """The reason ``about`` names, for ``viewer``; None when unknown, malformed or refused."""
    kind, _sep, object_id = (about or "").partition(":")
    grant = _grants.get(kind)
    if grant is None or not object_id.isdigit():
        return None
    return grant(viewer=viewer, object_id=int(object_id))
