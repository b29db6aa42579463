"""The header's unread count (a slot of ``communities.member_pages``), a profile's "Écrire"
and the gazette's "Contacter" buttons."""

from django import template
from django.utils.html import format_html
from django.utils.translation import ngettext

from ..services import recipients_pickable, recipients_writable
from ..unread import unread_count

register = template.Library()


def unread_of_request(request) -> int:
    """Unread messages of the signed-in member, once per request (``messaging.unread``)."""
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_messages_unread"):
        request._messages_unread = unread_count(user=user)
    return request._messages_unread


def unread_badge(request) -> str:
    """The header's unread count after "Messages" (nothing when all is read); the reader's
    own part of a shared page (``communities.member_pages``)."""
    unread = unread_of_request(request)
    if not unread:
        return ""
    return format_html(
        ' <strong>({}<span class="visually-hidden"> {}</span>)</strong>',
        unread,
        ngettext("non lu", "non lus", unread),
    )


@register.simple_tag(takes_context=True)
def can_write_to(context, member) -> bool:
    """Whether the viewer may start a conversation with ``member`` (a profile page): the
    same rule as the new-conversation page (``recipients_pickable``)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    return member.pk in recipients_writable(author=user, member_ids=[member.pk])


@register.simple_tag(takes_context=True)
def can_contact_about(context, member, kind: str, object_id) -> bool:
    """Whether the viewer may write to ``member`` about an object (``"gazette"``, 42: a post
    they read), by the new-conversation page's rule with that reason."""
    user = context.get("user")
    if user is None or not user.is_authenticated or member is None or member.pk == user.pk:
        return False
    about = f"{kind}:{object_id}"
    return recipients_pickable(author=user, about=about).filter(pk=member.pk).exists()
