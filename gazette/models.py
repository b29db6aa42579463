"""The gazette: neighbours' posts (Wagtail pages) that never leave their audience.

A post belongs to one commune's tree and is aimed at one community (a resident's post to
their own), several, or the whole commune (no community chosen). Wagtail's page privacy
knows nothing of communities, so every read path goes through
``GazettePost.objects.visible_to(user)``; Wagtail images are always public, so a post's
photos are not Wagtail images but ``GazettePhoto`` files in private storage, served only
through a view that asks the same rule.
"""

import secrets

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from communities.audience import audience_q, targets_of, viewer_scope
from communities.member_pages import member_page_cached, member_page_share
from communities.offline_copy import offline_copy_mark
from communities.pagination import LISTING_PAGE_SIZE, page_of
from communities.selectors import commune_for_request

from .admin_forms import GazettePostAdminForm
from .placement import commune_of_page
from .shared_pages import SCOPE

CLASSIFIED_LIFETIME_DAYS = 30
MAX_BODY = 5000
MAX_PHOTOS = 4


class GazetteCategory(models.TextChoices):
    CLASSIFIED = "classified", _("Petite annonce")
    HELP = "help", _("Entraide / demande d'aide")
    LOST_FOUND = "lost_found", _("Objet ou animal perdu / trouvé")
    LOAN = "loan", _("Prêt d'objet")
    CARPOOL = "carpool", _("Covoiturage")
    NEIGHBOURHOOD_EVENT = "event", _("Événement de quartier")
    MINUTES = "minutes", _("Compte rendu")
    MAIRIE = "mairie", _("Communication de la mairie")
    OTHER = "other", _("Autre")


# What residents may choose; the mairie's communications are written by its staff.
RESIDENT_CATEGORIES = [c for c in GazetteCategory if c != GazetteCategory.MAIRIE]


