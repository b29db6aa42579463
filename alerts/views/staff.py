"""The mairie's and police's tools on an alert's site pages: the call list of members the
alert did not reach, for referents to phone, and the author's phone to call the witness."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from accounts.profiles import directory_entries
from alerts.permissions import alert_rights
from alerts.progress import UnreachableReason, unreachable_memberships, unreachable_reason
from alerts.services import alert_author_phone_show
from communities.commune_site import commune_site_view
from communities.pagination import page_of

from .pages import alert_detail_render
from .scope import alert_or_404

CALL_LIST_PAGE_SIZE = 50


@require_GET
@commune_site_view
def alert_call_list(request, commune, pk):
    """Members the alert could not reach, for referents to phone: alert staff only.

    Phone numbers and e-mail addresses show as the directory's rule lets this viewer see
    them (``accounts.profiles``): a member who hid a field from the mairie keeps it hidden.
    """
    alert = alert_or_404(request, commune, pk)
    if not alert_rights(user=request.user, alert=alert).sees_call_list:
        raise Http404
    page = page_of(
        request=request, items=unreachable_memberships(alert=alert), per_page=CALL_LIST_PAGE_SIZE
    )
    memberships = list(page.object_list)
    fields = {
        entry.member.pk: entry.fields
        for entry in directory_entries(
            viewer=request.user, members=[membership.user for membership in memberships]
        )
    }
    rows = [
        {
            "membership": membership,
            "reason": UnreachableReason.LABELS[unreachable_reason(membership)],
            "fields": fields.get(membership.user_id, {}),
        }
        for membership in memberships
    ]
    first = alert.messages.filter(kind="alert").order_by("created_at", "pk").first()
    return render(
        request,
        "alerts/call_list.html",
        {
            "alert": alert,
            "items": page,
            "rows": rows,
            "prepared": first is not None and first.fanned_out_at is not None,
        },
    )


@require_POST
@commune_site_view
def alert_author_phone_post(request, commune, pk):
    """The alert's page with its author's phone shown, the consultation recorded in its
    history: the commune's alert staff with two-factor authentication only (404 otherwise,
    as for an alert they may not read)."""
    alert = alert_or_404(request, commune, pk)
    try:
        phone = alert_author_phone_show(alert=alert, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    return alert_detail_render(request, alert, author_phone=phone)
