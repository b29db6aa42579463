"""A member's GDPR rights: a copy of everything held about them, and erasure at once.

Export (art. 15 and 20) and erasure (art. 17) read the same inventory of where personal
data lives: the user row, the profile and its photo, memberships (addresses, proofs,
decisions), consents, sessions, the SMS outbox, and the sign-in libraries' tables when
they are installed. A higher app that stores personal data (messaging, the gazette…)
registers, in its ``ready()``, an exporter with ``export_section`` and an eraser with
``erasure_step``: this module never imports it, and nothing outlives the account.
"""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePosixPath

import phonenumbers
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import CommuneGroup, Membership, ProofOfAddress

from .models import ConsentRecord, Profile, User

ARCHIVE_DATA_NAME = "data.json"
FORMER_MEMBER = "ancien membre"  # how content kept after erasure names its author

_erasers: list[Callable] = []
_exporters: dict[str, Callable] = {}


@dataclass(frozen=True)
class ExportPart:
    """What one app adds to a member's export: JSON-ready data, and files by archive path."""

    data: object
    files: tuple[tuple[str, object], ...] = ()  # (path in the archive, a FieldFile)


def export_section(name: str) -> Callable:
    """Register ``function(*, user) -> ExportPart``, exported under ``name`` in data.json.

    Its ``files`` go into the archive at the paths its data names (``files/…``).
    """

    def register(function: Callable) -> Callable:
        _exporters[name] = function
        return function

    return register


def erasure_step(function: Callable) -> Callable:
    """Register ``function(*, user)``, run inside ``account_erase`` before the user row goes.

    For personal data that no foreign key to the user reaches (rows keyed by phone number
    or e-mail address, copies in logs, files), and content that must go with its author.
    It may return the stored files to delete, as ``(storage, name)`` pairs: they are
    deleted once the rows are gone.
    """
    _erasers.append(function)
    return function


# --- Where the data lives ----------------------------------------------------------------------


def _optional_model(app_label: str, model_name: str) -> type[models.Model] | None:
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _outbound_sms_model():
    return _optional_model("notifications", "OutboundSms")


def login_identifiers(*, user) -> set[str]:
    """The strings a person may have typed to sign in as ``user`` (for login-attempt logs)."""
    identifiers = set()
    if user.email:
        identifiers.add(user.email)
    if user.phone:
        e164 = str(user.phone)
        identifiers.add(e164)
        try:
            number = phonenumbers.parse(e164)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None:
            national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
            identifiers.update({national, national.replace(" ", ""), e164.removeprefix("+")})
            identifiers.add(
                phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            )
    return identifiers


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
    from django.contrib.sessions.models import Session

    own = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            own.append(session)
    return own


# --- Export ------------------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def _row(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict:
    """Every concrete field of ``instance`` (foreign keys as ids), for machine reading."""
    row = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.FileField):
            value = getattr(instance, field.name).name or None
        row[field.name] = _jsonable(value)
    return row


def _file_in_archive(field_file, prefix: str) -> str | None:
    if not field_file:
        return None
    return f"files/{prefix}{PurePosixPath(field_file.name).suffix}"


def account_export_data(*, user) -> dict:
    """Everything held about ``user``, as a JSON-ready dictionary (files by archive path)."""
    return _export(user=user)[0]


