"""Checks on an uploaded proof of address: what the file really is, not what it claims."""

import io

import magic
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

MAX_PROOF_BYTES = 5 * 1024 * 1024
ALLOWED_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


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
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError) as error:
            raise ValidationError(_("Cette image est illisible."), code="bad_image") from error
    return content_type
