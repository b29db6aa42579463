"""``{% member_slot "name" %}``: what belongs to the reader in a page that may be shared
(``communities.member_pages``)."""

from django import template
from django.utils.safestring import mark_safe

from ..member_pages import member_slot as slot_html

register = template.Library()


@register.simple_tag(takes_context=True)
def member_slot(context, name: str) -> str:
    # The registered renderers return escaped HTML (format_html).
    return mark_safe(slot_html(context.get("request"), name))  # noqa: S308
