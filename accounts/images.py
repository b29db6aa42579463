"""Uploaded images, whatever the door (profile photo, proof of address, gazette photo).

Two dangers come with every image a member sends. Its header may declare far more pixels
than its few bytes suggest (a "pixel flood": 74 bytes announcing 50,000 × 50,000 pixels
decode into gigabytes), so the size it declares is checked before a single pixel is
decoded. And what is stored must be only the picture: the camera's EXIF block can hold the
GPS position of the member's home, and a file crafted to be both an image and a web page
must never be kept as it came, so every image is re-encoded from its pixels.
"""

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_MAX_PIXELS = 40_000_000
IMAGE_MAX_SIDE = 12_000
IMAGE_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
# What Pillow raises on a file it cannot read (a truncated or forged image).
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


def _too_big() -> ValidationError:
    return ValidationError(_("Cette image est trop grande."), code="too_big")


@contextmanager
def image_open_checked(uploaded, *, formats=PHOTO_FORMATS) -> Iterator[Image.Image]:
    """Open ``uploaded`` lazily and refuse it, before decoding, unless it is a safe image.

    Pillow reads only the header on opening: the declared size is checked there (at most
    40 megapixels and 12,000 pixels a side), and so is the format (one of ``formats``).
    Raises a ValidationError in French; the caller decodes (``load()``) inside the block.
    """
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice it: ours is lower anyway.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(uploaded)
    except Image.DecompressionBombError:
        raise _too_big() from None
    except _UNREADABLE as error:
        raise ValidationError(_("Cette image est illisible."), code="bad_image") from error
    try:
        # Closing through the context manager leaves the caller's file open (close() not).
        with image:
            if image.format not in formats:
                raise ValidationError(
                    _("Envoyez une photo au format JPEG, PNG, WebP ou GIF."), code="bad_type"
                )
            width, height = image.size
            too_wide = width > IMAGE_MAX_SIDE or height > IMAGE_MAX_SIDE
            if too_wide or width * height > IMAGE_MAX_PIXELS:
                raise _too_big()
            yield image
    finally:
        uploaded.seek(0)


def image_check(uploaded, *, formats=PHOTO_FORMATS) -> str:
    """Refuse an image too large to decode or unreadable; return its format ("PNG"…).

    For forms that only validate: the full decode is what proves the file is whole.
    """
    with image_open_checked(uploaded, formats=formats) as image:
        try:
            image.load()
        except (*_UNREADABLE, Image.DecompressionBombError) as error:
            raise ValidationError(_("Cette image est illisible."), code="bad_image") from error
        return image.format


def image_reencode(
    uploaded,
    *,
    max_side: int,
    name: str = "photo.jpg",
    keep_png: bool = False,
    formats=PHOTO_FORMATS,
) -> ContentFile:
    """Re-encode an uploaded image from its pixels alone, at most ``max_side`` px a side.

    Out comes a JPEG (or, with ``keep_png``, a PNG stays a lossless PNG: scanned
    documents), with no EXIF, ICC, XMP or comment: nothing of the original file but the
    picture. Orientation is applied to the pixels first, so nothing is lost. Raises a
    ValidationError in French for anything that is not a readable image of a safe size.
    """
    if not uploaded.size:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if uploaded.size > IMAGE_MAX_UPLOAD_BYTES:
        raise ValidationError(_("La photo dépasse 10 Mo."), code="too_big")
    with image_open_checked(uploaded, formats=formats) as image:
        as_png = keep_png and image.format == "PNG"
        try:
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            image = image.convert("RGB")
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            output = io.BytesIO()
            # A fresh image carries no info dictionary: no EXIF, ICC, XMP or comment.
            clean = Image.new("RGB", image.size)
            clean.paste(image)
            if as_png:
                clean.save(output, "PNG", optimize=True)
            else:
                clean.save(output, "JPEG", quality=85, optimize=True)
        except (*_UNREADABLE, Image.DecompressionBombError) as error:
            raise ValidationError(_("Cette image est illisible."), code="bad_image") from error
    return ContentFile(output.getvalue(), name=name)
