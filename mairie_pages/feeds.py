"""RSS and Atom feeds of a commune's public announcements (``/flux/annonces.xml``, ``.atom``).

The commune is the one whose site answers the request's host name. Only the mairie's public
announcements are listed: gazette posts are members' content and never appear in a feed.
"""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from wagtail.models import Page

from communities.selectors import commune_for_request
from communities.wording import of_place

from .models import AnnouncementIndexPage, AnnouncementPage

FEED_LENGTH = 20


def feed_announcements(*, commune):
    """The commune's latest public announcements (French tree), newest first."""
    return AnnouncementPage.objects.public_of(commune=commune).order_by(
        "-date", "-first_published_at", "-pk"
    )[:FEED_LENGTH]


class AnnouncementsRssFeed(Feed):
    language = "fr"
    # One instance serves every request: nothing per request is kept on it.

    def get_object(self, request, *args, **kwargs):
        commune = commune_for_request(request=request)
        if commune is None:
            raise Http404
        return commune

    def title(self, commune):
        return _("%(commune)s : annonces de la mairie") % {"commune": commune.name}

    def description(self, commune):
        return _("Les annonces publiques de la mairie %(of_commune)s.") % {
            "of_commune": of_place(commune.name)
        }

    def link(self, commune):
        index = AnnouncementIndexPage.objects.live().descendant_of(commune.site.root_page).first()
        page = index or Page.objects.get(pk=commune.site.root_page_id)
        return page.get_full_url()

    def items(self, commune):
        return feed_announcements(commune=commune)

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.get_full_url()

    def item_guid(self, item):
        return item.get_full_url()

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class AnnouncementsAtomFeed(AnnouncementsRssFeed):
    feed_type = Atom1Feed
    subtitle = AnnouncementsRssFeed.description
