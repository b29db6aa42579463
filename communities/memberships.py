"""Memberships: a resident's way into their community, decided by a moderator.

Reads (``*_for`` / ``active_membership``) and writes (``membership_*``) share one module
because every rule here protects the same promise: nobody sees a community before the
platform knows who they are and where they live, and no proof outlives its decision.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from shapely.geometry import Point, shape

from accounts.member_language import member_language
from accounts.phones import mobile_number_clean
from notifications.models import Channel
from notifications.notices import notice_send

from .models import (
    ACTIVE_MEMBERSHIP_STATUSES,
    Community,
    CommunityRole,
    Membership,
    MembershipStatus,
    ProofOfAddress,
    StaffRole,
)
from .proofs import proof_prepare
from .selectors import communes_where
from .wording import at_place, of_place

PENDING_LIFETIME = timedelta(days=30)


# --- Reads -------------------------------------------------------------------------------------


def active_membership(*, user) -> Membership | None:
    """The member's pending or verified membership, if any (there is at most one)."""
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.select_related("community__commune")
        .filter(user=user, status__in=ACTIVE_MEMBERSHIP_STATUSES)
        .first()
    )


def verified_membership(*, user) -> Membership | None:
    membership = active_membership(user=user)
    if membership is not None and membership.status == MembershipStatus.VERIFIED:
        return membership
    return None


def communities_moderated_by(*, user) -> QuerySet[Community]:
    """Communities whose registrations ``user`` may decide.

    The mairie's moderators decide for every community of their commune; a community's
    referent for their own community only.
    """
    if not user.is_authenticated or not user.is_active:
        return Community.objects.none()
    communes = communes_where(user=user, role=StaffRole.MODERATOR)
    referent_of = Membership.objects.filter(
        user=user, status=MembershipStatus.VERIFIED, role=CommunityRole.REFERENT
    ).values("community")
    return Community.objects.filter(Q(commune__in=communes) | Q(pk__in=referent_of))


def can_moderate_membership(*, user, membership: Membership) -> bool:
    if membership.user_id == user.pk:
        return False
    return communities_moderated_by(user=user).filter(pk=membership.community_id).exists()


def pending_memberships_for(*, moderator) -> QuerySet[Membership]:
    """The moderation queue: pending requests of the communities ``moderator`` decides."""
    return (
        Membership.objects.filter(
            status=MembershipStatus.PENDING,
            community__in=communities_moderated_by(user=moderator),
        )
        .exclude(user=moderator)
        .select_related("user", "community__commune", "sponsor", "proof")
        .order_by("requested_at")
    )


def community_for_point(*, commune, latitude: float, longitude: float) -> Community | None:
    """The community of ``commune`` whose GeoJSON boundary contains the point, if any."""
    point = Point(longitude, latitude)  # GeoJSON order: x = longitude, y = latitude
    for community in commune.communities.exclude(boundary=None):
        try:
            if shape(community.boundary.get("geometry", community.boundary)).contains(point):
                return community
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
    return None


# --- Writes ------------------------------------------------------------------------------------