def _export(*, user) -> tuple[dict, dict[str, ExportPart]]:
    data = {
        "format": "voisinage-export-1",
        "generated_at": timezone.now().isoformat(),
        "user": _row(user, exclude=("password",))
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
        "memberships": [],
        "neighbours_registered": [],
        "registration_decisions_made": [],
        "consents": [],
    }
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        data["profile"] = _row(profile, exclude=("id", "user")) | {
            "photo": _file_in_archive(profile.photo, "photo")
        }

    for membership in user.memberships.select_related("community__commune", "sponsor").order_by(
        "requested_at"
    ):
        row = _row(membership, exclude=("user", "decided_by", "sponsor")) | {
            "community": membership.community.name,
            "commune": membership.commune.name,
            "sponsor": membership.sponsor.get_full_name() if membership.sponsor else None,
            "proof": None,
        }
        proof = ProofOfAddress.objects.filter(membership=membership).first()
        if proof is not None:
            row["proof"] = _row(proof, exclude=("id", "membership")) | {
                "file": _file_in_archive(proof.file, f"justificatif-{membership.pk}")
            }
        data["memberships"].append(row)

    for membership in Membership.objects.filter(sponsor=user).select_related("user", "community"):
        data["neighbours_registered"].append(
            {
                "name": membership.user.get_full_name(),
                "community": membership.community.name,
                "status": membership.status,
                "requested_at": _jsonable(membership.requested_at),
            }
        )
    for membership in Membership.objects.filter(decided_by=user):
        data["registration_decisions_made"].append(
            {
                "membership": membership.pk,
                "status": membership.status,
                "decided_at": _jsonable(membership.decided_at),
                "reason": membership.decision_reason,
            }
        )
    data["consents"] = [
        _row(consent, exclude=("id", "user"))
        for consent in ConsentRecord.objects.filter(user=user).order_by("recorded_at")
    ]

    outbound_sms = _outbound_sms_model()
    if outbound_sms is not None and user.phone:
        data["sms_sent_to_you"] = [
            _row(sms, exclude=("provider_message_id", "backend"))
            | ({"body": _("(code de vérification)")} if sms.purpose == "verification_code" else {})
            for sms in outbound_sms.objects.filter(to=str(user.phone)).order_by("created_at")
        ]
    if apps.is_installed("allauth.account"):
        email_address = apps.get_model("account", "EmailAddress")
        data["email_addresses"] = [
            _row(row, exclude=("id", "user")) for row in email_address.objects.filter(user=user)
        ]
    if apps.is_installed("allauth.mfa"):
        authenticator = apps.get_model("mfa", "Authenticator")
        # The kinds of second factor only: their secrets would let anyone sign in.
        data["second_factors"] = [
            {"type": row.type, "created_at": _jsonable(getattr(row, "created_at", None))}
            for row in authenticator.objects.filter(user=user)
        ]
    identifiers = login_identifiers(user=user)
    for model in _axes_models():
        data.setdefault("sign_in_attempts", {})[model.__name__] = [
            _row(row, exclude=("id", "post_data"))
            for row in model.objects.filter(_identifier_filter(identifiers))
        ]
    data.update(_alerting_data(user=user))
    sections = {name: exporter(user=user) for name, exporter in _exporters.items()}
    for name, part in sections.items():
        data[name] = part.data
    wagtail_profile = _optional_model("wagtailusers", "UserProfile")
    if wagtail_profile is not None:
        admin_profile = wagtail_profile.objects.filter(user=user).first()
        if admin_profile is not None:
            data["admin_preferences"] = _row(admin_profile, exclude=("id", "user")) | {
                "avatar": _file_in_archive(admin_profile.avatar, "avatar")
            }
    return data, sections


def _alerting_data(*, user) -> dict:
    """Alerts they posted, what was sent to them, their reports and push devices."""
    data = {}
    alert = _optional_model("alerts", "Alert")
    if alert is not None:
        data["alerts_posted"] = [
            _row(row, exclude=("author", "police_taken_by", "inbound_message_sid"))
            | {"community": row.community.name if row.community_id else None}
            for row in alert.objects.filter(author=user).select_related("community")
        ]
        delivery = _optional_model("alerts", "Delivery")
        data["alert_messages_received"] = [
            {
                "alert": row.message.alert_id,
                "kind": row.message.kind,
                "channel": row.channel,
                "status": row.status,
                "sent_at": _jsonable(row.sent_at),
            }
            for row in delivery.objects.filter(user=user).select_related("message")
        ]
    report = _optional_model("moderation", "Report")
    if report is not None:
        data["reports_made"] = [
            _row(row, exclude=("id", "reporter", "handled_by", "decision_note"))
            for row in report.objects.filter(reporter=user)
        ]
    subscription = _optional_model("notifications", "PushSubscription")
    if subscription is not None:
        data["push_devices"] = [
            {"user_agent": row.user_agent, "created_at": _jsonable(row.created_at)}
            for row in subscription.objects.filter(user=user)
        ]
    return data


