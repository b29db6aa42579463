"""The mairie's public pages: standard pages, announcements and events, with their indexes."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from communities.pagination import LISTING_PAGE_SIZE, page_of
from notifications.models import OutboxMessage

from .announcement_forms import AnnouncementPageForm
from .blocks import BaseStreamBlock
from .calendar import event_to_ical
from .panels import AnnouncementReachPanel


class StandardPage(Page):
    intro = models.TextField(_("chapô"), blank=True, max_length=400)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = [
        "home.CommuneHomePage",
        "home.PlatformHomePage",
        "mairie_pages.StandardPage",
    ]
    subpage_types = ["mairie_pages.StandardPage"]
    template = "mairie_pages/standard_page.html"

    class Meta:
        verbose_name = _("page standard")
        verbose_name_plural = _("pages standard")


class ListingMixin:
    """Paginated children of an index page, newest first, as the template receives them."""

    def paginate(self, request, queryset):
        return page_of(request=request, items=queryset, per_page=LISTING_PAGE_SIZE)


class AnnouncementIndexPage(ListingMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.CommuneHomePage"]
    subpage_types = ["mairie_pages.AnnouncementPage"]
    max_count_per_parent = 1
    template = "mairie_pages/announcement_index_page.html"

    class Meta:
        verbose_name = _("liste des annonces")
        verbose_name_plural = _("listes des annonces")

    def announcements(self):
        return AnnouncementPage.objects.public_of(under=self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["announcements"] = self.paginate(request, self.announcements())
        return context


class AnnouncementQuerySet(PageQuerySet):
    def public_of(self, *, commune=None, under: Page | None = None) -> "AnnouncementQuerySet":
        """The announcements of one commune that anyone may read, newest first.

        The one rule behind every list of announcements (home page, index page, feeds,
        gazette stream and digest, search): live, not past their expiry date (Wagtail
        unpublishes an expired page only when ``publish_scheduled`` runs, and a list must
        not wait for it), without a view restriction, and inside one commune's tree, so
        never another commune's.

        Give ``commune`` for its site's own (French) tree, or ``under`` for a page of it:
        one language's home page, or the index page.
        """
        if (commune is None) == (under is None):
            raise TypeError("Give either commune or under.")
        root = commune.site.root_page if under is None else under
        return (
            self.descendant_of(root)
            .live()
            .public()
            .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=timezone.now()))
            .order_by("-date", "-pk")
        )


class AnnouncementPage(Page):
    """A non-urgent communication of the mairie (it also appears in the gazette)."""

    objects = PageManager.from_queryset(AnnouncementQuerySet)()

    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(
        _("résumé"), max_length=300, help_text=_("Deux ou trois phrases, reprises dans les listes.")
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)
    sms_requested = models.BooleanField(
        _("envoyer aussi par SMS"),
        default=False,
        help_text=_(
            "À la première publication, les membres qui ne reçoivent les nouvelles de la "
            "mairie ni par e-mail ni par notification la recevront aussi par SMS (payant)."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [AnnouncementReachPanel(), FieldPanel("sms_requested")],
            heading=_("Envoi aux habitants"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    base_form_class = AnnouncementPageForm

    parent_page_types = ["mairie_pages.AnnouncementIndexPage"]
    subpage_types = []
    template = "mairie_pages/announcement_page.html"

    class Meta:
        verbose_name = _("annonce")
        verbose_name_plural = _("annonces")


class EventIndexPage(ListingMixin, Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.CommuneHomePage"]
    subpage_types = ["mairie_pages.EventPage"]
    max_count_per_parent = 1
    template = "mairie_pages/event_index_page.html"

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agendas")

    def upcoming_events(self):
        now = timezone.now()
        return (
            EventPage.objects.child_of(self)
            .live()
            .public()
            .filter(models.Q(end__gte=now) | models.Q(end__isnull=True, start__gte=now))
            .order_by("start", "pk")
        )

    def past_events(self):
        now = timezone.now()
        return (
            EventPage.objects.child_of(self)
            .live()
            .public()
            .filter(models.Q(end__lt=now) | models.Q(end__isnull=True, start__lt=now))
            .order_by("-start", "-pk")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        show_past = request.GET.get("periode") == "passes"
        context["show_past"] = show_past
        context["events"] = self.paginate(
            request, self.past_events() if show_past else self.upcoming_events()
        )
        return context


class EventPage(RoutablePageMixin, Page):
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"), null=True, blank=True)
    location = models.CharField(_("lieu"), max_length=255)
    summary = models.TextField(_("résumé"), max_length=300)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("start"), FieldPanel("end")]), FieldPanel("location")],
            heading=_("Date et lieu"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("location"),
        index.SearchField("body"),
    ]

    parent_page_types = ["mairie_pages.EventIndexPage"]
    subpage_types = []
    template = "mairie_pages/event_page.html"

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")

    def clean(self):
        super().clean()
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("La fin de l'événement doit suivre son début.")})

    @path("")
    def event(self, request):
        return self.render(request)

    @path("ics/", name="ics")
    def ics(self, request):
        """The event as an iCalendar file, to add it to a phone's or computer's calendar."""
        response = HttpResponse(
            event_to_ical(self, url=self.get_full_url(request)),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.slug}.ics"'
        return response


class AnnouncementSend(OutboxMessage):
    """An announcement sent to the members who take the mairie's news (an outbox message).

    Written once per announcement, at its first publication in the commune's own language
    (its ``translation_key``): editing and publishing it again, or publishing a
    translation, sends nothing more. Who receives it and in which words is
    ``mairie_pages.outbox``'s answer.
    """

    page = models.ForeignKey(
        AnnouncementPage, on_delete=models.CASCADE, related_name="sends", verbose_name=_("annonce")
    )
    commune = models.ForeignKey(
        "communities.Commune", on_delete=models.CASCADE, related_name="announcement_sends"
    )
    translation_key = models.UUIDField(unique=True)
    by_sms = models.BooleanField(_("aussi par SMS"), default=False)

    class Meta:
        verbose_name = _("envoi d'annonce")
        verbose_name_plural = _("envois d'annonces")
