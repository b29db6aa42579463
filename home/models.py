"""Home pages: the platform's own site, and each commune's site root."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from mairie_pages.blocks import BaseStreamBlock
from mairie_pages.models import AnnouncementPage, EventIndexPage

LATEST_ANNOUNCEMENTS = 3
UPCOMING_EVENTS = 3


class PlatformHomePage(Page):
    """Root of the platform's default site: presents the project and lists the communes."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["mairie_pages.StandardPage"]
    template = "home/platform_home_page.html"

    class Meta:
        verbose_name = _("accueil de la plateforme")
        verbose_name_plural = _("accueils de la plateforme")

    def get_context(self, request, *args, **kwargs):
        from communities.models import Commune

        context = super().get_context(request, *args, **kwargs)
        context["communes"] = Commune.objects.select_related("site").order_by("name")
        return context


class CommuneHomePage(Page):
    """Root of a commune's site: hero, latest news and events, the emergency notice."""

    hero_title = models.CharField(_("titre d'accueil"), max_length=160)
    hero_intro = models.TextField(_("texte d'accueil"), blank=True, max_length=500)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image d'accueil"),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("hero_title"), FieldPanel("hero_intro"), FieldPanel("hero_image")],
            heading=_("Bandeau d'accueil"),
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "mairie_pages.StandardPage",
        "mairie_pages.AnnouncementIndexPage",
        "mairie_pages.EventIndexPage",
        "gazette.GazetteIndexPage",
    ]
    template = "home/commune_home_page.html"

    class Meta:
        verbose_name = _("accueil de commune")
        verbose_name_plural = _("accueils de commune")

    def latest_announcements(self):
        return AnnouncementPage.objects.public_of(under=self)[:LATEST_ANNOUNCEMENTS]

    def upcoming_events(self):
        index = EventIndexPage.objects.child_of(self).live().first()
        return index.upcoming_events()[:UPCOMING_EVENTS] if index else []

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["announcements"] = self.latest_announcements()
        context["events"] = self.upcoming_events()
        context["navigation"] = self.get_children().live().in_menu().specific(defer=True)
        return context