def _archive_files(
    *, user, data: dict, sections: dict[str, ExportPart]
) -> list[tuple[str, object]]:
    files = []
    profile = Profile.objects.filter(user=user).first()
    if profile is not None and profile.photo:
        files.append((data["profile"]["photo"], profile.photo))
    for row in data["memberships"]:
        if row["proof"]:
            proof = ProofOfAddress.objects.get(membership_id=row["id"])
            files.append((row["proof"]["file"], proof.file))
    if data.get("admin_preferences", {}).get("avatar"):
        avatar = apps.get_model("wagtailusers", "UserProfile").objects.get(user=user).avatar
        files.append((data["admin_preferences"]["avatar"], avatar))
    for part in sections.values():
        files.extend(part.files)
    return files


def account_export_archive(*, user) -> bytes:
    """A ZIP of ``data.json`` and the member's own uploaded files (photo, pending proof,
    and those of the registered sections: the gazette's photos…)."""
    data, sections = _export(user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(ARCHIVE_DATA_NAME, json.dumps(data, ensure_ascii=False, indent=2))
        for archive_name, field_file in _archive_files(user=user, data=data, sections=sections):
            try:
                with field_file.open("rb") as handle:
                    archive.writestr(archive_name, handle.read())
            except FileNotFoundError:
                continue
    return buffer.getvalue()


# --- Erasure -----------------------------------------------------------------------------------


def account_erase(*, user) -> None:
    """Delete ``user`` and every personal value held about them, at once.

    Rows reached by a foreign key go with the user (profile, memberships and proofs,
    consents, second factors, e-mail addresses). Handled here: rows keyed by phone or
    e-mail (SMS outbox, login-attempt logs), SMS to others that name them, sessions.
    Each registered ``erasure_step`` handles its app's content: what others need stays,
    its author set to NULL and shown as "ancien membre" (alerts, messages' threads); the
    rest goes (gazette posts, photos and comments). Files are removed from disk once the
    rows are gone.
    """
    files = []
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        profile = Profile.objects.filter(user=user).first()
        if profile is not None and profile.photo:
            files.append((profile.photo.storage, profile.photo.name))
        for proof in ProofOfAddress.objects.filter(membership__user=user):
            files.append((proof.file.storage, proof.file.name))
        wagtail_profile = _optional_model("wagtailusers", "UserProfile")
        if wagtail_profile is not None:
            admin_profile = wagtail_profile.objects.filter(user=user).first()
            if admin_profile is not None and admin_profile.avatar:
                files.append((admin_profile.avatar.storage, admin_profile.avatar.name))

        for session in _sessions_of(user):
            session.delete()

        identifiers = login_identifiers(user=user)
        for model in _axes_models():
            model.objects.filter(_identifier_filter(identifiers)).delete()
        if apps.is_installed("allauth.account") and user.email:
            email_address = apps.get_model("account", "EmailAddress")
            email_address.objects.filter(Q(user=user) | Q(email__iexact=user.email)).delete()

        outbound_sms = _outbound_sms_model()
        if outbound_sms is not None:
            if user.phone:
                # The row stays for the mairie's counts and costs; who and what go.
                outbound_sms.objects.filter(to=str(user.phone)).update(
                    to="", body="", error_message=""
                )
            full_name = user.get_full_name()
            if full_name:
                # Messages to others that name them (a neighbour's invitation "X vous
                # inscrit…") keep their sense, not the name.
                outbound_sms.objects.filter(body__contains=full_name).update(
                    body=Replace("body", Value(full_name), Value(FORMER_MEMBER))
                )

        # The admin's history of edits to this account names the person in its labels.
        model_log_entry = _optional_model("wagtailcore", "ModelLogEntry")
        if model_log_entry is not None:
            model_log_entry.objects.filter(
                content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
            ).delete()

        for eraser in _erasers:
            files.extend(eraser(user=user) or ())
        user.delete()

    for storage, name in files:
        storage.delete(name)