@transaction.atomic
def membership_request(
    *,
    user,
    community: Community,
    address: str,
    proof_file=None,
    sponsor=None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> Membership:
    """Ask to join ``community``. A proof of address is required unless a neighbour sponsors.

    Refuses a second active membership, and a sponsor who is not a verified member of the
    same community (a resident can never reach beyond their community).
    """
    address = (address or "").strip()
    if not address:
        raise ValidationError({"address": _("Indiquez votre adresse.")})
    if active_membership(user=user) is not None:
        raise ValidationError(_("Vous avez déjà une adhésion en cours ou validée."))
    if sponsor is not None:
        sponsor_membership = verified_membership(user=sponsor)
        if sponsor_membership is None or sponsor_membership.community_id != community.pk:
            raise PermissionDenied(
                _("Vous ne pouvez inscrire qu'un voisin de votre propre communauté.")
            )
    elif proof_file is None:
        raise ValidationError({"proof": _("Joignez un justificatif de domicile.")})

    proof = proof_prepare(proof_file) if proof_file is not None else None
    membership = Membership.objects.create(
        user=user,
        community=community,
        address=address,
        sponsor=sponsor,
        latitude=latitude,
        longitude=longitude,
    )
    if proof is not None:
        content, content_type = proof
        ProofOfAddress.objects.create(
            membership=membership, file=content, content_type=content_type, size=content.size
        )
    return membership


def _discard_proof(membership: Membership) -> None:
    """Delete the proof's file and row (CNIL: no copy once decided)."""
    try:
        proof = membership.proof
    except ProofOfAddress.DoesNotExist:
        return
    proof.file.delete(save=False)
    proof.delete()


def _decide(*, membership: Membership, by, status: str, reason: str) -> Membership:
    if not can_moderate_membership(user=by, membership=membership):
        raise PermissionDenied(_("Vous ne pouvez pas décider de cette inscription."))
    if membership.status != MembershipStatus.PENDING:
        raise ValidationError(_("Cette inscription a déjà été décidée."))
    membership.status = status
    membership.decided_at = timezone.now()
    membership.decided_by = by
    membership.decision_reason = reason
    membership.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    _discard_proof(membership)
    membership_decision_notify(membership=membership)
    return membership


@transaction.atomic
def membership_approve(*, membership: Membership, by, reason: str = "") -> Membership:
    """Verify a pending membership. A sponsored neighbour must first have answered OUI."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.sponsor_id and membership.sms_confirmed_at is None:
        raise ValidationError(_("Ce voisin n'a pas encore répondu OUI au SMS d'invitation."))
    return _decide(
        membership=membership, by=by, status=MembershipStatus.VERIFIED, reason=reason.strip()
    )


@transaction.atomic
def membership_reject(*, membership: Membership, by, reason: str) -> Membership:
    """Refuse a pending membership; the reason is required and is sent to the applicant."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif du refus.")})
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    return _decide(membership=membership, by=by, status=MembershipStatus.REJECTED, reason=reason)


@transaction.atomic
def membership_leave(*, membership: Membership) -> Membership:
    """End a membership, keeping its row with the day it ended (the dashboard's departures).

    The row is no longer active (``LEFT`` is outside ``ACTIVE_MEMBERSHIP_STATUSES``), so it
    grants nothing: no community page, no alert, no directory entry.
    """
    membership.status = MembershipStatus.LEFT
    membership.left_at = timezone.now()
    membership.save(update_fields=["status", "left_at"])
    _discard_proof(membership)
    return membership


@transaction.atomic
def membership_change_community(
    *, user, community: Community, address: str, proof_file
) -> Membership:
    """Move to another community: the current membership ends and a new request starts."""
    current = active_membership(user=user)
    if current is not None:
        membership_leave(membership=current)
    return membership_request(
        user=user, community=community, address=address, proof_file=proof_file
    )


def memberships_expire_stale(*, now=None) -> int:
    """Expire requests left undecided for 30 days, deleting their proofs. Returns the count."""
    now = now or timezone.now()
    stale = Membership.objects.filter(
        status=MembershipStatus.PENDING, requested_at__lt=now - PENDING_LIFETIME
    )
    count = 0
    for membership in stale.select_related("proof"):
        with transaction.atomic():
            membership.status = MembershipStatus.EXPIRED
            membership.decided_at = now
            membership.decision_reason = _("Demande non traitée dans les 30 jours.")
            membership.save(update_fields=["status", "decided_at", "decision_reason"])
            _discard_proof(membership)
        count += 1
    return count


