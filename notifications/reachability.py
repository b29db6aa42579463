"""Whether a member can be reached on a channel: written once, for every sender.

Reachable by SMS: a phone number, and no STOP (``sms_opted_out_at``) since the last
START. By e-mail: an address the provider has not reported undeliverable. By push: at
least one device subscribed. A sender adds its own preferences on top (an alert asks
``alerts_by_sms``…), never a different idea of reachable.

The outbox reaches the user model through ``AUTH_USER_MODEL`` and the member's profile
through the user's ``profile`` relation; it imports no app above it. The STOP/START
bookkeeping lives here too: an inbound STOP, a START and the carrier's 21610 all record
the opt-out the same way.
"""

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import Channel, PushSubscription


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _profile_model():
    return get_user_model()._meta.get_field("profile").related_model


def reachable_sql(channel: str, *, user: str = "u", profile: str = "p") -> str:
    """SQL true when the user (alias ``user``, profile LEFT JOINed as ``profile``) can be
    reached on ``channel``."""
    channel = Channel(channel)
    if channel == Channel.SMS:
        return (
            f"{user}.phone IS NOT NULL AND {user}.phone <> '' "
            f"AND {profile}.sms_opted_out_at IS NULL"
        )
    if channel == Channel.EMAIL:
        return f"{user}.email IS NOT NULL AND {user}.email_undeliverable_at IS NULL"
    push_table = _table(PushSubscription)
    return f"EXISTS (SELECT 1 FROM {push_table} ps WHERE ps.user_id = {user}.id)"  # noqa: S608


def users_with_profiles_sql(*, user: str = "u", profile: str = "p") -> str:
    """``FROM`` clause of the user table with the profile LEFT JOINed, for ``reachable_sql``."""
    return f"{user_table_sql()} {user} {profile_join_sql(user=user, profile=profile)}"


def user_table_sql() -> str:
    return _table(get_user_model())


def profile_join_sql(*, user: str = "u", profile: str = "p") -> str:
    """The profile LEFT JOINed to the user aliased ``user``, for ``reachable_sql``."""
    return f"LEFT JOIN {_table(_profile_model())} {profile} ON {profile}.user_id = {user}.id"


def sms_reachable_q(prefix: str = "") -> Q:
    """The same rule for the ORM, on a queryset of users (``prefix``: "user__" from a model
    pointing at the user)."""
    return (
        Q(**{f"{prefix}phone__isnull": False})
        & ~Q(**{f"{prefix}phone": ""})
        & Q(**{f"{prefix}profile__sms_opted_out_at__isnull": True})
    )


def sms_reachable(user) -> bool:
    """The same rule for one loaded user."""
    profile = getattr(user, "profile", None) if _has_profile(user) else None
    return bool(user.phone) and (profile is None or profile.sms_opted_out_at is None)


def sms_opted_out(user) -> bool:
    """The member answered STOP (and has a phone to which it applies)."""
    profile = getattr(user, "profile", None) if _has_profile(user) else None
    return bool(user.phone) and profile is not None and profile.sms_opted_out_at is not None


def _has_profile(user) -> bool:
    try:
        user.profile  # noqa: B018 (a reverse one-to-one raises when there is none)
    except _profile_model().DoesNotExist:
        return False
    return True


def has_push_device(user_field: str = "user") -> Exists:
    """Annotation: the member has at least one device subscribed to push."""
    return Exists(PushSubscription.objects.filter(user=OuterRef(user_field)))


@transaction.atomic
def sms_opt_out(*, user_id: int, at=None) -> None:
    """Record that the member refuses SMS (STOP); a second STOP keeps the first date."""
    profiles = _profile_model().objects
    profile, _created = profiles.get_or_create(user_id=user_id)
    profiles.filter(pk=profile.pk, sms_opted_out_at=None).update(
        sms_opted_out_at=at or timezone.now()
    )


def sms_opt_in(*, user_id: int) -> None:
    """The member accepts SMS again (START)."""
    _profile_model().objects.update_or_create(user_id=user_id, defaults={"sms_opted_out_at": None})
