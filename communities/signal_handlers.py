"""Wiring only: a change to who a member is (membership, groups, account) or to a commune,
community or staff group makes the cached answers of ``communities.viewer`` and
``communities.selectors.commune_for_site`` stale."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import Site

from .models import Commune, CommuneGroup, Community, Membership
from .selectors import commune_cache_invalidate
from .viewer import viewer_facts_invalidate, viewer_forget


def _membership_changed(instance, **kwargs):
    viewer_forget(user_pk=instance.user_id)


def _user_changed(instance, **kwargs):
    viewer_forget(user_pk=instance.pk)


def _groups_changed(instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        viewer_forget(user_pk=instance.pk)
    elif pk_set:
        for user_pk in pk_set:
            viewer_forget(user_pk=user_pk)
    else:
        # A group emptied at once: its former members are not known here.
        viewer_facts_invalidate()


def _everybody(**kwargs):
    viewer_facts_invalidate()


def _communes_changed(**kwargs):
    commune_cache_invalidate()
    viewer_facts_invalidate()


def _logo_changed(instance, **kwargs):
    if Commune.objects.filter(logo=instance).exists():
        commune_cache_invalidate()


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_membership_changed, sender=Membership, dispatch_uid=f"viewer_m_{signal}")
        signal.connect(
            _user_changed, sender=settings.AUTH_USER_MODEL, dispatch_uid=f"viewer_u_{signal}"
        )
        signal.connect(_everybody, sender=CommuneGroup, dispatch_uid=f"viewer_cg_{signal}")
        signal.connect(_everybody, sender=Group, dispatch_uid=f"viewer_g_{signal}")
        signal.connect(_communes_changed, sender=Community, dispatch_uid=f"viewer_cy_{signal}")
        signal.connect(_communes_changed, sender=Commune, dispatch_uid=f"viewer_ce_{signal}")
        signal.connect(_communes_changed, sender=Site, dispatch_uid=f"viewer_s_{signal}")
        signal.connect(_logo_changed, sender=get_image_model(), dispatch_uid=f"viewer_i_{signal}")
    m2m_changed.connect(
        _groups_changed,
        sender=Group.user_set.through,
        dispatch_uid="viewer_groups",
    )
