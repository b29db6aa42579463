"""The alerts a page may show: the one visibility rule, narrowed to the site's commune."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from alerts.models import Alert

PAGE_SIZE = 20


def alerts_seen(request, commune) -> QuerySet[Alert]:
    """What ``request.user`` may see of ``commune``'s alerts (``Alert.objects.visible_to``)."""
    return (
        Alert.objects.visible_to(request.user)
        .filter(commune=commune)
        .select_related("community", "author", "commune")
    )


def alert_or_404(request, commune, pk, **annotations) -> Alert:
    """One alert of this commune that the user may see; any other number is a 404.
    ``annotations`` are read in the same query (the page's cache key)."""
    alerts = alerts_seen(request, commune).select_related("police_taken_by")
    return get_object_or_404(alerts.annotate(**annotations), pk=pk)
