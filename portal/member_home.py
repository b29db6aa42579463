"""A member's own page on their commune's site (``/mon-quartier/``), where sign-in lands.

It gathers what a resident opens the site for: the alerts running now, the latest of the
gazette and their conversations. It lives here, above the domains, because it reads
alerts, the gazette and messaging at once; each block asks its domain's own selector, so
what it shows follows the one visibility rule of each. Its query count does not grow with
the number of alerts, posts or conversations (tests/test_member_home.py asserts it).
"""

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from alerts.models import Alert
from communities.commune_site import commune_site_view
from communities.memberships import active_membership
from communities.models import MembershipStatus
from gazette.selectors import gazette_stream_for, stream_items
from messaging.inbox import conversations_of_cached

RUNNING_ALERTS_SHOWN = 5
GAZETTE_ITEMS_SHOWN = 4
CONVERSATIONS_SHOWN = 4


@require_GET
@commune_site_view
def member_home(request, commune):
    """The member's community: running alerts, the latest gazette, their conversations."""
    membership = active_membership(user=request.user)
    if membership is None or membership.community.commune_id != commune.pk:
        # Staff of the mairie and other communes' residents have no community here.
        return redirect("/")
    if membership.status == MembershipStatus.PENDING:
        return redirect("accounts:pending")

    running = (
        Alert.objects.visible_to(request.user)
        .filter(commune=commune)
        .active()
        .select_related("community", "author", "commune")
        .order_by("-created_at", "-pk")
    )
    alerts = list(running[: RUNNING_ALERTS_SHOWN + 1])
    stream = gazette_stream_for(viewer=request.user, commune=commune)
    gazette = stream_items(stream[:GAZETTE_ITEMS_SHOWN])
    conversations = conversations_of_cached(user=request.user)
    return render(
        request,
        "portal/member_home.html",
        {
            "membership": membership,
            "community": membership.community,
            "alerts": alerts[:RUNNING_ALERTS_SHOWN],
            "more_alerts": len(alerts) > RUNNING_ALERTS_SHOWN,
            "gazette": gazette,
            "conversations": conversations[:CONVERSATIONS_SHOWN],
            "more_conversations": len(conversations) > CONVERSATIONS_SHOWN,
            "now": timezone.now(),
        },
    )
