"""Who may act on which commune's records: the tenant rule behind every admin screen.

A model permission (``communities.change_community``…) is granted to a role through that
commune's staff group, so it reaches that commune's records only. Superusers, the platform
team, hold every permission on every commune.
"""

from collections.abc import Iterable

from django.db.models import QuerySet
from wagtail.images import get_image_model
from wagtail.models import Collection, Page
from wagtail.permissions import policy_registry

from .models import Commune


def communes_granting(*, user, permissions: Iterable[str]) -> QuerySet[Commune]:
    """Communes in which ``user`` holds any of ``permissions`` ("app_label.codename").

    Protects tenancy: a permission held through Cadaujac's group never reaches Didenheim's
    records, and a permission held outside any commune group reaches no commune at all.
    The rule itself is ``Commune.objects.granting``, which the commune's admin history
    (``CommuneLogEntry``) reads too.
    """
    return Commune.objects.granting(user=user, permissions=permissions)


def images_for_commune_branding(*, commune: Commune) -> QuerySet:
    """Images a commune may use as its logo: those of its own media collection (or below).

    Keeps one commune's branding from pointing at another commune's media.
    """
    collections = Collection.objects.descendant_of(commune.collection, inclusive=True)
    return get_image_model().objects.filter(collection__in=collections)


def pages_visible_in_admin(*, user) -> QuerySet[Page]:
    """Pages ``user`` may see anywhere in the admin, choosers included.

    Those at or below a page on which the user holds a page permission (their commune's
    tree) and the ancestors leading there; every page for superusers. Keeps another
    commune's page titles, drafts included, out of the page chooser.
    """
    return policy_registry.get_by_type(Page).explorable_instances(user)


def media_visible_in_admin(*, user, model) -> QuerySet:
    """Images or documents (``model``) that ``user`` may see anywhere in the admin.

    Those of the collections where the user holds a media permission (their commune's);
    every file for superusers. Keeps another commune's file titles out of admin listings.
    """
    return policy_registry.get_by_type(model).instances_user_has_any_permission_for(
        user, ["add", "change", "delete", "choose"]
    )


def user_sees_every_commune(*, user) -> bool:
    """Only the platform team reads reports that aggregate every commune's content."""
    return user.is_active and user.is_superuser


def sms_budget_settable(*, user) -> bool:
    """Only the platform team sets a commune's SMS budget: it is what the platform bills,
    and a mairie that could raise its own would make the budget meaningless."""
    return user.is_active and user.is_superuser
