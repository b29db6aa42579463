"""How the dashboard writes its figures: small counts hidden, trends and waits in words."""

from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()

SMALL_COUNT = 5


@register.filter
def small_count(value: int, exact: bool) -> str:
    """A community's count as shown: "< 5" for 1 to 4 unless ``exact`` (administrators)."""
    if not exact and 0 < value < SMALL_COUNT:
        return _("< 5")
    return str(value)


@register.filter
def trend_words(trend) -> str:
    """ "en hausse de 3", "en baisse de 2" or "stable", against the period before."""
    if trend.change > 0:
        return _("en hausse de %(n)s") % {"n": trend.change}
    if trend.change < 0:
        return _("en baisse de %(n)s") % {"n": -trend.change}
    return _("stable")


@register.filter
def trend_sign(trend) -> str:
    """ "+3", "−2" or "=": the arrow-free short form, written out in ``trend_words``."""
    if trend.change > 0:
        return f"+{trend.change}"
    if trend.change < 0:
        return f"−{-trend.change}"
    return "="


@register.filter
def duration(value: timedelta | None) -> str:
    """A wait in the largest units that matter: "3 j 4 h", "2 h 05 min", "7 min"."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)s j %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


@register.filter
def lookup(mapping: dict, key):
    return mapping.get(key)


@register.filter
def signed(value: int) -> str:
    """ "+3", "−2" or "0": a change with its sign written out."""
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"−{-value}"
    return "0"
