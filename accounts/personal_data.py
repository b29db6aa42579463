"""Where the identity layer keeps a member's personal data: its GDPR sections.

The account (user row, profile and photo, consents), signing in (e-mail addresses, second
factors, login-attempt logs, sessions), the outbox (SMS sent to their number, notices,
push devices) and the Wagtail admin (preferences, avatar, editorial records). Registered from
``AccountsConfig.ready`` in ``accounts.gdpr``'s registry, like every app's section.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import CommuneGroup
from notifications.models import Delivery, Notice, OutboundSms, OutboxMessage, PushSubscription

from .gdpr import (
    FORMER_MEMBER,
    ExportPart,
    GdprSection,
    export_row,
    file_in_archive,
    gdpr_section_register,
    jsonable,
    login_identifiers,
)
from .models import ConsentRecord, Profile, User


def _optional_model(app_label: str, model_name: str) -> type[models.Model] | None:
    """A model of an optional library (allauth, axes, Wagtail's users), when installed."""
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


# --- The account -------------------------------------------------------------------------------


def account_export(*, user) -> ExportPart:
    """The user row (no password), staff roles, profile with photo, consents."""
    data = {
        "user": export_row(user, exclude=("password",))
        | {
            "phone": str(user.phone) if user.phone else None,
            "can_sign_in_with_password": user.has_usable_password(),
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "staff_roles": [
                {"commune": group.commune.name, "role": group.role}
                for group in CommuneGroup.objects.filter(group__user=user).select_related("commune")
            ],
        },
        "profile": None,
        "consents": [
            export_row(consent, exclude=("id", "user"))
            for consent in ConsentRecord.objects.filter(user=user).order_by("recorded_at")
        ],
    }
    files = ()
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        photo = file_in_archive(profile.photo, "photo")
        data["profile"] = export_row(profile, exclude=("id", "user")) | {"photo": photo}
        if photo:
            files = ((photo, profile.photo),)
    return ExportPart(data=data, files=files)


def account_erase(*, user) -> list[tuple[object, str]]:
    """The profile photo's file; the admin's history of edits to this account, which names
    the person in its labels. Profile and consents go with the user row."""
    log_entry = _optional_model("wagtailcore", "ModelLogEntry")
    if log_entry is not None:
        log_entry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).delete()
    profile = Profile.objects.filter(user=user).first()
    if profile is not None and profile.photo:
        return [(profile.photo.storage, profile.photo.name)]
    return []


# --- Signing in --------------------------------------------------------------------------------


def _axes_models() -> list[type[models.Model]]:
    if not apps.is_installed("axes"):
        return []
    names = ("AccessAttempt", "AccessLog", "AccessFailureLog")
    return [m for m in (_optional_model("axes", name) for name in names) if m is not None]


def _identifier_filter(identifiers: set[str], field: str = "username") -> Q:
    matches = Q(pk__in=[])
    for identifier in identifiers:
        matches |= Q(**{f"{field}__iexact": identifier})
    return matches


def _sessions_of(user) -> list:
    """Stored sessions signed in as ``user`` (database-backed session engines only)."""
    if not apps.is_installed("django.contrib.sessions"):
        return []
    if settings.SESSION_ENGINE not in (
        "django.contrib.sessions.backends.db",
        "django.contrib.sessions.backends.cached_db",
    ):
        # Other engines cannot be listed; deleting the user invalidates those sessions.
        return []
    own = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            own.append(session)
    return own


def sign_in_export(*, user) -> ExportPart:
    """E-mail addresses, the kinds of second factor (never their secrets, which would let
    anyone sign in), and login attempts made with their identifiers."""
    data = {}
    email_address = _optional_model("account", "EmailAddress")
    if email_address is not None:
        data["email_addresses"] = [
            export_row(row, exclude=("id", "user"))
            for row in email_address.objects.filter(user=user)
        ]
    authenticator = _optional_model("mfa", "Authenticator")
    if authenticator is not None:
        data["second_factors"] = [
            {"type": row.type, "created_at": jsonable(getattr(row, "created_at", None))}
            for row in authenticator.objects.filter(user=user)
        ]
    identifiers = login_identifiers(user=user)
    for model in _axes_models():
        data.setdefault("sign_in_attempts", {})[model.__name__] = [
            export_row(row, exclude=("id", "post_data"))
            for row in model.objects.filter(_identifier_filter(identifiers))
        ]
    return ExportPart(data=data)


def sign_in_erase(*, user) -> None:
    """Sessions, login-attempt logs (keyed by what was typed, not by the user), and every
    e-mail address row of theirs; second factors go with the user row."""
    for session in _sessions_of(user):
        session.delete()
    identifiers = login_identifiers(user=user)
    for model in _axes_models():
        model.objects.filter(_identifier_filter(identifiers)).delete()
    email_address = _optional_model("account", "EmailAddress")
    if email_address is not None and user.email:
        email_address.objects.filter(Q(user=user) | Q(email__iexact=user.email)).delete()


# --- The outbox --------------------------------------------------------------------------------


