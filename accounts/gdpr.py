"""A member's GDPR rights: a copy of everything held about them, and erasure at once.

Export (art. 15 and 20) and erasure (art. 17) read one registry of sections. Each app that
stores personal data registers, in its ``ready()``, a ``GdprSection``: the models it answers
for, what it adds to the export and what it erases. This module never imports those apps;
a test walks every model with a foreign key to the user and fails when no section covers
it, so a new model cannot be missed by the export or outlive the account.
"""

import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePosixPath

import phonenumbers
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from .models import User

ARCHIVE_DATA_NAME = "data.json"
FORMER_MEMBER = "ancien membre"  # how content kept after erasure names its author


@dataclass(frozen=True)
class ExportPart:
    """What one section adds to a member's export: entries of data.json (by top-level key),
    and files by archive path (``files/…``, as its entries name them)."""

    data: dict
    files: tuple[tuple[str, object], ...] = ()  # (path in the archive, a FieldFile)


@dataclass(frozen=True)
class GdprSection:
    """One app's share of the export and the erasure.

    ``covers`` names ("app_label.ModelName") every model that links rows to the member
    and that this section answers for: exported by ``export``, and erased by ``erase`` or
    by the user row's deletion (``on_delete``: CASCADE deletes, SET_NULL leaves the row to
    others without its author), as the section's docstring says.

    ``export(*, user) -> ExportPart``. ``erase(*, user)`` runs inside ``account_erase``,
    before the user row goes, for what no foreign key reaches (rows keyed by phone number
    or e-mail address, names copied into text, files) and content that must go with its
    author; it may return the stored files to delete, as ``(storage, name)`` pairs, deleted
    once the rows are gone.
    """

    name: str
    covers: tuple[str, ...]
    export: Callable[..., ExportPart] | None = None
    erase: Callable[..., Iterable[tuple[object, str]] | None] | None = None


_sections: dict[str, GdprSection] = {}


def gdpr_section_register(section: GdprSection) -> None:
    _sections[section.name] = section


def gdpr_sections() -> list[GdprSection]:
    """The registered sections, in registration order (the apps' order)."""
    return list(_sections.values())


# --- What sections share -----------------------------------------------------------------------


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


def jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def export_row(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict:
    """Every concrete field of ``instance`` (foreign keys as ids), for machine reading."""
    row = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, models.FileField):
            value = getattr(instance, field.name).name or None
        row[field.name] = jsonable(value)
    return row


def file_in_archive(field_file, prefix: str) -> str | None:
    """The archive path of an uploaded file (``files/<prefix>.<suffix>``), or None."""
    if not field_file:
        return None
    return f"files/{prefix}{PurePosixPath(field_file.name).suffix}"


# --- Export ------------------------------------------------------------------------------------


def account_export_data(*, user) -> dict:
    """Everything held about ``user``, as a JSON-ready dictionary (files by archive path)."""
    return _export(user=user)[0]


def _export(*, user) -> tuple[dict, list[tuple[str, object]]]:
    data = {"format": "voisinage-export-1", "generated_at": timezone.now().isoformat()}
    files = []
    for section in gdpr_sections():
        if section.export is None:
            continue
        part = section.export(user=user)
        clash = data.keys() & part.data.keys()
        if clash:
            raise ImproperlyConfigured(
                f"GDPR section {section.name!r} exports {sorted(clash)}, already exported."
            )
        data.update(part.data)
        files.extend(part.files)
    return data, files


def account_export_archive(*, user) -> bytes:
    """A ZIP of ``data.json`` and the member's own uploaded files (photo, pending proof,
    and those of the registered sections: the gazette's photos…)."""
    data, files = _export(user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(ARCHIVE_DATA_NAME, json.dumps(data, ensure_ascii=False, indent=2))
        for archive_name, field_file in files:
            try:
                with field_file.open("rb") as handle:
                    archive.writestr(archive_name, handle.read())
            except FileNotFoundError:
                continue
    return buffer.getvalue()


# --- Erasure -----------------------------------------------------------------------------------


def account_erase(*, user) -> None:
    """Delete ``user`` and every personal value held about them, at once.

    Each registered section erases its share, then the user row goes, and with it every
    row a foreign key reaches (CASCADE) or the link to the person (SET_NULL: content
    others need stays, shown as "ancien membre"). One transaction: nothing is half
    erased. Files are removed from storage once the rows are gone.
    """
    files = []
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        for section in gdpr_sections():
            if section.erase is not None:
                files.extend(section.erase(user=user) or ())
        user.delete()

    for storage, name in files:
        storage.delete(name)
