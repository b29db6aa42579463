from .selectors import commune_for_request


def commune(request):
    """The commune of the site being browsed, for branding (None on the platform site)."""
    return {"commune": commune_for_request(request=request)}
