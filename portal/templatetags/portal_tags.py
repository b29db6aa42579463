"""Template tags of the base layout: site menu, language switcher, the member's community."""

from django import template
from django.conf import settings
from django.utils.translation import get_language, get_language_info
from wagtail.models import Page, Site

from communities.memberships import verified_membership
from communities.selectors import commune_for_request

from ..icons import icon_links

register = template.Library()


def _site_root(request) -> Page | None:
    site = Site.find_for_request(request)
    return site.root_page.localized if site else None


@register.inclusion_tag("components/site_menu.html", takes_context=True)
def site_menu(context):
    request = context["request"]
    root = _site_root(request)
    current = context.get("page")
    current_path = current.path if isinstance(current, Page) else ""
    items = []
    if root is not None:
        for item in root.get_children().live().public().in_menu():
            if current_path == item.path:
                item.aria_current = "page"
            elif current_path.startswith(item.path):
                item.aria_current = "true"
            items.append(item)
    is_home = isinstance(current, Page) and root is not None and current.pk == root.pk
    return {"root": root, "items": items, "is_home": is_home, "request": request}


@register.inclusion_tag("components/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to this page in each language; to the home page where it is not translated."""
    request = context["request"]
    page = context.get("page")
    current_language = get_language()
    urls = {}
    if isinstance(page, Page):
        for translation in page.get_translations(inclusive=True).live().select_related("locale"):
            urls[translation.locale.language_code] = translation.get_url(request)
    root = Site.find_for_request(request)
    if root is not None:
        for translation in (
            root.root_page.get_translations(inclusive=True).live().select_related("locale")
        ):
            urls.setdefault(translation.locale.language_code, translation.get_url(request))
    languages = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": urls.get(code),
            "current": code == current_language,
        }
        for code, _name in settings.LANGUAGES
    ]
    return {"languages": languages, "request": request}


@register.simple_tag(takes_context=True)
def member_of_this_commune(context) -> bool:
    """Whether the signed-in user is a verified member of a community of this site's commune
    (the header then links to their community's page). One query, once per request."""
    request = context.get("request")
    user = context.get("user")
    if request is None or user is None or not user.is_authenticated:
        return False
    if not hasattr(request, "_member_of_this_commune"):
        commune = commune_for_request(request=request)
        membership = verified_membership(user=user) if commune is not None else None
        request._member_of_this_commune = (
            membership is not None and membership.community.commune_id == commune.pk
        )
    return request._member_of_this_commune


@register.inclusion_tag("components/site_icons.html", takes_context=True)
def site_icons(context):
    """The favicon and touch icon of the site being browsed (its commune's own)."""
    return {"icons": icon_links(commune=context.get("commune"))}
