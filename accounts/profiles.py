"""Profiles: the one rule deciding who sees which of a member's details, and the photo.

Every read path that shows a member to someone else (directory list, profile page, photo,
search, later messaging and exports for the mairie) asks ``profile_fields_visible_to`` or
``members_visible_to``. Tenant isolation follows from them: a member of one community or
commune is simply not among the members another may see.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.memberships import active_membership, verified_membership
from communities.models import Community, Membership, MembershipStatus
from communities.selectors import communes_where
from communities.viewer import viewer_facts

from .images import image_reencode
from .models import ConsentRecord, Profile, User, Visibility

# The fields a member may show or hide, in the order a profile page lists them.
PROFILE_FIELDS = ("photo", "address", "phone", "email", "interests", "bio")

PHOTO_MAX_SIDE = 512


class Relation:
    """How a viewer stands to a member; decides which visibilities they are shown."""

    SELF = "self"
    STAFF = "staff"
    NEIGHBOUR = "neighbour"
    NONE = "none"


_VISIBILITIES_SHOWN = {
    Relation.SELF: {Visibility.NEIGHBOURS, Visibility.MAIRIE, Visibility.NOBODY},
    Relation.STAFF: {Visibility.NEIGHBOURS, Visibility.MAIRIE},
    Relation.NEIGHBOUR: {Visibility.NEIGHBOURS},
    Relation.NONE: set(),
}


@dataclass(frozen=True)
class DirectoryViewer:
    """What the rule needs to know about a viewer, read once per request.

    Every function below takes ``viewer`` as a user or as this: a page that asks several of
    them builds it once (``directory_viewer``) instead of reading it again for each.
    """

    user: User
    community_id: int | None  # their verified community
    staff_commune_ids: frozenset[int]

    @classmethod
    def of(cls, user) -> "DirectoryViewer":
        if isinstance(user, DirectoryViewer):
            return user
        if not user.is_authenticated or not user.is_active:
            return cls(user=user, community_id=None, staff_commune_ids=frozenset())
        membership = verified_membership(user=user)
        return cls(
            user=user,
            community_id=membership.community_id if membership else None,
            staff_commune_ids=frozenset(communes_where(user=user).values_list("pk", flat=True)),
        )

    @property
    def sees_a_directory(self) -> bool:
        return self.community_id is not None or bool(self.staff_commune_ids)

    def relation_to(self, *, member: User, membership: Membership | None) -> str:
        """``membership`` is the member's verified membership (None if they have none)."""
        if self.user.is_authenticated and member.pk == self.user.pk:
            return Relation.SELF
        if membership is None or not member.is_active:
            return Relation.NONE
        if membership.community.commune_id in self.staff_commune_ids:
            return Relation.STAFF
        if membership.community_id == self.community_id:
            return Relation.NEIGHBOUR
        return Relation.NONE


def _profile_or_default(member: User) -> Profile:
    """The member's profile as stored now (never a copy cached on ``member``), or an unsaved
    one with the protective defaults: read paths never create rows for other people."""
    return Profile.objects.filter(user=member).first() or Profile(user=member)


def _fields_for(
    *, relation: str, member: User, profile: Profile, membership: Membership | None
) -> dict:
    shown = _VISIBILITIES_SHOWN[relation]
    if not shown:
        return {}
    values = {
        "photo": profile.photo or None,
        "address": membership.address if membership else None,
        "phone": member.phone or None,
        "email": member.email,
        "interests": profile.interests,
        "bio": profile.bio,
    }
    # No anonymity: whoever may see a member at all sees their name. Whether they take
    # part by SMS alone is how to reach them, not a detail they hide (they cannot sign in
    # to choose anything): neighbours are told not to expect an e-mail.
    fields = {"name": member.get_full_name(), "sms_only": member.is_sms_only}
    for name in PROFILE_FIELDS:
        if getattr(profile, f"{name}_visibility") in shown:
            fields[name] = values[name]
    return fields