def membership_decision_notify(*, membership: Membership) -> None:
    """Tell the applicant the outcome, by e-mail and SMS, in their language.

    Written in the decision's transaction (``notifications.notices``): a decision that rolls
    back tells nobody, and a provider's failure is the outbox's to retry, never an error
    page for the moderator.
    """
    user = membership.user
    with override(member_language(user)):
        if membership.status == MembershipStatus.VERIFIED:
            text = _(
                "Bonne nouvelle : votre inscription %(at_community)s (%(commune)s) est "
                "validée. Bienvenue parmi vos voisins ! Les alertes en cours, la gazette et vos "
                "messages vous attendent sur %(url)s"
            ) % {
                "at_community": at_place(membership.community.name),
                "commune": membership.commune.name,
                "url": membership.commune.site.root_url + reverse("member_home"),
            }
        else:
            text = _(
                "Votre inscription %(at_community)s (%(commune)s) n'a pas été validée. "
                "Motif : %(reason)s"
            ) % {
                "at_community": at_place(membership.community.name),
                "commune": membership.commune.name,
                "reason": membership.decision_reason,
            }
        subject = _("Votre inscription sur Voisinage")
    notice_send(
        user=user,
        kind="membership_decision",
        subject=subject,
        text=text,
        channels=(Channel.EMAIL, Channel.SMS),
        sender_name=membership.commune.sms_sender_name,
        payer=membership.commune,
    )


# --- Neighbours who take part by SMS alone ------------------------------------------------------


@transaction.atomic
def neighbour_register(*, sponsor, first_name: str, last_name: str, phone: str, address: str):
    """A verified resident registers a neighbour who has neither e-mail nor smartphone.

    The neighbour becomes an SMS-only member (no password, no e-mail) once they have
    answered OUI to the invitation and a moderator has approved. The sponsor is recorded.
    """

    sponsor_membership = verified_membership(user=sponsor)
    if sponsor_membership is None:
        raise PermissionDenied(_("Seul un membre vérifié peut inscrire un voisin."))
    try:
        e164 = mobile_number_clean(phone or "")
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from error
    user_model = get_user_model()
    if user_model.objects.filter(phone=e164).exists():
        # Same answer as a fresh invitation would not be honest here: the sponsor knows the
        # neighbour, and a second account for one phone is impossible.
        raise ValidationError({"phone": _("Ce numéro est déjà inscrit sur Voisinage.")})
    neighbour = user_model.objects.create_user(
        email=None, phone=e164, first_name=first_name.strip(), last_name=last_name.strip()
    )
    membership = membership_request(
        user=neighbour,
        community=sponsor_membership.community,
        address=address,
        sponsor=sponsor,
    )
    commune = sponsor_membership.commune
    with override(member_language(neighbour)):
        invitation = _(
            "%(sponsor)s vous inscrit au réseau Voisins vigilants et solidaires "
            "%(of_commune)s pour recevoir les alertes de votre quartier par SMS. Répondez OUI "
            "pour accepter. STOP pour refuser."
        ) % {"sponsor": sponsor.get_full_name(), "of_commune": of_place(commune.name)}
        subject = _("Votre inscription sur Voisinage")
    # The neighbour has only a phone: the invitation goes by SMS, written with the request.
    notice_send(
        user=neighbour,
        kind="neighbour_invitation",
        subject=subject,
        text=invitation,
        channels=(Channel.SMS,),
        sender_name=commune.sms_sender_name,
        payer=commune,
    )
    return membership


def sponsored_invitation_accept(*, phone: str) -> Membership | None:
    """Record the OUI of an invited neighbour (called by the inbound SMS handler).

    Returns the membership awaiting moderation, or None if this number has no invitation.
    """
    membership = (
        Membership.objects.filter(
            user__phone=phone,
            status=MembershipStatus.PENDING,
            sponsor__isnull=False,
            sms_confirmed_at__isnull=True,
        )
        .select_related("community__commune")
        .first()
    )
    if membership is None:
        return None
    membership.sms_confirmed_at = timezone.now()
    membership.save(update_fields=["sms_confirmed_at"])
    return membership
