"""Which pages a member's phone may keep for reading without network.

Only the member's own lists of alerts and of the gazette, as the member reads them: a copy
stays on the device until sign-out, so nothing a member of the mairie's staff or the police
sees (their lists show more), no other page and no filtered or later page of a list.
"""

from communities.models import Commune
from communities.viewer import viewer_facts
from notifications.offline_copy import OFFLINE_COPY_HEADER, OFFLINE_COPY_VALUE


def offline_copy_allowed(*, request, commune: Commune) -> bool:
    """A verified member of one of ``commune``'s communities, with no staff role there,
    reading the first page of a list as it comes (no filter, no page number)."""
    if request.method != "GET" or request.GET or not request.user.is_authenticated:
        return False
    facts = viewer_facts(request=request)
    return facts.verified_member_of(commune) and not facts.roles_in(commune)


def offline_copy_mark(*, request, response, commune: Commune):
    """Mark ``response`` as kept offline when ``offline_copy_allowed``; returns it."""
    if response.status_code == 200 and offline_copy_allowed(request=request, commune=commune):
        response[OFFLINE_COPY_HEADER] = OFFLINE_COPY_VALUE
    return response
