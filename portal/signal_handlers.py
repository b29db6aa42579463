"""Wiring only: a change to the published pages, their privacy or a commune's branding makes
the anonymous page cache and the cached menus stale; a changed site or commune, the cached
host → site answers."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from communities.models import Commune, Community

from .page_cache import invalidate_all_pages
from .site_lookup import site_lookups_invalidate


def _invalidate(**kwargs):
    invalidate_all_pages()


def _invalidate_sites(**kwargs):
    site_lookups_invalidate()
    invalidate_all_pages()


page_published.connect(_invalidate, dispatch_uid="page_cache_published")
page_unpublished.connect(_invalidate, dispatch_uid="page_cache_unpublished")
post_page_move.connect(_invalidate, dispatch_uid="page_cache_moved")
post_delete.connect(_invalidate, sender=Page, dispatch_uid="page_cache_deleted")
post_save.connect(_invalidate, sender=Community, dispatch_uid="page_cache_community")
post_save.connect(_invalidate, sender=PageViewRestriction, dispatch_uid="page_cache_privacy")
post_delete.connect(_invalidate, sender=PageViewRestriction, dispatch_uid="page_cache_public")
post_save.connect(_invalidate_sites, sender=Site, dispatch_uid="site_lookup_site_saved")
post_delete.connect(_invalidate_sites, sender=Site, dispatch_uid="site_lookup_site_deleted")
post_save.connect(_invalidate_sites, sender=Commune, dispatch_uid="site_lookup_commune_saved")
post_delete.connect(_invalidate_sites, sender=Commune, dispatch_uid="site_lookup_commune_deleted")
