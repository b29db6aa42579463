"""Checks on an uploaded proof of address: what the file really is, not what it claims.

What is stored is never the file as it came: an image is re-encoded from its pixels (no
EXIF, no bytes of a page hidden after them), a PDF is kept once pypdf has read it, and the
stored name's extension comes from the sniffed type, never from the uploaded name.
"""

import io

import magic
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from accounts.images import image_check, image_reencode

from .models import PROOF_EXTENSIONS

MAX_PROOF_BYTES = 5 * 1024 * 1024
ALLOWED_TYPES = PROOF_EXTENSIONS
PROOF_IMAGE_FORMATS = frozenset({"JPEG", "PNG"})
# Large enough for a phone's photo of a bill to stay legible, small enough to open anywhere.
PROOF_MAX_SIDE = 3000


def proof_file_check(uploaded) -> str:
    """Return the sniffed content type of ``uploaded`` or raise a ValidationError in French.

    Refuses empty files, files over 5 MB, anything whose content is not a PDF, JPEG or PNG
    whatever its name says, encrypted or unreadable PDFs and broken images.
    """
    size = uploaded.size or 0
    if size == 0:
        raise ValidationError(_("Le fichier est vide."), code="empty")
    if size > MAX_PROOF_BYTES:
        raise ValidationError(
            _("Le fichier dépasse 5 Mo. Envoyez une photo ou un PDF plus léger."), code="too_big"
        )
    uploaded.seek(0)
    content = uploaded.read()
    uploaded.seek(0)
    content_type = magic.from_buffer(content[:4096], mime=True)
    if content_type not in ALLOWED_TYPES:
        raise ValidationError(_("Ce fichier n'est pas un PDF, un JPEG ou un PNG."), code="bad_type")
    if content_type == "application/pdf":
        try:
            reader = PdfReader(io.BytesIO(content))
            if reader.is_encrypted:
                raise ValidationError(
                    _("Ce PDF est protégé par un mot de passe : envoyez-le sans protection."),
                    code="encrypted",
                )
            if len(reader.pages) == 0:
                raise ValidationError(_("Ce PDF ne contient aucune page."), code="bad_pdf")
        except (PdfReadError, ValueError, OSError) as error:
            raise ValidationError(_("Ce PDF est illisible."), code="bad_pdf") from error
    else:
        image_check(uploaded, formats=PROOF_IMAGE_FORMATS)
    return content_type


def proof_prepare(uploaded) -> tuple[ContentFile, str]:
    """Check ``uploaded`` (``proof_file_check``) and return what to store, with its type.

    A JPEG or PNG comes back re-encoded in the same format, a PDF unchanged; the file's
    name carries the extension of the sniffed type.
    """
    content_type = proof_file_check(uploaded)
    name = f"justificatif{ALLOWED_TYPES[content_type]}"
    if content_type == "application/pdf":
        uploaded.seek(0)
        content = ContentFile(uploaded.read(), name=name)
        uploaded.seek(0)
        return content, content_type
    content = image_reencode(
        uploaded,
        max_side=PROOF_MAX_SIDE,
        name=name,
        keep_png=True,
        formats=PROOF_IMAGE_FORMATS,
    )
    return content, content_type
