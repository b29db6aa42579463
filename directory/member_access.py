"""One member as the directory shows them to a viewer: the page and the API share it."""

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from accounts.profiles import members_visible_to, profile_fields_visible_to


def visible_member(*, viewer, member_id: int):
    """The member and the fields ``viewer`` may see of them; 404 when they may see none."""
    member = get_object_or_404(members_visible_to(viewer=viewer), pk=member_id)
    fields = profile_fields_visible_to(viewer=viewer, member=member)
    if not fields:
        raise Http404
    return member, fields


def photo_response(fields: dict) -> FileResponse:
    """The member's photo (from ``visible_member``'s fields), never a public media URL."""
    photo = fields.get("photo")
    if not photo:
        raise Http404
    try:
        handle = photo.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
