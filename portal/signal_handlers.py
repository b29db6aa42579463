"""Wiring only: a change to the published pages or a commune's branding makes the anonymous
page cache stale."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from communities.models import Commune, Community

from .page_cache import invalidate_all_pages


def _invalidate(**kwargs):
    invalidate_all_pages()


page_published.connect(_invalidate, dispatch_uid="page_cache_published")
page_unpublished.connect(_invalidate, dispatch_uid="page_cache_unpublished")
post_page_move.connect(_invalidate, dispatch_uid="page_cache_moved")
post_delete.connect(_invalidate, sender=Page, dispatch_uid="page_cache_deleted")
post_save.connect(_invalidate, sender=Commune, dispatch_uid="page_cache_commune")
post_save.connect(_invalidate, sender=Community, dispatch_uid="page_cache_community")
