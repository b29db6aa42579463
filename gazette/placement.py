"""Where a gazette page stands: its commune, and the size its photos are kept at.

Read by the page models, by the Wagtail admin's form (which the models name as their
form, so it cannot import them) and by the photo service.
"""

from communities.models import Commune

# Photos of posts are re-encoded to at most this many pixels on their longer side.
PHOTO_MAX_SIDE = 1600


def commune_of_page(page) -> Commune:
    """The commune whose site holds ``page`` (or its parent, for a page not yet saved)."""
    commune = Commune.objects.filter(site__root_page__in=page.get_ancestors(inclusive=True)).first()
    if commune is None:
        raise ValueError("A gazette post must be created inside a commune's site.")
    return commune
