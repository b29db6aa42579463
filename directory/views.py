"""The directory: verified neighbours find each other, each showing only what they chose.

Views stay thin: who is listed and which fields show come from ``accounts.profiles``.
Anyone who may not see a member gets a 404, as if the member did not exist.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.member_language import in_member_language
from accounts.profiles import (
    SEARCH_MAX_LENGTH,
    directory_communities,
    directory_entries,
    directory_members,
    directory_open_to,
    directory_viewer,
)
from communities.member_pages import (
    member_page_cached,
    member_page_conditions_fill,
    member_page_share,
)
from communities.memberships import active_membership
from communities.pagination import page_of
from communities.selectors import commune_for_request
from communities.viewer import viewer_facts

from .member_access import photo_response, visible_member
from .shared_pages import PAGE_MAX_AGE, SCOPE

PAGE_SIZE = 20


def _closed(request):
    """The directory is not open to this member (yet): say why, with a 404 status."""
    membership = active_membership(user=request.user)
    return render(request, "directory/closed.html", {"membership": membership}, status=404)


@in_member_language
@require_GET
@login_required
def member_list(request):
    commune = commune_for_request(request=request)
    if commune is None:  # the platform's own site: the same list, never shared
        response = _member_list(request, None)
        response.content = member_page_conditions_fill(request, response.content.decode())
        return response
    return _shared_member_list(request, commune)


def _member_list(request, commune):
    viewer = directory_viewer(request=request)
    if not directory_open_to(viewer=viewer):
        return _closed(request)
    communities = directory_communities(viewer=viewer)
    community = None
    community_id = request.GET.get("communaute", "")
    if community_id.isdigit():
        community = communities.filter(pk=community_id).first()
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]

    members = directory_members(viewer=viewer, community=community, query=query)
    page = page_of(request=request, items=members, per_page=PAGE_SIZE)
    membership = viewer_facts(request=request).verified_membership
    if (
        commune is not None
        and not query
        and membership is not None
        and membership.community.commune_id == commune.pk
    ):
        # A resident's list on their commune's site: every neighbour reads the same page
        # (searches, being the reader's own, are not kept).
        member_page_share(request)
    return render(
        request,
        "directory/member_list.html",
        {
            "entries": directory_entries(
                viewer=viewer, members=page.object_list, own_as_neighbours=True
            ),
            "items": page,
            "query": query,
            "communities": communities,
            "community": community,
            # Staff choose among their communes' communities; a resident reads their own.
            "show_community": bool(viewer.staff_commune_ids) and communities.exists(),
        },
    )


_shared_member_list = member_page_cached(scopes=(SCOPE,), timeout=PAGE_MAX_AGE)(_member_list)


def _visible_member(request, pk):
    return visible_member(viewer=request.user, member_id=pk)


@in_member_language
@require_GET
@login_required
def member_profile(request, pk):
    member, fields = _visible_member(request, pk)
    return render(
        request,
        "directory/member_profile.html",
        {"member": member, "fields": fields, "is_self": member.pk == request.user.pk},
    )


@in_member_language
@require_GET
@login_required
def member_photo(request, pk):
    """A member's photo, for those allowed to see it only: never a public media URL."""
    _member, fields = _visible_member(request, pk)
    return photo_response(fields)
