"""Template tags of the base layout: site menu, language switcher, the member's community."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language, get_language_info
from wagtail.models import Page, Site

from communities.selectors import commune_for_request
from communities.viewer import viewer_facts

from ..icons import icon_links
from ..page_cache import current_generation

register = template.Library()

# Menus are made stale by the page cache's generation; the timeout only bounds memory.
MENU_CACHE_SECONDS = 3600


def _site_menu_data(site: Site, request) -> dict:
    """The site's home and its live, public pages shown in menus, in the current language.

    Read from the shared cache: the same for every visitor of the site, and made stale by
    anything that changes the pages (publishing, unpublishing, moving, deleting, privacy:
    the page cache's generation, ``portal.signal_handlers``).
    """
    key = f"site-menu:{current_generation()}:{site.pk}:{get_language()}"
    data = cache.get(key)
    if data is None:
        root = site.root_page.localized
        data = {
            "root": {"pk": root.pk, "path": root.path, "url": root.get_url(request)},
            "items": [
                {"path": item.path, "url": item.get_url(request), "title": item.title}
                for item in root.get_children().live().public().in_menu()
            ],
        }
        cache.set(key, data, MENU_CACHE_SECONDS)
    return data


@register.inclusion_tag("components/site_menu.html", takes_context=True)
def site_menu(context):
    request = context["request"]
    site = Site.find_for_request(request)
    if site is None:
        return {"root": None, "items": [], "is_home": False, "request": request}
    data = _site_menu_data(site, request)
    current = context.get("page")
    current_path = current.path if isinstance(current, Page) else ""
    items = []
    for item in data["items"]:
        item = dict(item)
        if current_path == item["path"]:
            item["aria_current"] = "page"
        elif current_path.startswith(item["path"]):
            item["aria_current"] = "true"
        items.append(item)
    root = data["root"]
    is_home = isinstance(current, Page) and current.pk == root["pk"]
    return {"root": root, "items": items, "is_home": is_home, "request": request}


def _home_translations(site: Site, request) -> dict[str, str]:
    """The site's home page in each language it is published in: {code: url}, cached like
    the menu."""
    key = f"site-home-languages:{current_generation()}:{site.pk}"
    urls = cache.get(key)
    if urls is None:
        translations = (
            site.root_page.get_translations(inclusive=True).live().select_related("locale")
        )
        urls = {t.locale.language_code: t.get_url(request) for t in translations}
        cache.set(key, urls, MENU_CACHE_SECONDS)
    return urls


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
    site = Site.find_for_request(request)
    if site is not None:
        for code, url in _home_translations(site, request).items():
            urls.setdefault(code, url)
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
def pages_generation(context) -> int:
    """The page cache's generation, for the layout's cached fragments (menu, language
    links): publishing, unpublishing, moving or making a page private changes it."""
    request = context.get("request")
    if request is None:
        return current_generation()
    if not hasattr(request, "_pages_generation"):
        request._pages_generation = current_generation()
    return request._pages_generation


@register.filter
def is_wagtail_page(value) -> bool:
    """Whether ``value`` is a Wagtail page (Django views may name a paginator's page
    ``page``): Wagtail's user bar is shown on pages only."""
    return isinstance(value, Page)


@register.simple_tag(takes_context=True)
def member_of_this_commune(context) -> bool:
    """Whether the signed-in user is a verified member of a community of this site's commune
    (the header then links to their community's page), from ``communities.viewer``."""
    request = context.get("request")
    user = context.get("user")
    if request is None or user is None or not user.is_authenticated:
        return False
    return viewer_facts(request=request).verified_member_of(commune_for_request(request=request))


@register.inclusion_tag("components/site_icons.html", takes_context=True)
def site_icons(context):
    """The favicon and touch icon of the site being browsed (its commune's own)."""
    return {"icons": icon_links(commune=context.get("commune"))}
