"""Place names inside sentences, with French contractions (``communities.wording``)."""

from django import template

from communities import wording

register = template.Library()


@register.filter
def of_place(name) -> str:
    """``{{ community.name|of_place }}``: "des Graves", "du Bouscat", "d'Eysines"."""
    return wording.of_place(str(name))


@register.filter
def at_place(name) -> str:
    """``{{ community.name|at_place }}``: "aux Graves", "au Bouscat", "à Cadaujac"."""
    return wording.at_place(str(name))


@register.filter
def mairie_of(name) -> str:
    """``{{ commune.name|mairie_of }}``: "Mairie de Cadaujac", "Mairie du Haillan"."""
    return wording.mairie_of(str(name))
