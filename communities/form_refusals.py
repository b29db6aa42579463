"""A service's refusal, shown on the form that asked for the write.

Services decide again on every write and say no with a ``ValidationError`` (what was typed)
or a ``PermissionDenied`` (who asks). Every form page shows that answer the same way. It
lives in this low layer so that every app with pages (communities, moderation and the
domains above) can use it.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def form_refusal_show(
    *, form, error: Exception, fields: Mapping[str, str | None] | None = None
) -> None:
    """Put ``error`` on ``form``: each field's errors on the form's field of that name, or on
    the one ``fields`` maps it to (None: at the top), and the rest at the top of the form.

    A name the form has no field for goes to the top, so that a refusal is never lost
    (``form.add_error`` would raise on it). Anything but a ``ValidationError`` shows its own
    message, or a neutral one when it has none.
    """
    fields = fields or {}
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = fields.get(name, name)
            form.add_error(target if target in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error) or _("Vous ne pouvez pas faire cela."))
