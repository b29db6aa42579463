"""``{% member_slot "name" %}``: what belongs to the reader in a page that may be shared, and
``{% member_if "name" arg %}…{% end_member_if %}``: a part only some readers get, decided for
each reader when the page is answered (``communities.member_pages``)."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..member_pages import member_slot as slot_html

register = template.Library()


@register.simple_tag(takes_context=True)
def member_slot(context, name: str) -> str:
    # The registered renderers return escaped HTML (format_html).
    return mark_safe(slot_html(context.get("request"), name))  # noqa: S308


class MemberIfNode(template.Node):
    def __init__(self, name, arg, nodelist):
        self.name, self.arg, self.nodelist = name, arg, nodelist

    def render(self, context):
        name, arg = self.name.resolve(context), escape(str(self.arg.resolve(context)))
        return (
            f"<!--member-page:if:{name}:{arg}-->"
            + self.nodelist.render(context)
            + "<!--member-page:endif-->"
        )


@register.tag
def member_if(parser, token):
    """``{% member_if "write" member.pk %}…{% end_member_if %}``: kept for the readers the
    condition registered as ``"write"`` names (``member_page_condition_register``). Only in
    views served through ``member_page_cached``, which decides it for every answer."""
    try:
        _tag, name, arg = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError(
            "member_if takes a condition's name and an argument"
        ) from None
    nodelist = parser.parse(("end_member_if",))
    parser.delete_first_token()
    return MemberIfNode(parser.compile_filter(name), parser.compile_filter(arg), nodelist)