class GazettePostQuerySet(PageQuerySet):
    def visible_to(self, user):
        """The one visibility rule for gazette posts, on every read path.

        Published, not hidden by a moderator, not expired, and aimed at the viewer: the
        verified members of the targeted communities (all of the commune's when none is
        targeted) and the commune's staff. Anonymous visitors and members of other
        communes or communes see nothing. An author's own drafts and hidden posts are
        reached through ``authored_by``, never through this.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        live = (
            self.live()
            .filter(hidden_at=None)
            .filter(Q(expires_at=None) | Q(expires_at__gt=timezone.now()))
        )
        if user.is_superuser:
            return live
        scope = viewer_scope(user=user)
        targets = targets_of(GazettePost.communities.through, fk="gazettepost_id")
        return live.filter(
            Q(commune__in=scope.staff_communes) | audience_q(scope=scope, targets=targets)
        )

    def authored_by(self, user):
        return self.filter(author=user) if user.is_authenticated else self.none()


class GazetteIndexPage(Page):
    """The gazette of one commune: the root of its posts, listed for its members only."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["home.CommuneHomePage"]
    subpage_types = ["gazette.GazettePost"]
    max_count_per_parent = 1
    template = "gazette/gazette_index_page.html"

    class Meta:
        verbose_name = _("gazette")
        verbose_name_plural = _("gazettes")

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{settings.LOGIN_URL}?next={request.path}")
        commune = commune_for_request(request=request)
        if commune is None:
            return self._serve_listing(request, self.commune(), *args, **kwargs)
        # The site's commune (from the cache) is the commune of its gazette.
        self._commune = commune
        return _shared_listing(request, commune, self, *args, **kwargs)

    def _serve_listing(self, request, commune, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        member_page_share(request)
        # A member's phone keeps a copy of the list to read offline.
        return offline_copy_mark(request=request, response=response, commune=commune)

    def get_sitemap_urls(self, request=None):
        return []  # a members-only listing

    def get_context(self, request, *args, **kwargs):
        from .selectors import gazette_stream_for, stream_items
        from .services.authors import gazette_author_for

        context = super().get_context(request, *args, **kwargs)
        category = request.GET.get("categorie")
        category = category if category in GazetteCategory.values else ""
        commune = self.commune()
        stream = gazette_stream_for(viewer=request.user, commune=commune, category=category)
        # As many posts and announcements a page as the mairie's own lists.
        page = page_of(request=request, items=stream, per_page=LISTING_PAGE_SIZE)
        context["posts"] = page
        context["items"] = stream_items(page)
        context["categories"] = GazetteCategory.choices
        context["category"] = category
        context["can_post"] = gazette_author_for(user=request.user, commune=commune) is not None
        return context

    def commune(self):
        # Asked twice a request (the list, the offline copy) on the same page object.
        if getattr(self, "_commune", None) is None:
            self._commune = commune_of_page(self)
        return self._commune


# Seconds a shared copy of the gazette lives (``communities.member_pages``): a published,
# hidden or edited post makes it stale at once; this bounds a classified ad that expires.
LISTING_MAX_AGE = 60


@member_page_cached(scopes=(SCOPE,), timeout=LISTING_MAX_AGE)
def _shared_listing(request, commune, page, *args, **kwargs):
    """The gazette as the members of one community read it (the same rule for all of
    them, ``GazettePost.objects.visible_to``), served whole from their shared copy."""
    return page._serve_listing(request, commune, *args, **kwargs)


def _photo_upload_to(instance, filename):
    return f"gazette/{secrets.token_hex(16)}.jpg"


def _private_storage():
    from django.core.files.storage import storages

    return storages["private"]


class GazettePost(Page):
    commune = models.ForeignKey(
        "communities.Commune",
        on_delete=models.PROTECT,
        related_name="gazette_posts",
        editable=False,
        verbose_name=_("commune"),
    )
    category = models.CharField(_("catégorie"), max_length=12, choices=GazetteCategory.choices)
    body = models.TextField(_("texte"), max_length=MAX_BODY)
    communities = ParentalManyToManyField(
        "communities.Community",
        blank=True,
        related_name="gazette_posts",
        verbose_name=_("communautés visées"),
        help_text=_("Aucune cochée : toute la commune (ses membres vérifiés et la mairie)."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gazette_posts",
        verbose_name=_("auteur"),
    )
    expires_at = models.DateTimeField(
        _("expire le"),
        null=True,
        blank=True,
        help_text=_("Les petites annonces expirent par défaut au bout de 30 jours."),
    )
    hidden_at = models.DateTimeField(_("masquée le"), null=True, blank=True, editable=False)
    # Written by the mairie's staff for the mairie (not as a resident): signed with the
    # mairie's name, never the staff member's own.
    from_mairie = models.BooleanField(_("publiée par la mairie"), default=False, editable=False)
    # The author's batched notices of new comments (gazette.comment_notices): the last
    # comment announced, and when.
    comments_notified_id = models.BigIntegerField(default=0, editable=False)
    comments_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PageManager.from_queryset(GazettePostQuerySet)()

    base_form_class = GazettePostAdminForm
    content_panels = [
        *Page.content_panels,
        FieldPanel("category"),
        FieldPanel("body"),
        FieldPanel("communities", widget=forms.CheckboxSelectMultiple),
        FieldPanel("expires_at"),
        InlinePanel("photos", label=_("Photos"), max_num=MAX_PHOTOS),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("body"),
        index.FilterField("commune"),
        index.FilterField("category"),
        index.FilterField("hidden_at"),
        index.FilterField("expires_at"),
    ]
    parent_page_types = ["gazette.GazetteIndexPage"]
    subpage_types = []
    template = "gazette/gazette_post.html"

    class Meta:
        verbose_name = _("publication de la gazette")
        verbose_name_plural = _("publications de la gazette")
        indexes = [models.Index(fields=["commune", "category"])]

    def save(self, *args, **kwargs):
        if not self.commune_id:
            # Wagtail gives a new page its tree path (from the parent) before saving it.
            self.commune = commune_of_page(Page.objects.get(path=self.path[: -self.steplen]))
        super().save(*args, **kwargs)

    def get_sitemap_urls(self, request=None):
        return []  # members' content is never listed publicly

    def audience_label(self) -> str:
        names = [community.name for community in self.communities.all()]
        return ", ".join(names) if names else str(_("Toute la commune"))

    def get_context(self, request, *args, **kwargs):
        from moderation.reportables import reported_by

        from .forms import CommentForm, ReportForm
        from .selectors import comments_for
        from .services.comments import may_comment

        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["comments"] = comments_for(viewer=user, post=self)
        context["may_comment"] = may_comment(user=user, post=self)
        context["is_author"] = user.is_authenticated and self.author_id == user.pk
        context["reported"] = reported_by(content=self, user=user)
        context["comment_form"] = CommentForm()
        context["report_form"] = ReportForm(prefix="report")
        return context

    def serve(self, request, *args, **kwargs):
        if not GazettePost.objects.visible_to(request.user).filter(pk=self.pk).exists():
            if not request.user.is_authenticated:
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
            raise Http404
        return super().serve(request, *args, **kwargs)


class GazettePhoto(Orderable):
    """A post's photo: re-encoded without metadata, kept private, served by permission."""

    post = ParentalKey(GazettePost, on_delete=models.CASCADE, related_name="photos")
    file = models.ImageField(
        _("photo"),
        storage=_private_storage,
        upload_to=_photo_upload_to,
        width_field="width",
        height_field="height",
        max_length=200,
    )
    width = models.PositiveIntegerField(editable=False, default=0)
    height = models.PositiveIntegerField(editable=False, default=0)
    alt_text = models.CharField(
        _("description de la photo"),
        max_length=200,
        blank=True,
        help_text=_("Pour les personnes qui ne voient pas l'image : que montre-t-elle ?"),
    )

    panels = [FieldPanel("file"), FieldPanel("alt_text")]

    class Meta(Orderable.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class Comment(models.Model):
    """A neighbour's comment on a post: the neighbours' discussions."""

    post = models.ForeignKey(GazettePost, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="gazette_comments",
        verbose_name=_("auteur"),
    )
    text = models.TextField(_("commentaire"), max_length=2000)
    # Written by a staff member who is not a resident of the commune: signed by the mairie.
    from_mairie = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("publié le"), auto_now_add=True)
    edited_at = models.DateTimeField(_("modifié le"), null=True, blank=True)
    hidden_at = models.DateTimeField(_("masqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self):
        return f"{self.author_id} → {self.post_id}"