def outbox_export(*, user) -> ExportPart:
    """The SMS sent to their number (verification codes shown as such) and push devices."""
    data = {
        "push_devices": [
            {"user_agent": row.user_agent, "created_at": jsonable(row.created_at)}
            for row in PushSubscription.objects.filter(user=user)
        ],
        # Every message the outbox delivered to them (alerts, the mairie's messages…).
        "deliveries": [
            {
                "purpose": row.message.purpose,
                "channel": row.channel,
                "status": row.status,
                "sent_at": jsonable(row.sent_at),
            }
            for row in Delivery.objects.filter(user=user).select_related("message")
        ],
        # The notices written to them (decisions, digests, warnings), as they were worded.
        "notices": [
            {
                "kind": notice.kind,
                "subject": notice.subject,
                "text": notice.email_text or notice.text,
                "created_at": jsonable(notice.created_at),
            }
            for notice in Notice.objects.filter(recipient=user).order_by("created_at")
        ],
    }
    if user.phone:
        data["sms_sent_to_you"] = [
            export_row(sms, exclude=("provider_message_id", "backend"))
            | ({"body": _("(code de vérification)")} if sms.purpose == "verification_code" else {})
            for sms in OutboundSms.objects.filter(to=str(user.phone)).order_by("created_at")
        ]
    return ExportPart(data=data)


def outbox_erase(*, user) -> None:
    """SMS rows stay for the mairie's counts and costs; who and what go. Push devices, the
    notices to them and their deliveries go with the user row."""
    if user.phone:
        OutboundSms.objects.filter(to=str(user.phone)).update(to="", body="", error_message="")
    full_name = user.get_full_name()
    if full_name:
        # Messages to others that name them (a neighbour's invitation "X vous inscrit…")
        # keep their sense, not the name.
        OutboundSms.objects.filter(body__contains=full_name).update(
            body=Replace("body", Value(full_name), Value(FORMER_MEMBER))
        )
        OutboxMessage.objects.filter(notice__isnull=False, text__contains=full_name).update(
            text=Replace("text", Value(full_name), Value(FORMER_MEMBER))
        )
        Notice.objects.filter(email_text__contains=full_name).update(
            email_text=Replace("email_text", Value(full_name), Value(FORMER_MEMBER))
        )


# --- The Wagtail admin -------------------------------------------------------------------------


def admin_export(*, user) -> ExportPart:
    """Their admin preferences and avatar."""
    profile_model = _optional_model("wagtailusers", "UserProfile")
    profile = profile_model.objects.filter(user=user).first() if profile_model else None
    if profile is None:
        return ExportPart(data={})
    avatar = file_in_archive(profile.avatar, "avatar")
    return ExportPart(
        data={
            "admin_preferences": export_row(profile, exclude=("id", "user")) | {"avatar": avatar}
        },
        files=((avatar, profile.avatar),) if avatar else (),
    )


def admin_erase(*, user) -> list[tuple[object, str]]:
    profile_model = _optional_model("wagtailusers", "UserProfile")
    profile = profile_model.objects.filter(user=user).first() if profile_model else None
    if profile is not None and profile.avatar:
        return [(profile.avatar.storage, profile.avatar.name)]
    return []


# Staff's editorial records in Wagtail (pages owned or locked, revisions, workflow steps,
# editors' comments, uploads, logs, translations): the commune's records, not the person's.
# The user row's deletion deletes what is theirs alone (comments, subscriptions, tokens,
# editing sessions) and leaves the rest with no author (SET_NULL, or a dangling id in logs).
WAGTAIL_EDITORIAL_RECORDS = (
    "wagtailcore.Page",
    "wagtailcore.Revision",
    "wagtailcore.WorkflowState",
    "wagtailcore.TaskState",
    "wagtailcore.PageLogEntry",
    "wagtailcore.ModelLogEntry",
    "wagtailcore.Comment",
    "wagtailcore.CommentReply",
    "wagtailcore.PageSubscription",
    "wagtailcore.APIToken",
    "wagtailcore.UploadedFile",
    "wagtailadmin.EditingSession",
    "wagtailadmin.FormState",
    "wagtailimages.Image",
    "wagtaildocs.Document",
    "wagtail_localize.StringTranslation",
    "wagtail_localize.SegmentOverride",
)


def register() -> None:
    gdpr_section_register(
        GdprSection(
            name="account",
            covers=("accounts.User", "accounts.Profile", "accounts.ConsentRecord"),
            export=account_export,
            erase=account_erase,
        )
    )
    gdpr_section_register(
        GdprSection(
            name="sign_in",
            covers=("account.EmailAddress", "mfa.Authenticator"),
            export=sign_in_export,
            erase=sign_in_erase,
        )
    )
    gdpr_section_register(
        GdprSection(
            name="outbox",
            covers=(
                "notifications.PushSubscription",
                "notifications.Delivery",
                "notifications.Notice",
            ),
            export=outbox_export,
            erase=outbox_erase,
        )
    )
    gdpr_section_register(
        GdprSection(
            name="admin",
            covers=("wagtailusers.UserProfile", *WAGTAIL_EDITORIAL_RECORDS),
            export=admin_export,
            erase=admin_erase,
        )
    )
