"""The directory over the API: ``accounts.profiles``, the one rule of who sees which field.

The list is the site's (``directory_members``: verified neighbours of one's community, every
community of the commune for its staff, searched by name or visible interests), each
member with exactly the fields the profile page would show the caller.
"""

import base64
import json

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from accounts.profiles import (
    PROFILE_FIELDS,
    SEARCH_MAX_LENGTH,
    DirectoryEntry,
    DirectoryViewer,
    directory_communities,
    directory_entries,
    directory_members,
    directory_open_to,
)
from directory.member_access import photo_response, visible_member
from messaging.services import recipients_writable

from .listing import DEFAULT_LIMIT, MAX_LIMIT, PageInfo, etag_response
from .problems import Problem, problem_response

router = Router(tags=["Annuaire"])


class MemberOut(Schema):
    id: int
    name: str
    community: str
    sms_only: bool = Field(
        ..., description="Participe par SMS seulement : pas d'e-mail, pas de messagerie."
    )
    shown: list[str] = Field(
        ...,
        description=(
            "Les champs que ce membre vous montre (photo, address, phone, email, interests, "
            "bio) ; les autres valent null."
        ),
    )
    photo_url: str | None
    address: str | None
    phone: str | None
    email: str | None
    interests: str | None
    bio: str | None
    can_write: bool = Field(..., description="Vous pouvez lui écrire (POST /conversations/).")
    profile_url: str


class MemberList(Schema):
    items: list[MemberOut]
    page: PageInfo


class CommunityOut(Schema):
    id: int
    name: str
    commune: str


def _member_data(*, member, community_name: str, fields: dict, writable: set[int]) -> dict:
    shown = [name for name in PROFILE_FIELDS if name in fields]
    phone = fields.get("phone")
    return {
        "id": member.pk,
        "name": fields["name"],
        "community": community_name,
        "sms_only": fields["sms_only"],
        "shown": shown,
        "photo_url": reverse("api-1:directory_photo", kwargs={"member_id": member.pk})
        if fields.get("photo")
        else None,
        "address": fields.get("address"),
        "phone": str(phone) if phone else None,
        "email": fields.get("email"),
        "interests": fields.get("interests"),
        "bio": fields.get("bio"),
        "can_write": member.pk in writable,
        "profile_url": reverse("directory:profile", kwargs={"pk": member.pk}),
    }


# The directory is ordered by names: its cursor names the last member of a page.
def _cursor_encode(member) -> str:
    raw = json.dumps([member.last_name, member.first_name, member.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_decode(cursor: str):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        last_name, first_name, pk = json.loads(base64.urlsafe_b64decode(padded))
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    if not (isinstance(last_name, str) and isinstance(first_name, str) and isinstance(pk, int)):
        return None
    return last_name, first_name, pk


def _after(members, cursor: str | None):
    position = _cursor_decode(cursor) if cursor else None
    if position is None:
        # As a page number on the site: a cursor the API did not write gives the first page.
        return members
    last_name, first_name, pk = position
    return members.filter(
        Q(last_name__gt=last_name)
        | Q(last_name=last_name, first_name__gt=first_name)
        | Q(last_name=last_name, first_name=first_name, pk__gt=pk)
    )


def _closed():
    return problem_response(
        status=403,
        detail=_(
            "L'annuaire est réservé aux membres vérifiés de la communauté et à l'équipe de la "
            "mairie."
        ),
    )


@router.get(
    "/",
    response={200: MemberList, 304: None, 403: Problem},
    summary="Annuaire des voisins",
    description=(
        "Les membres vérifiés que le membre peut voir, par ordre alphabétique, chacun avec les "
        "seuls champs qu'il lui montre. `q` cherche dans les noms et les savoir-faire visibles ; "
        "`community` (équipe de la mairie) restreint à une communauté de "
        "`GET /directory/communities`. Pagination par curseur ; `ETag`."
    ),
)
def directory_list(
    request,
    q: str = Query("", max_length=SEARCH_MAX_LENGTH),
    community: int | None = None,
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
):
    # Who asks, read once for every question below (an app's token signs no session in).
    viewer = DirectoryViewer.of(request.auth)
    if not directory_open_to(viewer=viewer):
        return _closed()
    chosen = None
    if community is not None:
        # As the site's filter: a community one may not choose narrows nothing.
        chosen = directory_communities(viewer=viewer).filter(pk=community).first()
    members = directory_members(viewer=viewer, community=chosen, query=q)
    rows = list(_after(members, cursor)[: limit + 1])
    next_cursor = _cursor_encode(rows[limit - 1]) if len(rows) > limit else None
    entries: list[DirectoryEntry] = directory_entries(viewer=viewer, members=rows[:limit])
    writable = recipients_writable(
        author=request.auth, member_ids=[entry.member.pk for entry in entries], viewer=viewer
    )
    data = MemberList(
        items=[
            _member_data(
                member=entry.member,
                community_name=entry.community_name,
                fields=entry.fields,
                writable=writable,
            )
            for entry in entries
        ],
        page={"next_cursor": next_cursor, "limit": limit},
    )
    return etag_response(request, data.model_dump(mode="json"))


@router.get(
    "/communities",
    response=list[CommunityOut],
    summary="Communautés de l'annuaire",
    description="Celles auxquelles l'équipe de la mairie peut restreindre l'annuaire.",
)
def directory_community_list(request):
    return [
        {"id": item.pk, "name": item.name, "commune": item.commune.name}
        for item in directory_communities(viewer=request.auth).order_by("commune__name", "name")
    ]


def _visible_member(request, member_id):
    return visible_member(viewer=request.auth, member_id=member_id)


@router.get(
    "/{int:member_id}",
    response={200: MemberOut, 404: Problem},
    summary="Un membre de l'annuaire",
)
def directory_member(request, member_id: int):
    member, fields = _visible_member(request, member_id)
    entries = directory_entries(viewer=request.auth, members=[member])
    return _member_data(
        member=member,
        community_name=entries[0].community_name if entries else "",
        fields=fields,
        writable=recipients_writable(author=request.auth, member_ids=[member.pk]),
    )


@router.get(
    "/{int:member_id}/photo",
    response={200: None, 404: Problem},
    url_name="directory_photo",
    summary="Photo d'un membre (JPEG)",
)
def directory_photo(request, member_id: int):
    _member, fields = _visible_member(request, member_id)
    return photo_response(fields)
