"""Wagtail's admin in our French: the Wagtail strings staff see most often, overridden.

Wagtail's own French catalogue leaves a few of them wrong ("Modification de Annonce",
"Pages crées", "2 Image créée") or awkward with our workflow names ("Soumettre à Gazette —
Cadaujac"). Our catalogue (``LOCALE_PATHS``) is searched before every app's, so an entry there
with Wagtail's msgid wins. ``make messages`` runs ``makemessages --no-obsolete``, which drops
every msgid that no source file of ours marks: the markers below keep these in our catalogue.
The module is only read by ``makemessages``; nothing uses its values.

Where Wagtail never passes a label through gettext at all (the Sites listing builds two of its
column headers from field names, so they stay "Site name" and "Root page" in every language),
``sites_listing_headers_translate`` gives those columns the models' translated names.
"""

from django.utils.text import capfirst
from django.utils.translation import gettext_noop, ngettext_lazy

WAGTAIL_MSGIDS_OVERRIDDEN = [
    # The page editor's action menu; our workflows are named after what they validate.
    gettext_noop("Submit to %(workflow_name)s"),
    # The editors' headers: Wagtail's French gives "Modification de Annonce" (no elision).
    gettext_noop("Editing %(page_type)s"),
    gettext_noop("Editing %(task_type)s"),
    gettext_noop("Editing workflow"),
    # The task type: Wagtail's French says "Groupe d'approbation de tâche" (a group of tasks).
    gettext_noop("Group approval task"),
    gettext_noop("Group approval tasks"),
    # The dashboard's summary: Wagtail's French has "Pages crées", "2 Image créée"; with our
    # catalogue's plural rule (n > 1), the second form is the one every count above 1 uses.
    ngettext_lazy(
        '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
    ngettext_lazy(
        '%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
        '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
        "total",
    ),
]


def sites_listing_headers_translate() -> None:
    """Head the Sites listing's "site_name" and "root_page" columns with the fields' own
    (translated) names instead of the field names Wagtail falls back to."""
    from wagtail.models import Site
    from wagtail.sites.views import IndexView

    for column in IndexView.columns:
        if column.name in ("site_name", "root_page"):
            column.label = capfirst(Site._meta.get_field(column.name).verbose_name)
