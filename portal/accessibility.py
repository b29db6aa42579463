"""The accessibility statement (RGAA *déclaration d'accessibilité*) of every site.

Served at the same address on every commune's site and on the platform's
(``/accessibilite/``, ``/en/accessibilite/``), linked from every footer with the conformity
state, as RGAA asks. Its figures are those of a dated measurement: the automated checks of
``tests/browser/test_accessibility.py`` run over ``CHECKED_PAGES`` (which that test keeps
free of serious and critical violations). Update ``MEASUREMENT`` and the state when an
audit or a new measurement is made.

The state follows RGAA's rule, not a guess: "non conforme" as long as no RGAA audit (the
106 criteria over a sample of pages) has been carried out, whatever automated tools say;
"partiellement conforme" from 50 % of the criteria met in such an audit.
"""

import datetime
from dataclasses import dataclass

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from communities.models import Commune
from communities.selectors import commune_for_request

RGAA_VERSION = "4.1.2"
CONFORMITY = _("non conforme")


@dataclass(frozen=True)
class CheckedPage:
    site: str  # a demo commune ("cadaujac", "didenheim") or "platform"
    path: str
    label: str
    signed_in: bool = False


# The pages the automated checks visit on the demo data, signed-in ones as a resident.
CHECKED_PAGES = [
    CheckedPage("cadaujac", "/", _("Accueil d'une commune")),
    CheckedPage("cadaujac", "/en/", _("Accueil d'une commune, en anglais")),
    CheckedPage("cadaujac", "/actualites/", _("Actualités")),
    CheckedPage("cadaujac", "/actualites/travaux-route-de-bordeaux/", _("Une annonce")),
    CheckedPage("cadaujac", "/agenda/", _("Agenda")),
    CheckedPage("cadaujac", "/agenda/reunion-voisins-vigilants/", _("Un événement")),
    CheckedPage("cadaujac", "/contacts/", _("Une page de la mairie")),
    CheckedPage("cadaujac", "/accounts/login/", _("Connexion")),
    CheckedPage("cadaujac", "/accessibilite/", _("Déclaration d'accessibilité")),
    CheckedPage("didenheim", "/", _("Accueil d'une autre commune")),
    CheckedPage("platform", "/", _("Accueil de la plateforme")),
    CheckedPage("cadaujac", "/gazette/", _("Gazette (membres)"), signed_in=True),
    CheckedPage("cadaujac", "/alertes/", _("Alertes (membres)"), signed_in=True),
    CheckedPage("cadaujac", "/annuaire/", _("Annuaire des voisins (membres)"), signed_in=True),
    CheckedPage("cadaujac", "/messages/", _("Messages (membres)"), signed_in=True),
    CheckedPage("cadaujac", "/compte/", _("Mon compte (membres)"), signed_in=True),
    CheckedPage("cadaujac", "/publier/", _("Publier dans la gazette (membres)"), signed_in=True),
]


@dataclass(frozen=True)
class Measurement:
    date: datetime.date
    tool: str
    browser: str
    rules: str
    pages: int
    serious_or_critical: int
    moderate_or_minor: int


MEASUREMENT = Measurement(
    date=datetime.date(2026, 12, 2),
    tool="axe-core 4.12.1",
    browser="Chromium 156",
    rules="WCAG 2.0 / 2.1, A & AA",
    pages=len(CHECKED_PAGES),
    serious_or_critical=0,
    moderate_or_minor=0,
)


def accessibility_statement(request):
    """The statement, for the commune whose site is browsed or for the whole platform."""
    communes = None
    if commune_for_request(request=request) is None:
        # On the platform's site, each mairie answers for its own commune's site.
        communes = Commune.objects.select_related("site").order_by("name")
    return render(
        request,
        "portal/accessibility_statement.html",
        {
            "rgaa_version": RGAA_VERSION,
            "conformity": CONFORMITY,
            "measurement": MEASUREMENT,
            "checked_pages": CHECKED_PAGES,
            "communes": communes,
        },
    )