def profile_for(*, user) -> Profile:
    """The member's own profile, created with the protective defaults on first use."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def profile_fields_visible_to(*, viewer, member: User) -> dict:
    """The member's details ``viewer`` may see, by field name; empty when none (answer 404).

    The member sees everything they hold. Staff of the commune where the member is verified
    see fields shown to neighbours or to the mairie; verified members of the same community
    see fields shown to neighbours; anyone else sees nothing. The name is part of every
    non-empty answer, with ``sms_only``. A visible field without a value is present with an
    empty value (an SMS-only member's e-mail is None), so that pages can say so.
    """
    view = DirectoryViewer.of(viewer)
    if view.user.is_authenticated and member.pk == view.user.pk:
        membership = active_membership(user=member)
    else:
        membership = verified_membership(user=member)
    relation = view.relation_to(member=member, membership=membership)
    return _fields_for(
        relation=relation,
        member=member,
        profile=_profile_or_default(member),
        membership=membership,
    )


def _verified_memberships_visible_to(view: DirectoryViewer) -> QuerySet[Membership]:
    reach = Q(community__commune__in=view.staff_commune_ids)
    if view.community_id is not None:
        reach |= Q(community=view.community_id)
    if not view.sees_a_directory:
        return Membership.objects.none()
    return Membership.objects.filter(reach, status=MembershipStatus.VERIFIED, user__is_active=True)


def members_visible_to(*, viewer, community=None) -> QuerySet[User]:
    """The members ``viewer`` may find in the directory: always verified, never foreign.

    A resident sees the verified members of their own community (themselves included);
    mairie staff see the verified members of every community of their commune, the
    platform team those of every commune. ``community`` narrows the list further.
    Pending, rejected or departed members are nobody's neighbours.
    """
    view = DirectoryViewer.of(viewer)
    memberships = _verified_memberships_visible_to(view)
    if community is not None:
        memberships = memberships.filter(community=community)
    return User.objects.filter(pk__in=memberships.values("user"))


def directory_viewer(*, request) -> DirectoryViewer:
    """The signed-in reader of a page, from what the request already knows of them
    (``communities.viewer``: their membership and staff roles, kept in the shared cache and
    made stale by any change of either) instead of two queries for each function asked."""
    user = request.user
    facts = viewer_facts(request=request)
    if facts.superuser:
        return DirectoryViewer.of(user)
    membership = facts.verified_membership
    return DirectoryViewer(
        user=user,
        community_id=membership.community_id if membership else None,
        staff_commune_ids=frozenset(facts.roles_by_commune),
    )


def directory_open_to(*, viewer) -> bool:
    """Whether ``viewer`` may open the directory at all (verified member or commune staff)."""
    return DirectoryViewer.of(viewer).sees_a_directory


def directory_communities(*, viewer) -> QuerySet[Community]:
    """The communities ``viewer`` may narrow the directory to: every community of the
    communes where they are staff (none for a resident, whose directory is their own
    community)."""
    view = DirectoryViewer.of(viewer)
    return Community.objects.filter(commune__in=view.staff_commune_ids).select_related("commune")


def directory_members(*, viewer, community=None, query: str = "") -> QuerySet[User]:
    """The directory as ``viewer`` reads it: ``members_visible_to`` (narrowed to
    ``community``, one of ``directory_communities``), searched by ``members_search``, in
    the order of names (last name, first name, then id)."""
    members = members_visible_to(viewer=viewer, community=community)
    members = members_search(viewer=viewer, members=members, query=query)
    return members.order_by("last_name", "first_name", "pk")


@dataclass(frozen=True)
class DirectoryEntry:
    member: User
    community_name: str
    fields: dict


def directory_entries(*, viewer, members, own_as_neighbours=False) -> list[DirectoryEntry]:
    """The directory rows for ``members`` (already narrowed by ``members_visible_to``),
    each with exactly the fields ``viewer`` may see — the same rule as a profile page,
    read in a constant number of queries. ``own_as_neighbours``: the viewer's own row as
    their neighbours see it (a list the community's residents share)."""
    view = DirectoryViewer.of(viewer)
    members = list(members)
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(
            user__in=[m.pk for m in members], status=MembershipStatus.VERIFIED
        ).select_related("community")
    }
    profiles = {p.user_id: p for p in Profile.objects.filter(user__in=[m.pk for m in members])}
    entries = []
    for member in members:
        membership = memberships.get(member.pk)
        relation = view.relation_to(member=member, membership=membership)
        if own_as_neighbours and relation == Relation.SELF:
            relation = Relation.NEIGHBOUR if membership is not None else Relation.NONE
        profile = profiles.get(member.pk) or Profile(user=member)
        fields = _fields_for(
            relation=relation, member=member, profile=profile, membership=membership
        )
        if fields:
            entries.append(
                DirectoryEntry(
                    member=member,
                    community_name=membership.community.name if membership else "",
                    fields=fields,
                )
            )
    return entries


# Each base letter matches itself and its French accented forms in both cases, so that
# "echelle", "Échelle" and "ÉCHELLE" all find "une échelle", on SQLite as on PostgreSQL
# (whose case-insensitive match folds only ASCII letters under the C locale).
_ACCENTED = {
    "a": "aàâäAÀÂÄ",
    "c": "cçCÇ",
    "e": "eéèêëEÉÈÊË",
    "i": "iîïIÎÏ",
    "o": "oôöOÔÖ",
    "u": "uùûüUÙÛÜ",
    "y": "yÿYŸ",
}
SEARCH_MAX_LENGTH = 100


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_pattern(query: str) -> str:
    """A case-insensitive regular expression for ``query`` that ignores French accents."""
    pattern = []
    for char in _without_accents(query.lower()):
        if char in _ACCENTED:
            pattern.append(f"[{_ACCENTED[char]}]")
        elif char.isalnum():
            pattern.append(char)
        elif char.isspace():
            pattern.append(r"\s+")
        else:
            pattern.append(re.escape(char))
    return "".join(pattern)


def members_search(*, viewer, members: QuerySet[User], query: str) -> QuerySet[User]:
    """Narrow ``members`` to those whose name or visible interests match ``query``.

    Interests only match where ``viewer`` may see them: a search never reveals a field
    its owner hid ("qui peut prêter une échelle ?" finds only those who say so to you).
    """
    # A NUL character cannot reach PostgreSQL: it matches nothing anyone wrote.
    query = " ".join((query or "").replace("\x00", " ").split())[:SEARCH_MAX_LENGTH]
    if not query:
        return members
    pattern = search_pattern(query)
    view = DirectoryViewer.of(viewer)
    interests = Q(profile__interests__iregex=pattern)
    interests_shown = Q(profile__interests_visibility=Visibility.NEIGHBOURS)
    if view.staff_commune_ids:
        staff_members = Membership.objects.filter(
            status=MembershipStatus.VERIFIED, community__commune__in=view.staff_commune_ids
        ).values("user")
        interests_shown |= Q(pk__in=staff_members, profile__interests_visibility=Visibility.MAIRIE)
    if view.user.is_authenticated:
        interests_shown |= Q(pk=view.user.pk)
    return members.filter(
        Q(first_name__iregex=pattern) | Q(last_name__iregex=pattern) | (interests & interests_shown)
    )


# --- Writes ------------------------------------------------------------------------------------


def profile_photo_prepare(uploaded) -> ContentFile:
    """Re-encode an uploaded profile photo as a JPEG of at most 512 px, without metadata."""
    return image_reencode(uploaded, max_side=PHOTO_MAX_SIDE, name="photo.jpg")


@transaction.atomic
def profile_update(*, user, photo=None, remove_photo: bool = False, **values) -> Profile:
    """Save the member's profile. ``photo`` must come from ``profile_photo_prepare``.

    A replaced or removed photo's file is deleted at once, not left behind on disk.
    """
    profile = profile_for(user=user)
    old_photo = profile.photo.name if profile.photo else ""
    for name, value in values.items():
        setattr(profile, name, value)
    if photo is not None:
        profile.photo.save("photo.jpg", photo, save=False)
    elif remove_photo:
        profile.photo = ""
    profile.full_clean()
    profile.save()
    if old_photo and old_photo != (profile.photo.name if profile.photo else ""):
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return profile


# Preferences that are consents in law: each change is recorded with its time (art. 7).
CONSENT_PREFERENCES = {
    "alerts_by_sms": ConsentRecord.Kind.SMS_ALERTS,
    "news_by_email": ConsentRecord.Kind.EMAIL_NEWS,
}


@transaction.atomic
def notification_preferences_update(*, user, **values: bool) -> Profile:
    """Save how the member wants to be told of alerts and news; log consent changes.

    Only a real change is logged, so the consent history reads as a list of decisions.
    """
    profile = Profile.objects.select_for_update().get(pk=profile_for(user=user).pk)
    now = timezone.now()
    for name, value in values.items():
        kind = CONSENT_PREFERENCES.get(name)
        if kind is not None and bool(getattr(profile, name)) != bool(value):
            ConsentRecord.objects.create(user=user, kind=kind, granted=bool(value), recorded_at=now)
        setattr(profile, name, bool(value))
    profile.save(update_fields=list(values))
    return profile


def language_set(*, user, language: str) -> None:
    """Remember the member's language for pages, e-mails and SMS."""
    if language not in User.Language.values:
        raise ValidationError({"language": _("Langue inconnue.")})
    user.language = language
    user.save(update_fields=["language"])
