"""``human_date``: Django's ``date`` filter, with "1er janvier" in French."""

from django import template

from communities.dates import date_display

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def human_date(value, arg=None):
    """``{{ page.date|human_date:"j F Y" }}``: same formats as ``date``, "1er" on the first."""
    if value in (None, ""):
        return ""
    try:
        return date_display(value, arg or "DATE_FORMAT")
    except (AttributeError, TypeError, ValueError):
        return ""
