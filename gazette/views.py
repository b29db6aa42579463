"""Front-end views of the gazette that are not pages: the private photos."""

from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .selectors import photo_visible_to


@require_GET
@cache_control(private=True, max_age=3600)
def photo(request, pk: int):
    """A post's photo, for those who may read the post; 404 for everyone else."""
    found = photo_visible_to(viewer=request.user, photo_id=pk)
    if found is None:
        raise Http404
    response = FileResponse(found.file.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response
