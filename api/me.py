"""The signed-in member: their profile, communities, roles and channels."""

from ninja import Router, Schema

from accounts.profiles import profile_for
from communities.memberships import active_membership
from communities.selectors import staff_roles_of

router = Router(tags=["Membre"])


class MembershipOut(Schema):
    community_id: int
    community: str
    commune_id: int
    commune: str
    status: str
    status_label: str
    role: str
    role_label: str


class StaffRoleOut(Schema):
    commune_id: int
    commune: str
    role: str
    role_label: str


class Channels(Schema):
    alerts_by_sms: bool
    alerts_by_email: bool
    alerts_by_push: bool
    news_by_email: bool
    news_by_push: bool
    sms_opted_out: bool


class Visibilities(Schema):
    photo: str
    address: str
    phone: str
    email: str
    interests: str
    bio: str


class MeOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    language: str
    interests: str
    bio: str
    visibility: Visibilities
    membership: MembershipOut | None
    staff_roles: list[StaffRoleOut]
    channels: Channels


@router.get("/", response=MeOut, summary="Le membre connecté")
def me(request):
    user = request.auth
    profile = profile_for(user=user)
    membership = active_membership(user=user)
    roles = staff_roles_of(user=user)
    return {
        "id": user.pk,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "phone": str(user.phone) if user.phone else None,
        "language": user.language,
        "interests": profile.interests,
        "bio": profile.bio,
        "visibility": {
            "photo": profile.photo_visibility,
            "address": profile.address_visibility,
            "phone": profile.phone_visibility,
            "email": profile.email_visibility,
            "interests": profile.interests_visibility,
            "bio": profile.bio_visibility,
        },
        "membership": None
        if membership is None
        else {
            "community_id": membership.community_id,
            "community": membership.community.name,
            "commune_id": membership.community.commune_id,
            "commune": membership.community.commune.name,
            "status": membership.status,
            "status_label": membership.get_status_display(),
            "role": membership.role,
            "role_label": membership.get_role_display(),
        },
        "staff_roles": [
            {
                "commune_id": group.commune_id,
                "commune": group.commune.name,
                "role": group.role,
                "role_label": group.get_role_display(),
            }
            for group in roles
        ],
        "channels": {
            "alerts_by_sms": profile.alerts_by_sms,
            "alerts_by_email": profile.alerts_by_email,
            "alerts_by_push": profile.alerts_by_push,
            "news_by_email": profile.news_by_email,
            "news_by_push": profile.news_by_push,
            "sms_opted_out": profile.sms_opted_out_at is not None,
        },
    }
