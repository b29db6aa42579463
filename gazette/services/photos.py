"""Photos of gazette posts: sniffed, re-encoded without their metadata, deleted after commit."""

from dataclasses import dataclass

import magic
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.images import IMAGE_MAX_UPLOAD_BYTES, image_reencode

from ..models import GazettePhoto
from ..placement import PHOTO_MAX_SIDE

PHOTO_SNIFFED_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
MAX_ALT = 200


@dataclass(frozen=True)
class PhotoUpload:
    file: object  # an UploadedFile
    alt_text: str = ""


def gazette_photo_prepare(upload: PhotoUpload) -> tuple[object, str]:
    """Sniff an uploaded photo, then re-encode it (≤ 1600 px JPEG, no EXIF).

    What the file says it is does not count: its first bytes must be a JPEG, PNG, WebP or
    GIF image, and Pillow must decode it whole.
    """
    uploaded = upload.file
    if uploaded.size and uploaded.size > IMAGE_MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("« %(name)s » dépasse 10 Mo.") % {"name": uploaded.name}, code="too_big"
        )
    uploaded.seek(0)
    sniffed = magic.from_buffer(uploaded.read(2048), mime=True)
    uploaded.seek(0)
    if sniffed not in PHOTO_SNIFFED_TYPES:
        raise ValidationError(
            _("« %(name)s » n'est pas une photo : envoyez une image JPEG, PNG, WebP ou GIF.")
            % {"name": uploaded.name},
            code="bad_type",
        )
    try:
        content = image_reencode(uploaded, max_side=PHOTO_MAX_SIDE)
    except ValidationError as error:
        raise ValidationError(
            _("« %(name)s » : %(error)s") % {"name": uploaded.name, "error": error.messages[0]},
            code=error.code,
        ) from None
    alt = " ".join((upload.alt_text or "").split())
    if len(alt) > MAX_ALT:
        raise ValidationError(
            _("La description d'une photo dépasse %(max)d caractères.") % {"max": MAX_ALT}
        )
    return content, alt


def photos_prepare(photos) -> list[tuple[object, str]]:
    """Every uploaded photo prepared, or one refusal listing each bad file (under ``photos``)."""
    prepared, errors = [], []
    for upload in photos:
        try:
            prepared.append(gazette_photo_prepare(upload))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError({"photos": errors})
    return prepared


def photo_files_delete_on_commit(names) -> None:
    """Delete these stored photo files once the transaction commits (never on a rollback)."""
    storage = GazettePhoto._meta.get_field("file").storage
    names = [name for name in names if name]

    def delete():
        for name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)
